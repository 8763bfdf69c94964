"""No plasticity: the genome is the weights (the weight-trained baseline).

Same neurons and readout as the plastic agents, so that a comparison isolates
plasticity.  The weights are set at the start of every evaluation and never
change.  (The reference's baseline also differs in neuron and readout; see
docs/method.md section 2.)
"""
NAME = "weights"
COEFFICIENTS = ("w",)
STATIC = True
DISCRETE = None
ON_PRE = None
ON_POST = None
DRIFT = None
