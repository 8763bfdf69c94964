"""Pair-timing plasticity windows (Fig. 3E-F).

``analytic_window_*`` give the closed forms; ``simulated_window_bio`` measures
the biological rule's window by simulating spike pairs in Brian2.
"""
from __future__ import annotations

import numpy as np


def analytic_window_reference(eta, A, B, C, D, dt_steps):
    """E5's pair view (METHOD.md), dt = t_pre - t_post in steps, trace constant 1/e."""
    dt = np.asarray(dt_steps, dtype=float)
    return np.where(dt < 0, eta * (-A * C * np.exp(dt / np.e) + D),
                    eta * ((A + B) * np.exp(-dt / np.e) + D))


def analytic_window_bio(eta, A, B, C, delta_ms, tau_pre_ms=20.0, tau_post_ms=20.0):
    """Biological SCP+PDP, one pair, Delta = t_post - t_pre in ms, drift excluded."""
    d = np.asarray(delta_ms, dtype=float)
    coincidence = np.where(d > 0, np.exp(-d / tau_pre_ms), np.exp(d / tau_post_ms))
    return eta * (B - A * C + A * coincidence)


def simulated_window_bio(rule, coefficients, delta_ms, namespace=None):
    """The same window measured in Brian2 with the package's synapse code."""
    from pdlf_brian.bio import pair_weight_change

    return pair_weight_change(rule, coefficients, delta_ms, namespace=namespace)
