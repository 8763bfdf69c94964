"""Code-generation backends.

``cython``  Brian2 runtime with Cython code objects (default; closed loops work)
``numpy``   Brian2 runtime with NumPy code objects (slow; for debugging)
``cpp``     cpp_standalone: compiled once per shape, new genomes and inputs per
            evaluation through ``run_args`` (no Python inside the loop)
``cuda``    cuda_standalone through brian2cuda (same mechanism as ``cpp``)
"""
from __future__ import annotations

import contextlib

BACKENDS = ("cython", "numpy", "cpp", "cuda")
RUNTIME = ("cython", "numpy")
STANDALONE = ("cpp", "cuda")


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    return name


#: Brian2's default GCC flags that make compiled results depend on the CPU (``-march=native``
#: selects FMA and AVX code paths) or on the optimiser's freedom (``-ffast-math`` reassociates sums).
NONPORTABLE_FLAGS = ("-march=native", "-mtune=native", "-mcpu=native", "-ffast-math", "-fno-finite-math-only")


def compile_flags(native: bool = False) -> list[str]:
    """GCC flags for Brian2's generated C++ (Cython runtime and cpp_standalone).

    Portable (the default): Brian2's own defaults without the non-portable flags, plus
    ``-ffp-contract=off`` (no fused multiply-add): IEEE arithmetic in source order, so the same
    config and seed give the same numbers on any x86-64 machine.  ``native``: Brian2's defaults
    (``-O3 -ffast-math -march=native``), faster, but the numbers depend on the CPU.
    """
    from brian2.codegen.cpp_prefs import default_buildopts

    if native:
        return list(default_buildopts)
    return [f for f in default_buildopts if f not in NONPORTABLE_FLAGS] + ["-ffp-contract=off"]


def configure_compiler(native: bool = False) -> list[str]:
    """Set Brian2's compile flags (see :func:`compile_flags`) and give each flag set its own Cython
    cache: Brian2's cache key does not include the flags, so a module compiled with one set would
    otherwise be reused under the other.  Returns the flags."""
    import os

    from brian2 import prefs
    from brian2.codegen.runtime.cython_rt.extension_manager import get_cython_cache_dir

    flags = compile_flags(native)
    prefs.codegen.cpp.extra_compile_args_gcc = flags
    base = _BASE_CACHE.setdefault("dir", get_cython_cache_dir())
    prefs.codegen.runtime.cython.cache_dir = os.path.join(base, "pdlf-native" if native else "pdlf-portable")
    try:  # brian2cuda: -use_fast_math only when native code was asked for
        cuda = prefs.devices.cuda_standalone.cuda_backend
        nvcc = [f for f in cuda.extra_compile_args_nvcc if f != "-use_fast_math"]
        cuda.extra_compile_args_nvcc = nvcc + (["-use_fast_math"] if native else [])
    except (AttributeError, KeyError):  # brian2cuda not imported: its preferences do not exist
        pass
    _BASE_CACHE["native"] = native
    return flags


_BASE_CACHE: dict = {}


def compiler_native() -> bool:
    """Whether the flags last set by :func:`configure_compiler` are the native ones."""
    return _BASE_CACHE.get("native", False)


_IEEE_CYTHON = []


def ieee_cython_class():
    """Brian2's Cython code object, compiled with IEEE division (``cdivision=True``).

    Brian2's Cython template asks for Python semantics (``cdivision=False``): a float division by zero
    raises ZeroDivisionError and aborts the whole batched run, for every genome in it.  With C
    semantics it gives inf or NaN in the copies that divide by zero, which are then scored as
    diverged, as the other backends (NumPy, C++) already do.
    """
    if not _IEEE_CYTHON:
        from brian2.codegen.runtime.cython_rt.cython_rt import CythonCodeObject

        from brian2.codegen.targets import codegen_targets

        class IEEECythonCodeObject(CythonCodeObject):
            # a target name of its own (prefs.codegen.target = "pdlf_cython"); function implementations
            # for "cython" are still found through the generator class (CythonCodeGenerator)
            class_name = "pdlf_cython"

            def compile_block(self, block):
                text = getattr(self.code, block, "")
                if text and "#cython: cdivision=False" in text:
                    setattr(self.code, block, text.replace("#cython: cdivision=False", "#cython: cdivision=True"))
                return super().compile_block(block)

        codegen_targets.add(IEEECythonCodeObject)
        _IEEE_CYTHON.append(IEEECythonCodeObject)
    return _IEEE_CYTHON[0]


@contextlib.contextmanager
def interrupts_raise():
    """Within: Ctrl+C raises KeyboardInterrupt inside a run (and a compiled program built here has no
    handler of its own).  Brian2's default stops the simulation "gracefully" at the first Ctrl+C and
    returns as if it had finished: a WM evaluation then failed on its short readout, and an RL
    generation was scored on cut-short episodes, saved and continued.  The preference is restored
    afterwards: a user's own Brian2 simulations in the same process keep Brian2's default."""
    from brian2 import prefs
    before = prefs.core.stop_on_keyboard_interrupt
    prefs.core.stop_on_keyboard_interrupt = False
    try:
        yield
    finally:
        prefs.core.stop_on_keyboard_interrupt = before


def activate_runtime(name: str) -> None:
    """Make Brian2 generate ``name`` code for the runtime objects built next."""
    from brian2 import prefs, set_device

    set_device("runtime")
    prefs.codegen.target = ieee_cython_class().class_name if name == "cython" else name
    if "native" not in _BASE_CACHE:  # nobody chose: portable flags
        configure_compiler(False)
    skip_run_gc()


def skip_run_gc() -> bool:
    """Brian2 >= 2.11: no ``gc.collect()`` in every ``run()`` (it only looks for Brian objects that were
    created but not added to the network, to warn about them; ours all are).  Older Brian2 always
    collects; there ``evaluate.build_network`` freezes the heap instead.  True where the preference
    exists."""
    from brian2 import prefs
    from brian2.core.preferences import PreferenceError
    try:
        prefs["logging.warn_for_unused_objects"] = False
    except (KeyError, PreferenceError):  # Brian2 < 2.11: no such preference
        return False
    return True


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
