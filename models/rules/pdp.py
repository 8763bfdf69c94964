"""PDP -- Presynaptic-Dependent Plasticity: single-factor term plus constant drift.

Reference model (E5, the PDP half):   dW = eta * (B * post + D)
Biological model: B acts on the presynaptic pathway (every presynaptic spike
moves the weight by eta*B); D is a constant drift of eta*D per tau_drift.
This is the homeostatic part: without it the reference reports divergence.
"""
NAME = "pdp"
COEFFICIENTS = ("eta", "B", "D")

DISCRETE = "eta * (B * post + D)"

ON_PRE = "eta * B"
ON_POST = None
DRIFT = "eta * D"
