"""The reference's working-memory reading of the rule: PDP multiplies the PRESYNAPTIC activity.

Reference model:   dW = eta * (A * pre * post + B * pre + C * post + D)

docs/method.md section 2 ("Working-memory variant"): in the reference's WM code the single-factor
term is presynaptic (``B pre``), so a synapse changes only while its input is active; with
``C post`` and ``D`` kept, the coefficients are still eta, A, B, C, D (genome order).
Biological model: A is the pair term on both pathways, B a jump per presynaptic spike,
C a jump per postsynaptic spike, D a constant drift.
"""
NAME = "wm_pre"
COEFFICIENTS = ("eta", "A", "B", "C", "D")

DISCRETE = "eta * (A * pre * post + B * pre + C * post + D)"

ON_PRE = "eta * (A * apost + B)"
ON_POST = "eta * (A * apre + C)"
DRIFT = "eta * D"
