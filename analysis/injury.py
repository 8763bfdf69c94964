"""Temporary injury (Fig 4A-B): every weight is zeroed at step ``at`` and kept at zero for
``duration`` steps.  The plastic agent keeps its rule running and regrows its weights; the
weight-trained agent's weights are restored at ``at + duration``.

    pdlf analyze injury --run runs/ant_pdlf --baseline runs/ant_weights -o seeds=5

Per-step reward curves (mean and spread over seeds, all 8 training tasks per seed) and weight
snapshots (copy 0) at steps 0, at, at+1, at+duration, at+200, at+450: the weights the network left
after that step, before this analysis writes anything (step `at`: what the injury removes).
An episode that ends early (a body that falls) earns 0 from then on and counts so in the means; the
summary gives the fraction of episodes still running at the injury and at the end.
"""
from __future__ import annotations

import numpy as np

from .common import check_option, finish, load_agents, output_dir, progress, pyplot, rl_evaluator

NAME = "injury"


def injure(run, seeds=5, at=500, duration=50, steps=1000, snapshots=None, hooks=()):
    """Per-step mean reward over tasks, (seeds, steps); weight snapshots; and the largest |w| the
    network itself left (read before this analysis writes anything) just before the injury and after
    each injured step: a weight-trained net must leave zeros there, a plastic one only what its rule
    grew in one step from zero.  (Had a write not reached the network, these would show it.)  The values
    are the stored weights (raw where E6 is deferred: normalised ones times the last step's max).
    ``injury_held``, for a weight-trained net, is that verdict: True where it left only zeros in the window
    (False otherwise, or NaN).  A plastic net has none (None): what one rule step regrows from zero need
    not be below what it had grown before the injury (with ``at=1`` the two are the same growth).

    ``hooks``: more callables ``hook(t, batch)`` (:class:`pdlf_brian.closed_loop.EpisodeBatch`), run at every
    step after the injury's own, to record what the protocol does to the body (e.g. the torso's pose:
    ``scripts/rl_diagnosis/d10_injury_pose.py``).  Episode ``k`` of ``batch.envs`` is seed ``k // 8``,
    training task ``k % 8``."""
    snapshots = sorted(set(snapshots or [0, at, at + 1, at + duration, at + 200, at + 450]))
    ev = rl_evaluator(run, seeds, episode_steps=steps)
    net, batch = ev.network, ev.batch
    static = not run.plastic
    saved, snaps, left = {}, {}, {}

    def hook(t, b):
        views = {layer: syn.variables["w"].get_value() for layer, syn in net.synapses.items()}
        if t == at or at < t <= at + duration:   # what the last step left, before anything is written
            left[t] = float(np.max([np.abs(net.synapse_array(k)).max() for k in views]))  # NaN propagates
        if t in snapshots:   # before anything below writes: step `at` shows the weights the injury removes
            snaps[t] = {k: net.weights(k)[0, 0] for k in views}  # E6's weights (the stored ones are raw)
        if t == at and static:
            saved.update({k: v.copy() for k, v in views.items()})
        if at <= t < at + duration:
            for v in views.values():
                v[:] = 0.0
        if static and t == at + duration:
            for k, v in views.items():
                v[:] = saved[k]

    batch.hooks.append(hook)
    batch.hooks.extend(hooks)
    tasks = list(ev.train_tasks) if ev.train_tasks is not None else [None] * 8
    env_seeds = np.arange(seeds * 8).reshape(seeds, 8) + 1000
    returns, _ = ev.episode(np.repeat(run.centre[None], seeds, 0), tasks, env_seeds)
    rewards = np.array(batch.rewards_log).reshape(-1, seeds, 8)        # (T, seeds, tasks)
    per_step = np.zeros((seeds, steps))
    per_step[:, :len(rewards)] = rewards.mean(axis=2).T
    before = left.get(at, float("nan"))
    injured = [v for t, v in left.items() if t > at]   # none: every episode had ended before the injury
    after = float(np.max(injured)) if injured else float("nan")
    held = bool(after == 0.0) if static else None   # False for NaN; no exact verdict for a plastic net
    # an episode that has ended (a body that fell) earns 0 from there on, and these means count it: the
    # fractions of episodes still running say how much of a drop is falls rather than the injury
    check = {"max_abs_w_before": before, "max_abs_w_after_injured_steps": after, "injury_held": held,
             # (the weights are zeroed after step `at`: an episode that ended at that step was not injured)
             "running_at_injury": float(np.mean(batch.lengths > at)),
             "running_at_end": float(np.mean(batch.lengths >= steps))}
    return per_step, snaps, check, returns.mean(axis=1)


def run(run_dir, out_dir=None, baseline=None, seeds=5, at=500, duration=50, steps=1000):
    check_option(NAME, "seeds", seeds, seeds >= 1, "at least 1")
    check_option(NAME, "duration", duration, duration >= 1, "at least 1 step")
    check_option(NAME, "at", at, 1 <= at, "at least 1 (the step at which the weights are zeroed)")
    check_option(NAME, "steps", steps, steps > at + duration,
                 f"the episode must outlast the injury: more than at + duration = {at + duration} steps")
    out = out_dir or output_dir(run_dir, NAME)
    agents = load_agents(NAME, run_dir, baseline)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    rows, summary = [], {"at": at, "duration": duration, "steps": steps, "seeds": seeds, "agents": {}}
    for agent, colour in zip(agents, ["tab:red", "tab:blue"]):
        progress(f"injury: {agent.label}: {seeds} seeds x 8 tasks x {steps} steps")
        per_step, snaps, check, returns = injure(agent, seeds, at, duration, steps)
        m, sd = per_step.mean(0), per_step.std(0)
        for t in range(steps):
            rows.append({"agent": agent.label, "step": t + 1, "mean_reward": m[t], "sd": sd[t]})
        before = per_step[:, max(0, at - 100):at].mean()
        during = per_step[:, at:at + duration].mean()
        after = per_step[:, at + duration:].mean() if at + duration < steps else float("nan")
        summary["agents"][agent.label] = {"plastic": agent.plastic, "mean_return_per_seed": returns,
                                          "reward_before": before, "reward_during": during,
                                          "reward_after": after, **check}
        np.savez(out / f"weights_{'plastic' if agent.plastic else 'static'}.npz",
                 **{f"step{t}_{k}": v for t, d in snaps.items() for k, v in d.items()})
        ax.plot(np.arange(1, steps + 1), m, color=colour, lw=1, label=agent.label)
        ax.fill_between(np.arange(1, steps + 1), m - sd, m + sd, color=colour, alpha=0.2)
        if agent is agents[0]:
            plot_snapshots(plt, snaps, out / "weights.png", agent.label)
    ax.axvspan(at + 0.5, at + duration + 0.5, color="0.85", label="weights zeroed")  # steps at+1 .. at+duration
    return finish(plt, fig, out, "rewards.png", "rewards.csv", rows, summary, ax, "step", "reward (mean over tasks)")


def plot_snapshots(plt, snaps, path, title):
    """One row per layer (rows: presynaptic neuron, columns: postsynaptic neuron), one column per
    snapshot step; one symmetric colour scale per layer, with its colour bar."""
    steps = sorted(snaps)
    layers = list(next(iter(snaps.values())))
    fig, axes = plt.subplots(len(layers), len(steps), figsize=(1.7 * len(steps) + 1.2, 1.8 * len(layers)),
                             dpi=120, squeeze=False, layout="constrained")
    for r, layer in enumerate(layers):
        vmax = max(float(np.abs(snaps[t][layer]).max()) for t in steps) or 1.0
        for c, t in enumerate(steps):
            im = axes[r, c].imshow(snaps[t][layer], cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                                   interpolation="nearest")
            axes[r, c].set_xticks([]); axes[r, c].set_yticks([])
            if r == 0:
                axes[r, c].set_title(f"step {t}", fontsize=8)
            if r == len(layers) - 1:
                axes[r, c].set_xlabel("post", fontsize=7)
        axes[r, 0].set_ylabel(f"W {layer}\npre", fontsize=8)
        fig.colorbar(im, ax=axes[r].tolist(), label="w", fraction=0.03, pad=0.02)
    fig.suptitle(f"{title}: weights of seed 0 on the first training task", fontsize=8)
    fig.savefig(path)
    plt.close(fig)
