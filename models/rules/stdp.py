"""Classic pair-based STDP (Song, Miller & Abbott 2000), with evolvable amplitudes and time constants.

The published rule, written for plain Brian2 (its tutorial form)::

    dapre/dt  = -apre / taupre   (event-driven)     on_pre:  apre += Apre;   w += apost
    dapost/dt = -apost / taupost (event-driven)     on_post: apost += Apost; w += apre
    taupre = taupost = 20 ms,  Apre = 0.005,  Apost = -1.05 * Apre

Made evolvable: every constant becomes ``published value * exp(k)``, with one
dimensionless coefficient ``k`` per constant and per synapse, so the genome 0
is exactly the published rule and the ES can scale each constant up or down
(never flip a sign).  The package's synapse already has the two traces, jumping by
1 at each spike; the rule's EQUATIONS override their time constants per synapse.

Biological model only (there are no spike times in the discrete reference model):
``pdlf train --model bio --rule stdp``.  On the readout (which does not spike)
only the presynaptic term acts, with the readout ``y`` as the postsynaptic trace.
Song et al. also clip w to [0, gmax]; here, as for every rule, the package bounds
the weights instead: a hard bound |w| <= w_max after every update and synaptic scaling of each
neuron's input (``models/bio.py``).  Initial weights: Song et al. draw them uniformly in
[0, gmax]; ``INIT_WEIGHTS`` below does the same with gmax = 1 in the package's weight units (a weight
of 1 moves the default LIF membrane half way to threshold; the amplitudes A+ = 0.005, A- = 1.05 A+
are then, as in the paper, fractions of gmax).  Without it, every weight would start at 0 and, as no
term of the rule acts without a postsynaptic spike, the network would stay silent.
"""
from brian2 import ms

NAME = "stdp"
COEFFICIENTS = ("a_plus", "a_minus", "k_plus", "k_minus")
NAMESPACE = {"A_plus0": 0.005, "A_minus0": 1.05 * 0.005, "tau_plus0": 20 * ms, "tau_minus0": 20 * ms}

EQUATIONS = """
tau_apre = tau_plus0 * exp(k_plus) : second
tau_apost = tau_minus0 * exp(k_minus) : second
"""

DISCRETE = None
ON_PRE = "-A_minus0 * exp(a_minus) * apost"   # post before pre: depression
ON_POST = "A_plus0 * exp(a_plus) * apre"      # pre before post: potentiation
DRIFT = None
INIT_WEIGHTS = "uniform:0,1"   # Song, Miller & Abbott 2000: uniform in [0, gmax]; gmax = 1 here
