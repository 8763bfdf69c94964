"""pdlf-brian: the Plasticity-Driven Learning Framework on Brian2.

Spiking networks whose weights are not trained: the coefficients of their
plasticity rules are evolved by CMA-ES, and the weights change online.
"""
__version__ = "0.1.0"

import os as _os
import platform as _platform
import sys as _sys

#: numpy's OpenBLAS, pinned before numpy is loaded: one thread, and on x86-64 its baseline kernel
#: ("Prescott": SSE3, every x86-64 CPU).  OpenBLAS otherwise picks a kernel for the CPU it finds (AVX-512
#: on one machine, AVX2 on another) and a thread count for its cores, and each gives other rounding:
#: CMA-ES's sampling and eigendecompositions (pycma runs on numpy) then drift apart by a bit per generation
#: and, through the fitness ranks, a 1,000-generation run ends elsewhere (docs/benchmarks.md, "The same
#: numbers on every machine").  It costs 13-30 ms per generation of the WM default's CMA-ES (2-7 %).  A value
#: already in the environment is kept: ``OPENBLAS_CORETYPE=`` (empty) gives OpenBLAS its own choice again.
BLAS_PINNED = {"OPENBLAS_NUM_THREADS": "1",
               **({"OPENBLAS_CORETYPE": "Prescott"} if _platform.machine().lower() in ("x86_64", "amd64") else {})}
#: False where numpy was loaded before this package (its OpenBLAS had chosen already) and the environment
#: had not pinned it the same way (rundir.blas says)
BLAS_PINNED_IN_TIME = "numpy" not in _sys.modules or all(_os.environ.get(k) == v for k, v in BLAS_PINNED.items())
for _key, _value in BLAS_PINNED.items():
    _os.environ.setdefault(_key, _value)

from .tasks import register_all as _register_envs  # noqa: E402  (gymnasium ids pdlf/AntDir-v0 ...)

_register_envs()
