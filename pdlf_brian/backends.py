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
