"""An independent NumPy implementation of docs/method.md E1-E6, written for the tests.

Deliberately plain (loops over copies, no code shared with the package) so that
it is an independent truth for the Brian2 network.
"""
import numpy as np

E = np.e


def rule_e5(coef, pre, post):
    """E5: dW_ij = A_ij pre_i (post_j - C_ij) + B_ij post_j + D_ij, times eta."""
    eta, A, B, C, D = (coef[k] for k in ("eta", "A", "B", "C", "D"))
    return eta * (A * pre[:, None] * (post[None, :] - C) + B * post[None, :] + D)


def normalise(W, per="layer"):
    """E6: W / max|W| over the layer (the paper); ``per='post'``: each column (a postsynaptic neuron's
    incoming weights) by its own max |w| (the package's ``normalise='post'`` variant)."""
    if per == "post":
        m = np.max(np.abs(W), axis=0)
        return W / np.where(m > 0, m, 1.0)[None, :]
    m = np.max(np.abs(W))
    return W / m if m > 0 else W


def run_controller(x, c1, c2, crec=None, static=None, rule=rule_e5, reads_w=False, per="layer"):
    """x: (T, n_in); c1, c2 (, crec): dicts of (n_pre, n_post) coefficient arrays.

    per: E6 per layer (the paper) or per postsynaptic neuron ('post').

    reads_w: the rule is called as rule(coef, pre, post, W), W the layer's (normalised) weights.

    static: (W1, W2[, Wrec]) for the no-plasticity baseline.
    Returns actions (T, n_out), spikes (T, H), W1 (T, n_in, H), W2 (T, H, n_out).
    """
    T, n_in = x.shape
    if static is not None:
        W1, W2 = static[0].copy(), static[1].copy()
        Wr = static[2].copy() if len(static) > 2 else None
    else:
        H, n_out = c1["eta"].shape[1], c2["eta"].shape[1]
        W1, W2 = np.zeros((n_in, H)), np.zeros((H, n_out))
        Wr = np.zeros((H, H)) if crec is not None else None
    H = W1.shape[1]
    u, tr, s = np.zeros(H), np.zeros(H), np.zeros(H)
    acts, spikes, w1s, w2s = [], [], [], []
    for t in range(T):
        I = W1.T @ x[t] + (Wr.T @ s if Wr is not None else 0.0)   # E1 input (recurrence: s_{t-1})
        u = I + (u - I) / E                                         # E1
        s = (u > 0.1).astype(float) - (u < -0.1).astype(float)      # E2
        u = np.where(s != 0, 0.0, u)
        tr = tr / E + (1 - 1 / E) * s                               # E3
        a = W2.T @ s                                                # E4
        if static is None:                                          # E6
            f = rule if reads_w else (lambda c, pre, post, W: rule(c, pre, post))
            W1 = normalise(W1 + f(c1, x[t], tr, W1), per)
            if Wr is not None:
                Wr = normalise(Wr + f(crec, tr, tr, Wr), per)
            W2 = normalise(W2 + f(c2, tr, a, W2), per)
        acts.append(a); spikes.append(s); w1s.append(W1.copy()); w2s.append(W2.copy())
    return np.array(acts), np.array(spikes), np.array(w1s), np.array(w2s)
