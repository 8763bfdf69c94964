"""SCP -- Synaptic Cooperation Plasticity (Hebbian coincidence with a threshold).

Reference model (E5, the SCP half):   dW = eta * A * pre * (post - C)
Biological model: the same coincidence read as a spike-pair rule
    at a presynaptic spike:  dw = eta * A * (apost - C)   (post trace minus threshold)
    at a postsynaptic spike: dw = eta * A * apre          (pre trace)
"""
NAME = "scp"
COEFFICIENTS = ("eta", "A", "C")

DISCRETE = "eta * A * pre * (post - C)"

ON_PRE = "eta * A * (apost - C)"
ON_POST = "eta * A * apre"
DRIFT = None
