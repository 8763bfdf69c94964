"""Code-generation backends.

``cython``  Brian2 runtime with Cython code objects (default; closed loops work)
``numpy``   Brian2 runtime with NumPy code objects (slow; for debugging)
``cpp``     cpp_standalone: compiled once per shape, new genomes and inputs per
            evaluation through ``run_args`` (no Python inside the loop)
``cuda``    cuda_standalone through brian2cuda (same mechanism as ``cpp``)
"""
from __future__ import annotations

BACKENDS = ("cython", "numpy", "cpp", "cuda")
RUNTIME = ("cython", "numpy")
STANDALONE = ("cpp", "cuda")


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    return name


def activate_runtime(name: str) -> None:
    """Make Brian2 generate ``name`` code for the runtime objects built next."""
    from brian2 import prefs, set_device

    set_device("runtime")
    prefs.codegen.target = name


def gpu_visible() -> bool:
    """True where ``nvidia-smi -L`` lists a GPU."""
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return False
    return subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0


def cuda_device_class():
    """brian2cuda's device, set up for this package (ENGINEERING.md, brian2cuda 1.0a7 + CUDA 13):

    - GPU detection only where a GPU is visible (``nvidia-smi`` works); otherwise the code is
      generated and compiled for compute capability ``PDLF_CUDA_CC`` (default 8.0) without one;
    - cuRAND headers and library from the ``nvidia-curand-cu12`` wheel when the toolkit lacks them;
    - the generated makefile asks for C++17 (CUDA 13's Thrust/CUB need it; the template says C++11).
    """
    import os
    import shutil

    from brian2 import prefs
    from brian2cuda.device import CUDAStandaloneDevice

    cuda = prefs.devices.cuda_standalone.cuda_backend
    if not gpu_visible():
        cuda.detect_gpus = False
        cuda.gpu_id = 0
        cuda.compute_capability = float(os.environ.get("PDLF_CUDA_CC", "8.0"))
    nvcc = shutil.which("nvcc")
    if nvcc and cuda.cuda_path is None:
        cuda.cuda_path = os.path.dirname(os.path.dirname(os.path.realpath(nvcc)))
    try:
        import nvidia.curand as curand
        base = list(curand.__path__)[0]
        prefs.codegen.cpp.include_dirs = list(prefs.codegen.cpp.include_dirs) + [os.path.join(base, "include")]
        lib = os.path.join(base, "lib")
        prefs.codegen.cpp.library_dirs = list(prefs.codegen.cpp.library_dirs) + [lib]
        prefs.codegen.cpp.runtime_library_dirs = list(prefs.codegen.cpp.runtime_library_dirs) + [lib]
        if not any(f.startswith("libcurand.so") and f != "libcurand.so.10" for f in os.listdir(lib)):
            # the wheel ships libcurand.so.10 only; the linker looks for libcurand.so
            link = os.path.join(lib, "libcurand.so")
            if not os.path.exists(link):
                try:
                    os.symlink("libcurand.so.10", link)
                except OSError:
                    pass
    except ImportError:
        pass

    class Device(CUDAStandaloneDevice):
        def generate_makefile(self, writer, *args, **kwargs):
            super().generate_makefile(writer, *args, **kwargs)
            path = os.path.join(writer.project_dir, "makefile")
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("-std=c++11", "-std=c++17"))

    return Device
