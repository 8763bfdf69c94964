"""pdlf-brian: the Plasticity-Driven Learning Framework on Brian2.

Spiking networks whose weights are not trained: the coefficients of their
plasticity rules are evolved by CMA-ES, and the weights change online.
"""
__version__ = "0.1.0"

from .tasks import register_all as _register_envs  # noqa: E402  (gymnasium ids pdlf/AntDir-v0 ...)

_register_envs()
