"""The full PDLF rule: SCP + PDP (docs/method.md E5).

    dW = eta * (A * pre * (post - C) + B * post + D)

Composed from the two halves, so that editing ``scp.py`` or ``pdp.py`` changes
this rule too.  Coefficients are in the reference genome order eta, A, B, C, D.
"""
from . import pdp, scp
from pdlf_brian.rules import compose

NAME = "scp+pdp"
COEFFICIENTS = ("eta", "A", "B", "C", "D")

DISCRETE = compose(scp.DISCRETE, pdp.DISCRETE)
ON_PRE = compose(scp.ON_PRE, pdp.ON_PRE)
ON_POST = compose(scp.ON_POST, pdp.ON_POST)
DRIFT = compose(scp.DRIFT, pdp.DRIFT)
