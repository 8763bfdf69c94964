"""Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005, J Neurophysiol 94:3637).

    C_m dvm/dt = g_L (E_L - vm) + g_L Delta_T exp((vm - V_T) / Delta_T) - w_ad
    tau_w dw_ad/dt = a_ad (vm - E_L) - w_ad
    spike when vm > V_T + 5 Delta_T (the upswing is cut there, as in Brian2's example of the paper);
    then vm = V_r, w_ad += b_ad

Published parameters (the paper's Table 1, regular spiking, as in Brian2's
examples/frompapers/Brette_Gerstner_2005.py): C = 281 pF, g_L = 30 nS, E_L = -70.6 mV,
V_T = -50.4 mV, Delta_T = 2 mV, tau_w = 144 ms, a = 4 nS, b = 0.0805 nA, V_r = E_L.  The
adaptation current is called ``w_ad`` here (the paper's w) so that it cannot be mistaken for the
synaptic weight ``w``, and its a and b are ``a_ad`` and ``b_ad``, so that they cannot clash with
a rule's coefficients (bcm's ``a``).

Synaptic input (the package's choice, not the paper's): a presynaptic spike of weight w moves vm by
w * J_syn, with J_syn = 10 mV, so that one spike of weight 2 (the model's w_max) spans the 20 mV
from rest to V_T, as it brings the default LIF neuron to its threshold.  V_T is where the
exponential upswing starts, not the spike cut (V_T + 5 Delta_T = -40.4 mV): one such spike from rest
does not fire the neuron; a few within a membrane time constant (C_m / g_L = 9.4 ms) do.  The adaptation gives the neuron a memory of its recent firing on
the scale of tau_w = 144 ms.

Integration: Euler at the model's dt (1 ms by default).  With Delta_T = 2 mV the exponential
upswing is shorter than one step, so at 1 ms the spike times are coarse (the cut at V_T + 5 Delta_T
is crossed within a step); use --dt-ms 0.1 where spike timing within a few ms matters.
"""
from brian2 import mV, ms, nA, nS, pF

NAME = "adex"

EQUATIONS = """
dvm/dt = (g_L * (E_L - vm) + g_L * Delta_T * exp((vm - V_T) / Delta_T) - w_ad) / C_m : volt (unless refractory)
dw_ad/dt = (a_ad * (vm - E_L) - w_ad) / tau_w : amp
"""
THRESHOLD = "vm > V_T + 5 * Delta_T"
RESET = "vm = V_r; w_ad += b_ad"
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
    "a_ad": 4 * nS,        # the paper's a
    "b_ad": 0.0805 * nA,   # the paper's b
    "V_r": -70.6 * mV,
    "tau_ref": 2 * ms,     # not in the paper's model; keeps one spike per upswing at dt = 1 ms
    "J_syn": 10 * mV,      # the package's input scale (see above)
}
