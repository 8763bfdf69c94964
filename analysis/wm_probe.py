"""Working-memory probes (Fig 2C-E), reference and biological models.

1. Weights after different sample sequences, as differences from the weights after the all-zero
   sequence (2C: the memory is in the weights); measured: mean |dW| per sequence and the
   correlation between weight distance and Hamming distance of the sequences.
2. Zeroing membranes, spikes and traces at every step of the delay (2D): recall accuracy with and
   without, for every agent given (the plastic run and ``--baseline``).
3. Serial-position curve: recall accuracy of each position of the sequence, intact and with the
   delay zeroed (which bits the memory holds: primacy, recency, or none).
4. Activity per phase (2E): reference model: mean |spike| per step and mean |trace| during
   sample, delay and recall; biological model: hidden firing rates in Hz per phase (each stimulus
   lasts ``stimulus_ms``, 200 ms by default: a biological timescale).
Biological model: "zeroing" sets the hidden membranes, the readout and every synaptic trace to
zero at every time step of the delay.

    pdlf analyze wm-probe --run runs/wm_pdlf --baseline runs/wm_weights
"""
from __future__ import annotations

import numpy as np

from .common import load_run, output_dir, pyplot, write_csv, write_summary

NAME = "wm-probe"


def _network(run, n_copies, record, dt_hook=False):
    from pdlf_brian.evaluate import build_runtime_network
    from pdlf_brian.tasks.wm import CopyTask

    cfg = run.cfg
    if cfg.task != "wm":
        raise ValueError(f"{run.dir}: wm-probe needs a WM run")
    task = CopyTask(cfg.length, cfg.latency)
    return task, build_runtime_network(cfg, task.n_in, task.n_out, 1, n_copies, task.n_steps,
                                       record=record, dt_hook=dt_hook)


def recall(run, bits, zero_delay=False):
    """Recall accuracy over the sequences and per serial position (Len,); with ``zero_delay`` the
    activity (membranes, spikes, traces, readout) is wiped at every time step of the delay."""
    task, net = _network(run, len(bits), record=False, dt_hook=zero_delay)
    x = task.inputs(bits)[:, None]                           # (T, 1, B, 3)
    if zero_delay:
        L, D = task.length, task.latency
        if run.cfg.model == "bio":  # every time step of the delay
            lo, hi = L * net.step, (L + D) * net.step
            active = lambda t: lo <= t < hi  # noqa: E731
        else:  # after steps L-1 .. L+D-1: the delay steps and the first recall step start from zero
            lo, hi = (L - 1) * net.step, (L + D) * net.step
            active = lambda t: lo <= t < hi  # noqa: E731

        def wipe():
            if active(net.net.t):
                net.wipe_activity()
        net.set_dt_hook(wipe)
    readout = net.run_open_loop(run.centre[None], x, np.random.default_rng(0))[:, 0, :, 0]
    return _scores(task, readout, bits)


def _scores(task, readout, bits):
    """readout (T, sequences) -> (accuracy, accuracy per serial position)."""
    acc, _ = task.score(readout[:, None, :], bits)
    per_position = ((readout[task.recall] > 0) == (task.targets(bits) == 1)).mean(axis=1)
    return float(acc[0]), per_position


def run(run_dir, out_dir=None, baseline=None, sequences=256, examples=6, seed=0):
    out = out_dir or output_dir(run_dir, NAME)
    agents = [load_run(run_dir)] + ([load_run(baseline)] if baseline else [])
    rng = np.random.default_rng(seed)
    plastic = agents[0]
    task, net = _network(plastic, examples + 1, record=True)
    bits = np.vstack([np.zeros((1, task.length), dtype=int), rng.integers(0, 2, (examples, task.length))])
    net.run_open_loop(plastic.centre[None], task.inputs(bits)[:, None], np.random.default_rng(0))
    end_delay = task.length + task.latency - 1                # last step before the recall cue
    bio = plastic.cfg.model == "bio"
    rec = net.recorded()
    w = {k: v[end_delay, 0] for k, v in rec.items() if k.startswith("w_")}   # (B, n_pre, n_post)
    diffs = {k: v[1:] - v[:1] for k, v in w.items()}
    flat = np.concatenate([d.reshape(examples, -1) for d in diffs.values()], axis=1)
    wdist = np.linalg.norm(flat[:, None] - flat[None], axis=2)
    hdist = (bits[1:, None] != bits[None, 1:]).sum(axis=2)
    iu = np.triu_indices(examples, 1)
    corr = float(np.corrcoef(wdist[iu], hdist[iu])[0, 1]) if examples > 2 and wdist[iu].std() > 0 else None
    plt = pyplot()
    layer = "w_in"
    fig, axes = plt.subplots(1, examples, figsize=(1.8 * examples, 2.2), dpi=120, squeeze=False)
    vmax = np.abs(diffs[layer]).max() or 1.0
    for k in range(examples):
        axes[0, k].imshow(diffs[layer][k], cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
        axes[0, k].set_title("".join(map(str, bits[k + 1])), fontsize=7)
        axes[0, k].set_xticks([]); axes[0, k].set_yticks([])
    fig.suptitle("W_in at the end of the delay minus W_in after 00000000", fontsize=8)
    fig.tight_layout(); fig.savefig(out / "weights.png"); plt.close(fig)
    # activity per phase (copy 1..)
    L, D = task.length, task.latency
    phases = {"sample": slice(0, L), "delay": slice(L, L + D), "recall": slice(L + D, task.n_steps)}
    if bio:
        spikes = net.monitors["hidden_spikes"]
        from brian2 import ms
        t_ms = np.asarray(spikes.t / ms)
        step_ms = float(net.step / ms)
        n = net.N * net.n_hidden
        activity = {ph: {"rate_hz": float(((t_ms >= sl.start * step_ms) & (t_ms < sl.stop * step_ms)).sum()
                                            / n / ((sl.stop - sl.start) * step_ms / 1000.0))
                         if sl.stop > sl.start else None, "phase_ms": [sl.start * step_ms, sl.stop * step_ms]}
                    for ph, sl in phases.items()}
    else:
        activity = {ph: {"spike_rate": float(np.abs(rec["s"][sl]).mean()) if sl.stop > sl.start else None,
                         "trace": float(np.abs(rec["tr"][sl]).mean()) if sl.stop > sl.start else None}
                    for ph, sl in phases.items()}
    del net, rec
    import gc
    gc.collect()
    test_bits = rng.integers(0, 2, (sequences, task.length))
    zeroing, rows, positions = {}, [], []
    for agent in agents:
        (a, pos_a), (z, pos_z) = recall(agent, test_bits), recall(agent, test_bits, zero_delay=True)
        zeroing[agent.label] = {"plastic": agent.plastic, "accuracy": a, "accuracy_zeroed_delay": z,
                                "per_position": pos_a, "per_position_zeroed_delay": pos_z}
        rows.append({"agent": agent.label, "accuracy": a, "accuracy_zeroed_delay": z})
        positions += [{"agent": agent.label, "condition": cond, "position": k, "accuracy": float(v)}
                      for cond, pos in (("intact", pos_a), ("zeroed delay", pos_z)) for k, v in enumerate(pos)]
    write_csv(out / "zeroing.csv", rows)
    write_csv(out / "serial_position.csv", positions)
    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=120)
    for agent, colour in zip(agents, ["tab:red", "tab:blue"]):
        z = zeroing[agent.label]
        ax.plot(z["per_position"], "o-", color=colour, label=f"{agent.label}")
        ax.plot(z["per_position_zeroed_delay"], "o:", color=colour, label=f"{agent.label}, delay zeroed")
    ax.axhline(0.5, color="k", ls=":", lw=1)
    ax.set_xlabel("serial position (recall step)"); ax.set_ylabel("recall accuracy")
    ax.set_ylim(0.3, 1.02); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out / "serial_position.png"); plt.close(fig)
    fig, ax = plt.subplots(figsize=(4, 3), dpi=120)
    xs = np.arange(len(rows))
    ax.bar(xs - 0.2, [r["accuracy"] for r in rows], 0.4, label="intact")
    ax.bar(xs + 0.2, [r["accuracy_zeroed_delay"] for r in rows], 0.4, label="membranes/traces zeroed in delay")
    ax.axhline(0.5, color="k", ls=":", lw=1)
    ax.set_xticks(xs, [r["agent"] for r in rows], fontsize=6)
    ax.set_ylabel("recall accuracy"); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out / "zeroing.png"); plt.close(fig)
    return write_summary(out, {"examples": bits[1:].tolist(), "mean_abs_weight_difference":
                               {k: np.abs(d).mean(axis=(1, 2)) for k, d in diffs.items()},
                               "weight_vs_hamming_correlation": corr, "zeroing": zeroing,
                               "activity_per_phase": activity, "sequences": sequences})
