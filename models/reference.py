"""Reference (discrete-time) controller: docs/method.md E1-E4 and E6.

One Brian2 time step is one environment step (``dt = 1 ms`` is only a label).
Everything is dimensionless.  The hidden layer is updated by a single
``run_regularly`` block; the input current and the readout are ``(summed)``
synaptic variables, so Brian2 generates all of it.

    E1  u_t  = I_t + (u_{t-1} - I_t) / tau,   I_t = W1^T x_t,  tau = e
    E2  s_t  = [u_t > 0.1] - [u_t < -0.1]     (ternary spike), u reset to 0 where s != 0
    E3  tr_t = tr_{t-1} / e + (1 - 1/e) s_t   (hidden trace)
    E4  a_t  = W2^T s_t                        (linear readout)
    E6  W <- W + eta * dW,  then W <- W / max|W|  per layer and per copy
        (the all-zero layer is left at zero; the reference divides by zero there)

The rule dW (E5) is not here: it lives in ``rules/`` and refers to ``pre`` and
``post``, which the network substitutes per layer:

    layer 1 (input -> hidden):   pre = x (input),   post = tr (hidden trace)
    layer 2 (hidden -> readout): pre = tr,          post = a (readout)
    recurrent (hidden -> hidden, optional topology): pre = tr, post = tr
"""
import numpy as np

#: constants, passed to Brian2 as the namespace of every object
NAMESPACE = {
    "tau_u": np.e,       # membrane constant of E1 (Euler's number, as the reference)
    "theta": 0.1,        # ternary spike threshold of E2
    "trace_decay": 1.0 / np.e,  # E3
}

INPUT_EQS = """
x : 1          # input value of this step (normalised observation or stimulus)
"""

HIDDEN_EQS = """
I_ff : 1       # feed-forward current, summed from the input synapses
I_rec : 1      # recurrent current (zero in the feed-forward topology)
u : 1          # membrane
s : 1          # ternary spike of this step, -1, 0 or +1
tr : 1         # spike trace
blocked : 1 (constant)   # 1 = neuron removed (permanent injury); 0 normally
"""

#: E1-E3, executed once per step after the summed currents are up to date
HIDDEN_STEP = """
u = (I_ff + I_rec) + (u - (I_ff + I_rec)) / tau_u
s = (int(u > theta) - int(u < -theta)) * (1 - blocked)
u = u * int(s == 0)
tr = tr * trace_decay + (1 - trace_decay) * s
"""

READOUT_EQS = """
a : 1          # linear readout (E4), summed from the hidden synapses
"""

#: Synaptic currents.  ``{pre}`` is the presynaptic variable of the layer.
CURRENT_FF = "I_ff_post = w * x_pre : 1 (summed)"
CURRENT_REC = "I_rec_post = w * s_pre : 1 (summed)"
CURRENT_OUT = "a_post = w * s_pre : 1 (summed)"

#: What ``pre`` and ``post`` mean in the rule, per layer.
RULE_OPERANDS = {
    "in": {"pre": "x_pre", "post": "tr_post"},
    "out": {"pre": "tr_pre", "post": "a_post"},
    "rec": {"pre": "tr_pre", "post": "tr_post"},
}
