"""Short-term synaptic plasticity: Tsodyks-Markram facilitation and depression, as in the synaptic theory
of working memory (Mongillo, Barak & Tsodyks 2008, Science 319:1543), with evolvable constants.

Per synapse, u (utilisation, facilitation) relaxes to U with tau_F, x (available resources, depression)
relaxes to 1 with tau_D.  At each presynaptic spike, in Mongillo's order (their supplementary
equations; the NEST model tsodyks3_synapse of Tiddia et al. 2022 does the same):

    u <- u + U (1 - u)           facilitation first
    the spike transmits  w * u * x   (u after its jump, x before its own)
    x <- x - u x                 then depression

Published values (Mongillo et al. 2008): U = 0.2, tau_F = 1.5 s, tau_D = 0.2 s (0.19 in the NEST
re-implementation).  Each is ``published * exp(k)`` with one coefficient k per constant and per
synapse (or per neuron / layer with --sharing): genome 0 is the published synapse, and U is clipped
to [0, 1].  The long-term weight w does not change (no ON_PRE/ON_POST/DRIFT): memory is held in u,
and the transmitted efficacy moves while the weight stays.  Written with deviations from rest
(u = U + u_f, x = 1 - x_d) so that every trial starts from rest.

With zero weights nothing is transmitted: the initial weights default to uniform in [0, 1] (Mongillo's
network has fixed, non-zero efficacies); --init-weights changes them.  Biological model only.
"""
from brian2 import ms

NAME = "stp"
COEFFICIENTS = ("k_U", "k_F", "k_D")
NAMESPACE = {"U0": 0.2, "tau_F0": 1500 * ms, "tau_D0": 200 * ms}

EQUATIONS = """
U_stp = clip(U0 * exp(k_U), 0, 1) : 1
tau_F = tau_F0 * exp(k_F) : second
tau_D = tau_D0 * exp(k_D) : second
du_f/dt = -u_f / tau_F : 1 (event-driven)
dx_d/dt = -x_d / tau_D : 1 (event-driven)
"""

DISCRETE = None
ON_PRE = None
ON_POST = None
DRIFT = None
BEFORE_TRANSMIT = "u_f += U_stp * (1 - U_stp - u_f)"
EFFICACY = "w * (U_stp + u_f) * (1 - x_d)"
PRE_UPDATES = "x_d += (U_stp + u_f) * (1 - x_d)"
INIT_WEIGHTS = "uniform:0,1"
SYNAPTIC_STATE = ("u_f", "x_d")  # efficacy, not spike traces: the WM probes' delay wipe keeps them
