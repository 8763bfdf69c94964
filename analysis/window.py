"""Pair-timing plasticity windows (Fig. 3E-F).

``analytic_window_*`` give the closed forms; ``simulated_window_bio`` measures
the biological rule's window by simulating spike pairs in Brian2.
"""
from __future__ import annotations

import numpy as np


def analytic_window_reference(eta, A, B, C, D, dt_steps):
    """E5's pair view (docs/method.md), dt = t_pre - t_post in steps, trace constant 1/e."""
    dt = np.asarray(dt_steps, dtype=float)
    return np.where(dt < 0, eta * (-A * C * np.exp(dt / np.e) + D),
                    eta * ((A + B) * np.exp(-dt / np.e) + D))


def analytic_window_bio(eta, A, B, C, delta_ms, tau_pre_ms=20.0, tau_post_ms=20.0):
    """Biological SCP+PDP, one pair, Delta = t_post - t_pre in ms, drift excluded."""
    d = np.asarray(delta_ms, dtype=float)
    coincidence = np.where(d > 0, np.exp(-d / tau_pre_ms), np.exp(d / tau_post_ms))
    return eta * (B - A * C + A * coincidence)


def simulated_window_bio(rule, coefficients, delta_ms, namespace=None):
    """The same window measured in Brian2 with the package's synapse code."""
    from pdlf_brian.spike_pairs import pair_weight_change

    return pair_weight_change(rule, coefficients, delta_ms, namespace=namespace)


def _edges(centres):
    """Cell edges around sorted centres (midpoints; the outer cells as wide as their neighbours)."""
    c = np.asarray(centres, dtype=float)
    if len(c) == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate(([c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]))


# ---------------------------------------------------------------- the analysis (pdlf analyze window)
NAME = "window"


def _synapse_coefficients(layout, centres, layer, i, j):
    """(G, n_coef) coefficient values of synapse (i, j) of ``layer`` for every generation's centre."""
    decoded = layout.decode(np.asarray(centres, dtype=float))
    l = layout.layer(layer)
    names = list(decoded[layer])
    out = np.zeros((len(centres), len(names)))
    for k, c in enumerate(names):
        full = np.broadcast_to(decoded[layer][c], (len(centres), l.n_pre, l.n_post))
        out[:, k] = full[:, i, j]
    return names, out


def run(run_dir, out_dir=None, layer="in", synapse=None, generations=None, span=10):
    """Coefficients of one synapse over generations and its pair-timing window (heat map + curves).

    Reference model: docs/method.md's pair view of E5 (dt = t_pre - t_post in steps, -span..span).
    Biological model: measured by simulating spike pairs in Brian2 (and the closed form beside it
    for scp/pdp rules), Delta = t_post - t_pre in ms, -5 span .. 5 span.
    """
    from .common import check_option, load_run, output_dir, pyplot, write_csv, write_summary
    from pdlf_brian.evaluate import layout_for
    from pdlf_brian.rules import load_rule

    check_option(NAME, "span", span, isinstance(span, int) and span >= 1, "an integer >= 1")
    check_option(NAME, "layer", layer, isinstance(layer, str), "a layer name (in, rec, out)")
    r = load_run(run_dir)
    out = out_dir or output_dir(run_dir, NAME)
    layout = layout_for(r.cfg)
    rule = load_rule(r.cfg.rule)
    if not rule.plastic:
        raise ValueError(f"{r.dir}: rule '{rule.name}' is not plastic: it has no window")
    from pdlf_brian.rundir import load_array
    centres = load_array(r.dir / "centres.npy")
    l = next((x for x in layout.layers if x.name == layer), None)
    if l is None:
        raise ValueError(f"layer {layer!r} not in this run; choose one of {[x.name for x in layout.layers]}")
    check_option(NAME, "synapse", synapse, synapse is None or (
        isinstance(synapse, (list, tuple)) and len(synapse) == 2 and all(isinstance(v, int) for v in synapse)
        and 0 <= synapse[0] < l.n_pre and 0 <= synapse[1] < l.n_post),
        f"[pre, post] indices of layer {layer!r}, within [0, {l.n_pre}) x [0, {l.n_post})")
    G = len(centres)
    if isinstance(generations, int) and not isinstance(generations, bool):
        generations = [generations]
    check_option(NAME, "generations", generations, generations is None or (
        isinstance(generations, (list, tuple)) and len(generations) > 0
        and all(isinstance(g, int) and not isinstance(g, bool) and 0 <= g < G for g in generations)),
        f"generation numbers in [0, {G}) (this run has {G} generations)")
    if synapse is None:  # the synapse whose final eta (or first coefficient) is largest in magnitude
        names, last = _synapse_coefficients(layout, centres[-1:], layer, 0, 0)
        full = np.broadcast_to(layout.decode(centres[-1:].astype(float))[layer][names[0]], (1, l.n_pre, l.n_post))[0]
        synapse = np.unravel_index(np.argmax(np.abs(full)), full.shape)
    i, j = (int(v) for v in synapse)
    names, coefs = _synapse_coefficients(layout, centres, layer, i, j)
    write_csv(out / "coefficients.csv", [{"generation": g, **dict(zip(names, coefs[g]))} for g in range(G)])
    bio = r.cfg.model == "bio"
    if bio:
        dts = np.linspace(-5 * span, 5 * span, 21)
        dts = dts[dts != 0]
    else:
        dts = np.arange(-span, span + 1)
    picks = sorted(set(generations or [0, G // 4, G // 2, 3 * G // 4, G - 1]))
    heat_rows = sorted(set(range(0, G, max(1, G // 40))) | {G - 1})   # the last generation once
    window = {}
    for g in sorted(set(heat_rows) | set(picks)):
        c = dict(zip(names, coefs[g]))
        if bio:
            from pdlf_brian.spike_pairs import pair_weight_change
            window[g] = pair_weight_change(rule, c, dts)
        else:
            full = {k: c.get(k, 0.0) for k in ("eta", "A", "B", "C", "D")}
            if set(names) - set(full):
                raise ValueError(f"rule '{rule.name}': the reference pair view is defined for the E5 family "
                                 f"(eta, A, B, C, D), not for {names}")
            window[g] = analytic_window_reference(full["eta"], full["A"], full["B"], full["C"], full["D"], dts)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), dpi=120)
    for k, n in enumerate(names):
        axes[0].plot(coefs[:, k], lw=1, label=n)
    axes[0].set_xlabel("generation"); axes[0].set_ylabel("coefficient"); axes[0].legend(fontsize=7)
    axes[0].set_title(f"synapse {layer}[{i},{j}]", fontsize=8)
    H = np.array([window[g] for g in heat_rows])
    vmax = float(np.abs(H).max()) or 1.0
    # cells at the generations actually computed (the rows need not be evenly spaced)
    mesh = axes[1].pcolormesh(_edges(dts), _edges(np.array(heat_rows, dtype=float)), H, cmap="RdBu_r",
                              vmin=-vmax, vmax=vmax, shading="flat")
    fig.colorbar(mesh, ax=axes[1], label="dw per pair")
    unit = "t_post - t_pre (ms; simulated in Brian2)" if bio else "t_pre - t_post (steps)"
    axes[1].set_xlabel(unit); axes[1].set_ylabel("generation"); axes[1].set_title("window over generations", fontsize=8)
    for g in picks:
        axes[2].plot(dts, window[g], marker=".", lw=1, label=f"gen {g}")
    axes[2].axhline(0, color="k", lw=0.5); axes[2].set_xlabel(unit); axes[2].set_ylabel("dw per pair")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "window.png")
    plt.close(fig)
    write_csv(out / "window.csv", [{"generation": g, "dt": float(d), "dw": float(w)}
                                   for g in picks for d, w in zip(dts, window[g])])
    return write_summary(out, {"layer": layer, "synapse": [i, j], "coefficients": names, "generations": G,
                               "model": r.cfg.model, "measured_by": "Brian2 spike-pair simulation" if bio
                               else "E5 pair view (docs/method.md)", "window_at": {g: window[g] for g in picks},
                               "dt": dts})
