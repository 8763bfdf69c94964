"""Working-memory probes (Fig 2C-E), reference and biological models.

1. Weights after different sample sequences, as differences from the weights after the all-zero
   sequence (2C: the memory is in the weights); measured: mean |dW| per sequence and the
   correlation between weight distance and Hamming distance of the sequences.
2. Zeroing membranes, spikes and traces at every step of the delay (2D): recall accuracy with and
   without, for every agent given (the plastic run and ``--baseline``).
3. Serial-position curve: recall accuracy of each position of the sequence, intact and with the
   delay zeroed (which bits the memory holds: primacy, recency, or none).
4. With ``-o distractors=bits`` (or ``true``): recall when the bit channel carries random bits (a
   fresh +1 or -1 per delay step and sequence, flag, cue and position channels off) through the
   delay: is the memory held against irrelevant input, or only in silence?  ``-o distractors=position``
   adds a random position channel in each delay step (with position context): a stimulus like a
   sample's but without the flag.  The same distractors for every agent.
5. With ``-o delays=0,8,16,32`` (in stimuli; reference model: steps): recall of the same test
   sequences after each of those delays, the weights and rule unchanged: how long the memory lasts
   beyond the delay it was trained on (time in s for the biological model), for every agent given.
6. Activity per phase (2E): reference model: mean |spike| per step and mean |trace| during
   sample, delay and recall; biological model: hidden firing rates in Hz per phase (each stimulus
   lasts ``stimulus_ms``, 200 ms by default: a biological timescale).
Biological model: "zeroing" returns the hidden membranes to their initial state (the neuron
file's INITIAL) and sets the readout and every spike trace to zero at every time step of the delay:
the package's ``apre``/``apost`` and the rule's own (triplet's ``r2``/``o2``, bcm's ``pbar``).  The
weights are kept, and so is what a rule declares ``SYNAPTIC_STATE`` (stp's u and x: short-term
efficacy is a synaptic memory, the one the synaptic theory of working memory relies on).

    pdlf analyze wm-probe --run runs/wm_pdlf --baseline runs/wm_weights
    pdlf analyze wm-probe --run runs/bio8/len8_lat8_pdlf_channel_s1 -o delays=0,8,16,32,64
    pdlf analyze wm-probe --run runs/bio8/len8_lat8_pdlf_channel_s1 -o distractors=true
"""
from __future__ import annotations

import numpy as np

from .common import load_agents, output_dir, pyplot, write_csv, write_summary

NAME = "wm-probe"


def _network(run, n_copies, record, dt_hook=False):
    from pdlf_brian.evaluate import build_runtime_network
    from pdlf_brian.tasks.wm import CopyTask

    cfg = run.cfg
    if cfg.task != "wm":
        raise ValueError(f"{run.dir}: wm-probe needs a WM run")
    task = CopyTask.from_config(cfg)
    return task, build_runtime_network(cfg, task.n_in, task.n_out, 1, n_copies, task.n_steps,
                                       record=record, dt_hook=dt_hook)


DISTRACTORS = ("bits", "position")


def distractor_inputs(task, bits, rng, kind="bits"):
    """The task's inputs (T, n, channels) with random bits on the bit channel in every delay step: a
    fresh +1 or -1 per step and sequence, every other channel as the task has it there (off).
    ``kind="position"``: also one random position channel on per step and sequence (position context)."""
    if kind not in DISTRACTORS:
        raise ValueError(f"distractor kind {kind!r}: choose one of {', '.join(DISTRACTORS)}")
    if kind == "position" and task.context != "position":
        raise ValueError("position distractors need a task with position context (wm_context 'position')")
    x = task.inputs(bits)
    L, D, n = task.length, task.latency, x.shape[1]
    x[L:L + D, :, 0] = 2.0 * rng.integers(0, 2, (D, n)) - 1.0
    if kind == "position":
        k = rng.integers(0, L, (D, n))
        x[L + np.arange(D)[:, None], np.arange(n)[None, :], 3 + k] = 1.0
    return x


def recall(run, bits, zero_delay=False, distractors=None, kind="bits"):
    """Recall accuracy over the sequences and per serial position (Len,); with ``zero_delay`` the
    activity (membranes, spikes, traces, readout) is wiped at every time step of the delay; with
    ``distractors`` (a numpy Generator) distractors of ``kind`` are shown in the delay
    (:func:`distractor_inputs`)."""
    task, net = _network(run, len(bits), record=False, dt_hook=zero_delay)
    x = (task.inputs(bits) if distractors is None else distractor_inputs(task, bits, distractors, kind))[:, None]
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


def parse_delays(value) -> list[int]:
    """``-o delays=0,8,16`` (a string) or a JSON list -> sorted distinct non-negative integers."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else (list(value) if isinstance(value, (list, tuple)) else [value])
    try:
        numbers = [float(str(p).strip()) for p in parts]
    except ValueError:
        numbers = None
    if not numbers or any(not np.isfinite(n) or n != int(n) or n < 0 for n in numbers):
        raise ValueError(f"wm-probe option delays={value!r}: expected delays in stimuli (reference model: steps), "
                         "non-negative integers, e.g. -o delays=0,8,16,32")
    return sorted({int(n) for n in numbers})


def _scores(task, readout, bits):
    """readout (T, sequences) -> (accuracy, accuracy per serial position)."""
    acc, _ = task.score(readout[:, None, :], bits)
    per_position = (task.answers(readout) == (task.targets(bits) == 1)).mean(axis=1)
    return float(acc[0]), per_position


def _trajectory_monitors(net, n_per_layer=3, dt_ms=5.0):
    """Monitors of a few synapses of every layer of copy 1 (biological model: every 5 ms)."""
    from brian2 import StateMonitor, ms
    mons = {}
    for l in net.layout.layers:
        first = 1 * l.n_pre * l.n_post  # copy 1 (copy 0 sees the all-zero sequence)
        idx = first + np.linspace(0, l.n_pre * l.n_post - 1, n_per_layer).astype(int)
        dt = dt_ms * ms if net.model == "bio" else net.step
        mons[l.name] = (StateMonitor(net.synapses[l.name], "w", record=idx, dt=dt, when="end",
                                     name=f"{net.name}_traj_{l.name}"), idx - first, l)
        net.net.add(mons[l.name][0])
    return mons


def run(run_dir, out_dir=None, baseline=None, sequences=256, examples=6, seed=0, delays=None, distractors=False):
    import dataclasses

    from .common import progress
    sweep = parse_delays(delays)   # bad input before anything is built
    if distractors is True:
        distractors = "bits"
    if distractors is not False and distractors not in DISTRACTORS:
        raise ValueError(f"wm-probe option distractors={distractors!r}: expected false, true, "
                         + " or ".join(DISTRACTORS))
    agents = load_agents(NAME, run_dir, baseline)
    for agent in agents:
        if agent.cfg.hold != 1:
            # the probes index the schedule one step per stimulus (sample, delay and recall phases)
            raise ValueError(f"wm-probe reads one step per stimulus; {agent.dir} holds each stimulus for "
                             f"{agent.cfg.hold} steps (config key 'hold')")
    for agent in agents if distractors == "position" else []:
        if agent.cfg.wm_context != "position":
            raise ValueError(f"wm-probe option distractors=position: {agent.dir} has no position context "
                             f"(wm_context {agent.cfg.wm_context!r})")
    out = out_dir or output_dir(run_dir, NAME)
    rng = np.random.default_rng(seed)
    plastic = agents[0]
    bio = plastic.cfg.model == "bio"
    progress(f"wm-probe: recording {examples} example sequences (and the all-zero one)")
    task, net = _network(plastic, examples + 1, record=True)
    traj = _trajectory_monitors(net)
    bits = np.vstack([np.zeros((1, task.length), dtype=int), rng.integers(0, 2, (examples, task.length))])
    readout = net.run_open_loop(plastic.centre[None], task.inputs(bits)[:, None], np.random.default_rng(0))
    L, D = task.length, task.latency
    end_sample, end_delay = L - 1, L + D - 1                  # last step of the sample, of the delay
    rec = net.recorded()
    w = {k: v[end_delay, 0] for k, v in rec.items() if k.startswith("w_")}   # (B, n_pre, n_post)
    diffs = {k: v[1:] - v[:1] for k, v in w.items()}
    flat = np.concatenate([d.reshape(examples, -1) for d in diffs.values()], axis=1)
    wdist = np.linalg.norm(flat[:, None] - flat[None], axis=2)
    hdist = (bits[1:, None] != bits[None, 1:]).sum(axis=2)
    iu = np.triu_indices(examples, 1)
    corr = float(np.corrcoef(wdist[iu], hdist[iu])[0, 1]) if examples > 2 and wdist[iu].std() > 0 else None
    plt = pyplot()
    step_ms = float(net.step / _ms()) if bio else 1.0
    unit = "ms" if bio else "steps"
    wlabel = "w (dimensionless)" if bio else "w (E6-normalised, dimensionless)"

    # 1. weights of every layer at the end of the sample and of the delay (copy 1), with colour bars
    layers = [k for k in rec if k.startswith("w_")]
    fig, axes = plt.subplots(2, len(layers), figsize=(4 * len(layers), 6.4), dpi=120, squeeze=False)
    for col, key in enumerate(layers):
        for row, (when, t) in enumerate((("end of the sample", end_sample), ("end of the delay", end_delay))):
            m = rec[key][t, 0, 1]
            vmax = np.abs(rec[key][[end_sample, end_delay], 0, 1]).max() or 1.0
            im = axes[row, col].imshow(m.T, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                                       interpolation="nearest")
            axes[row, col].set_xlabel("presynaptic neuron" + (" (input: 2 per channel, +/-)" if bio and key == "w_in"
                                                              else ""), fontsize=9)
            axes[row, col].set_ylabel("postsynaptic neuron", fontsize=9)
            if m.shape[1] <= 8:  # integer ticks for a small layer (the readout)
                axes[row, col].set_yticks(range(m.shape[1]))
            axes[row, col].set_title(f"{key[2:]} layer, {when} (t = {(t + 1) * step_ms:g} {unit})", fontsize=9)
            fig.colorbar(im, ax=axes[row, col]).set_label(wlabel, fontsize=8)
    fig.suptitle(f"weights after the sequence {''.join(map(str, bits[1]))}", fontsize=10)
    fig.tight_layout(); fig.savefig(out / "weights_by_layer.png"); plt.close(fig)
    # every plastic layer's weights at the end of the delay minus those after the all-zero sequence: one
    # row per layer (one colour scale each), one column per example sequence
    fig, axes = plt.subplots(len(layers), examples, figsize=(max(2.1 * examples + 1.2, 4.8), 2.4 * len(layers) + 0.4),
                             dpi=120, squeeze=False, sharey="row", layout="constrained")
    for row, key in enumerate(layers):
        vmax = np.abs(diffs[key]).max() or 1.0
        for k in range(examples):
            ax = axes[row, k]
            im = ax.imshow(diffs[key][k].T, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                           interpolation="nearest")
            if row == 0:
                ax.set_title("".join(map(str, bits[k + 1])), fontsize=8)
            ax.set_xlabel("presynaptic neuron" + ("\n(2 per channel, +/-)" if bio and key == "w_in" else ""),
                          fontsize=7)
            ax.tick_params(labelsize=7)
            if diffs[key].shape[2] <= 8:   # integer ticks for a small layer (the readout)
                ax.set_yticks(range(diffs[key].shape[2]))
            if diffs[key].shape[1] <= 8:   # and for a small input
                ax.set_xticks(range(diffs[key].shape[1]))
        axes[row, 0].set_ylabel(f"{key[2:]} layer\npostsynaptic neuron", fontsize=8)
        cb = fig.colorbar(im, ax=list(axes[row]), shrink=0.9)
        cb.set_label("\u0394w (dimensionless)", fontsize=7)
        cb.ax.tick_params(labelsize=7)
        cb.ax.yaxis.get_offset_text().set_fontsize(7)
    fig.suptitle(f"\u0394w: {'E6-normalised ' if not bio else ''}weights at the end of the delay "
                 f"(t = {(end_delay + 1) * step_ms:g} {unit})\nafter each sequence minus those after {'0' * task.length}",
                 fontsize=8)
    fig.savefig(out / "weights.png"); plt.close(fig)

    # 2. the trajectory of a few synapses over the trial (time in s for the biological model)
    fig, axes = plt.subplots(1, len(traj), figsize=(4 * len(traj), 3), dpi=120, squeeze=False)
    for col, (name, (mon, idx, l)) in enumerate(traj.items()):
        t = np.asarray(mon.t / _ms()) / (1000.0 if bio else 1.0)
        values = np.asarray(mon.w)
        divisor = net.recorded_divisor(name)   # the reference model stores raw weights (E6 deferred)
        if divisor is not None:   # copy 1's divisor: one per copy, or one per post neuron (normalise='post')
            per_copy = divisor.shape[1] // net.N
            which = per_copy + (idx % l.n_post if per_copy > 1 else np.zeros_like(idx))
            values = values / divisor[:len(t), which].T
        for k, v in zip(idx, values):
            axes[0, col].plot(t, v, lw=1, label=f"{name}[{k // l.n_post},{k % l.n_post}]")
        for edge in (L, L + D):
            axes[0, col].axvline(edge * step_ms / (1000.0 if bio else 1.0), color="k", ls=":", lw=0.8)
        axes[0, col].set_xlabel("time (s)" if bio else "time (steps)")
        axes[0, col].set_ylabel("w (dimensionless)")
        axes[0, col].set_title(f"{name} layer: sample | delay | recall", fontsize=9)
        axes[0, col].legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out / "synapse_trajectories.png"); plt.close(fig)

    # 3. activity per phase: raster (time in ms) and rates in Hz (biological model)
    phases = {"sample": slice(0, L), "delay": slice(L, L + D), "recall": slice(L + D, task.n_steps)}
    if bio:
        spikes = net.monitors["hidden_spikes"]
        t_ms, idx = np.asarray(spikes.t / _ms()), np.asarray(spikes.i)
        n = net.N * net.n_hidden
        activity = {ph: {"rate_hz": float(((t_ms >= sl.start * step_ms) & (t_ms < sl.stop * step_ms)).sum()
                                            / n / ((sl.stop - sl.start) * step_ms / 1000.0))
                         if sl.stop > sl.start else None, "phase_ms": [sl.start * step_ms, sl.stop * step_ms]}
                    for ph, sl in phases.items()}
        inp = net.monitors["input_spikes"]
        ti, ii = np.asarray(inp.t / _ms()), np.asarray(inp.i)
        fig, axes = plt.subplots(3, 1, figsize=(9, 7 + net.n_in / 8), dpi=120, sharex=True,
                                 gridspec_kw={"height_ratios": [1 + net.n_in / 6, 2.5, 1.2]})
        own_in = (ii >= 2 * net.n_in) & (ii < 4 * net.n_in)           # copy 1's input neurons
        axes[0].plot(ti[own_in], ii[own_in] - 2 * net.n_in, "|", ms=4, color="tab:green")
        axes[0].set_ylabel("input neuron"); axes[0].set_yticks(range(2 * net.n_in))
        axes[0].set_yticklabels([f"{c}{s}" for c in task.channel_names for s in ("+", "-")], fontsize=7)
        own = (idx >= net.n_hidden) & (idx < 2 * net.n_hidden)
        axes[1].plot(t_ms[own], idx[own] - net.n_hidden, "|", ms=3, color="k")
        axes[1].set_ylabel("hidden neuron")
        y = readout[:, 0, 1, 0]
        axes[2].plot((np.arange(task.n_steps) + 1) * step_ms, y, "o-", ms=3, lw=1, color="tab:red")
        axes[2].axhline(task.threshold, color="k", lw=0.5, ls="--", label="decision threshold")
        axes[2].legend(fontsize=7, loc="upper right")
        axes[2].set_ylabel("readout y\n(end of each stimulus)")
        axes[2].set_xlabel("time (ms)")
        for ax in axes:
            for ph, sl, colour in (("sample", phases["sample"], "tab:blue"), ("recall", phases["recall"], "tab:orange")):
                ax.axvspan(sl.start * step_ms, sl.stop * step_ms, color=colour, alpha=0.08)
        axes[0].set_title(f"copy 1, sequence {''.join(map(str, bits[1]))}: sample (blue), delay "
                          f"({D * step_ms:g} ms), recall (orange)", fontsize=9)
        fig.tight_layout(); fig.savefig(out / "raster.png"); plt.close(fig)
        fig, ax = plt.subplots(figsize=(4.5, 3.2), dpi=120)
        names = list(activity)
        ax.bar(names, [activity[k]["rate_hz"] or 0.0 for k in names], color=["tab:blue", "0.5", "tab:orange"])
        ax.set_ylabel("hidden firing rate (Hz)"); ax.set_xlabel("phase")
        ax.set_title(f"mean over {net.N} copies x {net.n_hidden} neurons", fontsize=8)
        fig.tight_layout(); fig.savefig(out / "rates.png"); plt.close(fig)
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
        progress(f"wm-probe: {agent.label}: recall of {sequences} sequences, intact and with the delay wiped")
        (a, pos_a), (z, pos_z) = recall(agent, test_bits), recall(agent, test_bits, zero_delay=True)
        zeroing[agent.label] = {"plastic": agent.plastic, "accuracy": a, "accuracy_zeroed_delay": z,
                                "per_position": pos_a, "per_position_zeroed_delay": pos_z}
        rows.append({"agent": agent.label, "accuracy": a, "accuracy_zeroed_delay": z})
        conditions = [("intact", pos_a), ("zeroed delay", pos_z)]
        if distractors:
            progress(f"wm-probe: {agent.label}: recall of {sequences} sequences with random {distractors} "
                     "shown in the delay")
            d, pos_d = recall(agent, test_bits, distractors=np.random.default_rng([seed, 1]), kind=distractors)
            zeroing[agent.label].update(accuracy_distractors=d, per_position_distractors=pos_d)
            rows[-1]["accuracy_distractors"] = d
            conditions.append(("distractors in the delay", pos_d))
        positions += [{"agent": agent.label, "condition": cond, "position": k, "accuracy": float(v)}
                      for cond, pos in conditions for k, v in enumerate(pos)]
    write_csv(out / "zeroing.csv", rows)
    write_csv(out / "serial_position.csv", positions)
    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=120)
    for agent, colour in zip(agents, ["tab:red", "tab:blue"]):
        z = zeroing[agent.label]
        ax.plot(z["per_position"], "o-", color=colour, label=f"{agent.label}")
        ax.plot(z["per_position_zeroed_delay"], "o:", color=colour, label=f"{agent.label}, delay wiped")
        if distractors:
            ax.plot(z["per_position_distractors"], "s--", ms=3, color=colour, label=f"{agent.label}, distractors")
    ax.axhline(0.5, color="k", ls=":", lw=1)
    ax.set_xlabel("serial position (recall step)"); ax.set_ylabel("recall accuracy")
    ax.set_ylim(0.3, 1.02); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out / "serial_position.png"); plt.close(fig)
    fig, ax = plt.subplots(figsize=(4, 3), dpi=120)
    xs = np.arange(len(rows))
    bars = [("accuracy", "intact"), ("accuracy_zeroed_delay", "activity wiped in the delay")] + (
        [("accuracy_distractors", f"random {distractors} shown in the delay")] if distractors else [])
    width = 0.8 / len(bars)
    for k, (key, label) in enumerate(bars):
        ax.bar(xs + (k - (len(bars) - 1) / 2) * width, [r[key] for r in rows], width, label=label)
    ax.axhline(0.5, color="k", ls=":", lw=1)
    ax.set_xticks(xs, [r["agent"] for r in rows], fontsize=6)
    ax.set_ylabel("recall accuracy"); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(out / "zeroing.png"); plt.close(fig)

    # 5. recall after delays other than the trained one (the same sequences, weights start as trained)
    delay_sweep, delay_rows = {}, []
    for agent in agents if sweep else []:
        delay_sweep[agent.label] = {}
        agent_ms = agent.cfg.stimulus_ms if agent.cfg.model == "bio" else None   # each agent's own settings
        for delay in sweep:
            progress(f"wm-probe: {agent.label}: recall of {sequences} sequences after a delay of {delay} "
                     + (f"stimuli ({delay * agent_ms / 1000:g} s)" if agent_ms else "steps"))
            moved = dataclasses.replace(agent, cfg=dataclasses.replace(agent.cfg, latency=delay))
            acc = recall(moved, test_bits)[0]   # the trained delay too: it must equal the intact accuracy
            delay_sweep[agent.label][delay] = acc
            delay_rows.append({"agent": agent.label, "delay_stimuli": delay,
                               "delay_ms": delay * agent_ms if agent_ms else None,
                               "trained_delay": delay == agent.cfg.latency, "accuracy": acc})
    if sweep:
        write_csv(out / "delays.csv", delay_rows)
        fig, ax = plt.subplots(figsize=(4.8, 3.2), dpi=120)
        for agent, colour in zip(agents, ["tab:red", "tab:blue"]):   # each agent's own stimulus length
            own = [r for r in delay_rows if r["agent"] == agent.label]
            ax.plot([r["delay_ms"] / 1000.0 if bio else r["delay_stimuli"] for r in own],
                    [r["accuracy"] for r in own], "o-", color=colour, label=agent.label)
        ax.axvline(task.latency * (step_ms / 1000.0 if bio else 1.0), color="0.4", ls="--", lw=1,
                   label="trained delay")
        ax.axhline(0.5, color="k", ls=":", lw=1, label="chance")
        ax.set_xlabel("delay (s)" if bio else "delay (steps)"); ax.set_ylabel("recall accuracy")
        ax.set_ylim(0.3, 1.02); ax.legend(fontsize=6)
        ax.set_title(f"{sequences} sequences of length {task.length}", fontsize=8)
        fig.tight_layout(); fig.savefig(out / "delays.png"); plt.close(fig)
    return write_summary(out, {"examples": bits[1:].tolist(), "mean_abs_weight_difference":
                               {k: np.abs(d).mean(axis=(1, 2)) for k, d in diffs.items()},
                               "weight_vs_hamming_correlation": corr, "zeroing": zeroing,
                               "activity_per_phase": activity, "sequences": sequences,
                               "delay_sweep": delay_sweep, "distractors": distractors or None,
                               "figures": ["weights_by_layer.png", "weights.png", "synapse_trajectories.png",
                                           "serial_position.png", "zeroing.png"]
                               + (["raster.png", "rates.png"] if bio else []) + (["delays.png"] if sweep else [])})


def _ms():
    from brian2 import ms
    return ms
