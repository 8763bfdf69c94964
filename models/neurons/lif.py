"""Leaky integrate-and-fire neuron (Lapicque 1907; the package's default biological neuron).

    dv/dt = -v / tau_m                 (dimensionless membrane, rest 0, threshold 1)
    spike when v > v_th, then v = v_reset and 2 ms refractory
    a presynaptic spike of weight w:   v += w_scale * w

Dimensionless, so that the evolved weights read in units of the threshold: one spike of weight
v_th / w_scale = 2 (the model's w_max) brings the neuron from rest exactly to v_th, which is not
above it, and v decays before the next threshold check (the jump arrives after this step's check):
firing from rest takes at least two such spikes within a few ms (temporal summation).  The synaptic weights start at zero
in every trial (the paper), so the neuron is silent until the plasticity rule has grown them.
"""
from brian2 import ms

NAME = "lif"

EQUATIONS = """
dv/dt = -v / tau_m : 1 (unless refractory)
"""
THRESHOLD = "v > v_th"
RESET = "v = v_reset"
REFRACTORY = "tau_ref"
METHOD = "exact"
TRANSMIT = "v_post += w_scale * w"
INITIAL = {"v": 0.0}

NAMESPACE = {
    "tau_m": 20 * ms,     # membrane time constant
    "v_th": 1.0,          # threshold
    "v_reset": 0.0,       # reset
    "tau_ref": 2 * ms,    # refractory period
    "w_scale": 0.5,       # membrane jump per unit weight
}
