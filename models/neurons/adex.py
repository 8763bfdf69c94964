"""Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005, J Neurophysiol 94:3637).

    C_m dvm/dt = g_L (E_L - vm) + g_L Delta_T exp((vm - V_T) / Delta_T) - w_ad
    tau_w dw_ad/dt = a (vm - E_L) - w_ad
    spike when vm > V_T + 5 Delta_T (the upswing is cut there, as in Brian2's example of the paper);
    then vm = V_r, w_ad += b

Published parameters (the paper's Table 1, regular spiking, as in Brian2's
examples/frompapers/Brette_Gerstner_2005.py): C = 281 pF, g_L = 30 nS, E_L = -70.6 mV,
V_T = -50.4 mV, Delta_T = 2 mV, tau_w = 144 ms, a = 4 nS, b = 0.0805 nA, V_r = E_L.  The
adaptation current is called ``w_ad`` here (the paper's w) so that it cannot be mistaken for the
synaptic weight ``w``.

Synaptic input (the package's choice, not the paper's): a presynaptic spike of weight w moves vm by
w * J_syn, with J_syn = 10 mV, so that a weight of 2 spans the 20 mV from rest to V_T, as a weight of
2 does for the default LIF neuron.  The adaptation gives the neuron a memory of its recent firing on
the scale of tau_w = 144 ms.
"""
from brian2 import mV, ms, nA, nS, pF

NAME = "adex"

EQUATIONS = """
dvm/dt = (g_L * (E_L - vm) + g_L * Delta_T * exp((vm - V_T) / Delta_T) - w_ad) / C_m : volt (unless refractory)
dw_ad/dt = (a * (vm - E_L) - w_ad) / tau_w : amp
"""
THRESHOLD = "vm > V_T + 5 * Delta_T"
RESET = "vm = V_r; w_ad += b"
REFRACTORY = "tau_ref"
METHOD = "euler"
TRANSMIT = "vm_post += J_syn * w"
INITIAL = {"vm": "E_L", "w_ad": 0.0}

NAMESPACE = {
    "C_m": 281 * pF,       # the paper's C (renamed: C is a coefficient of PDLF's rule)
    "g_L": 30 * nS,
    "E_L": -70.6 * mV,
    "V_T": -50.4 * mV,
    "Delta_T": 2 * mV,
    "tau_w": 144 * ms,
    "a": 4 * nS,
    "b": 0.0805 * nA,
    "V_r": -70.6 * mV,
    "tau_ref": 2 * ms,     # not in the paper's model; keeps one spike per upswing at dt = 1 ms
    "J_syn": 10 * mV,      # the package's input scale (see above)
}
