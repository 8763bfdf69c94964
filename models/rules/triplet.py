"""Triplet STDP (Pfister & Gerstner 2006, all-to-all full model), evolvable.

Four traces: r1 (presynaptic, tau_plus), r2 (presynaptic, tau_x), o1
(postsynaptic, tau_minus), o2 (postsynaptic, tau_y)::

    at a presynaptic spike:   w -= o1 * (A2m + A3m * r2);  then r1 += 1, r2 += 1
    at a postsynaptic spike:  w += r1 * (A2p + A3p * o2);  then o1 += 1, o2 += 1

(r2 and o2 are read before their own jump, as in the paper.)  Here r1 and o1 are
the package's ``apre``/``apost``; r2 and o2 are the rule's own event-driven
variables.  Default constants: the full all-to-all model (all four amplitudes non-zero; the
minimal model sets A3m to 0, so r2 would do nothing) fitted to the hippocampal data of
Pfister & Gerstner 2006 (tau_plus 16.8 ms, tau_minus 33.7 ms,
tau_x 946 ms, tau_y 27 ms, A2p 6.1e-3, A3p 6.7e-3, A2m 1.6e-3, A3m 1.4e-3; check
against the paper's table before citing numbers from this file).  As in ``stdp``,
each constant is ``published * exp(k)`` with one coefficient per constant and
synapse: genome 0 is the published rule.  Biological model only.
"""
from brian2 import ms

NAME = "triplet"
COEFFICIENTS = ("a2p", "a3p", "a2m", "a3m", "k_plus", "k_minus", "k_x", "k_y")
NAMESPACE = {"A2p0": 6.1e-3, "A3p0": 6.7e-3, "A2m0": 1.6e-3, "A3m0": 1.4e-3,
             "tau_plus0": 16.8 * ms, "tau_minus0": 33.7 * ms, "tau_x0": 946 * ms, "tau_y0": 27 * ms}

EQUATIONS = """
tau_apre = tau_plus0 * exp(k_plus) : second
tau_apost = tau_minus0 * exp(k_minus) : second
dr2/dt = -r2 / (tau_x0 * exp(k_x)) : 1 (event-driven)
do2/dt = -o2 / (tau_y0 * exp(k_y)) : 1 (event-driven)
"""

DISCRETE = None
ON_PRE = "-apost * (A2m0 * exp(a2m) + A3m0 * exp(a3m) * r2)"
ON_POST = "apre * (A2p0 * exp(a2p) + A3p0 * exp(a3p) * o2)"
PRE_UPDATES = "r2 += 1"
POST_UPDATES = "o2 += 1"
DRIFT = None
INIT_WEIGHTS = "uniform:0,1"   # as stdp: uniform in [0, gmax], gmax = 1 in the package's weight units
