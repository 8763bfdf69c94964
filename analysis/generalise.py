"""Generalisation (Fig 5A): returns on the 8 training tasks, the 8 unseen midpoints and a sweep of
the task range; polar plots for direction tasks; the ratio unseen / seen for every agent.
Task values beyond the training values' span are marked as extrapolation.

    pdlf analyze generalise --run runs/ant_pdlf --baseline runs/ant_weights -o sweep=72

Environments without a task value (fetch, ur5e) are not supported here: their targets are random.
"""
from __future__ import annotations

import numpy as np

from .common import check_option, load_agents, output_dir, progress, pyplot, rl_evaluator, write_csv, write_summary

NAME = "generalise"


def returns_on(ev, genome, values, seed=3000):
    """Mean return of one genome on each task value (8 at a time, one episode each)."""
    out = []
    for i in range(0, len(values), 8):
        chunk = list(values[i:i + 8])
        filled = (chunk + [chunk[0]] * 8)[:8]
        r, _ = ev.episode(genome[None], filled, np.arange(8) + seed + i)
        out += list(r[0, :len(chunk)])
    return np.array(out)


def run(run_dir, out_dir=None, baseline=None, sweep=72, steps=None):
    check_option(NAME, "sweep", sweep, sweep >= 1, "at least 1 task value")
    check_option(NAME, "steps", steps, steps is None or (isinstance(steps, int) and steps >= 1),
                 "a number of steps >= 1 (omit it for the run's episode length)")
    out = out_dir or output_dir(run_dir, NAME)
    agents = load_agents(NAME, run_dir, baseline, same_episodes=steps is None)
    rows, summary = [], {"agents": {}}
    plt = pyplot()
    curves = {}
    for agent in agents:
        ev = rl_evaluator(agent, 1, episode_steps=steps)
        if ev.train_tasks is None:
            raise ValueError(f"{agent.cfg.task} has no task value (random targets): generalise needs "
                             "ant_dir, swimmer_dir, halfcheetah_vel or hopper_vel")
        cls = ev.env_class
        seen, unseen, swept = cls.train_tasks(), cls.unseen_tasks(), cls.sweep(sweep)
        assert not np.any(np.isclose(seen[:, None], unseen[None, :])), "unseen tasks must differ from seen"
        progress(f"generalise: {agent.label}: {len(seen) + len(unseen) + len(swept)} task values")
        r_seen, r_unseen, r_sweep = (returns_on(ev, agent.centre, v) for v in (seen, unseen, swept))
        for kind, vals, rets in (("seen", seen, r_seen), ("unseen", unseen, r_unseen), ("sweep", swept, r_sweep)):
            for v, r in zip(vals, rets):
                rows.append({"agent": agent.label, "set": kind, "task": v, "return": r,
                             "extrapolation": cls.is_extrapolation(v)})
        summary["agents"][agent.label] = {
            "plastic": agent.plastic, "seen_mean": r_seen.mean(), "unseen_mean": r_unseen.mean(),
            # with negative returns (velocity tasks) a ratio above 1 means worse: read it with the difference
            "unseen_over_seen": r_unseen.mean() / r_seen.mean() if r_seen.mean() != 0 else None,
            "unseen_minus_seen": r_unseen.mean() - r_seen.mean(),
            "unseen_extrapolated": [float(v) for v in unseen if cls.is_extrapolation(v)]}
        curves[agent.label] = (cls, seen, r_seen, unseen, r_unseen, swept, r_sweep)
    summary["task_kind"] = cls.task_kind
    polar = cls.task_kind == "direction"
    fig = plt.figure(figsize=(5, 5.2 if polar else 4.5), dpi=120)
    ax = fig.add_subplot(projection="polar" if polar else None)
    for (label, (cls, seen, rs, unseen, ru, swept, rw)), colour in zip(curves.items(), ["tab:red", "tab:blue"]):
        ax.plot(swept, rw, color=colour, lw=1, label=label)
        ax.scatter(seen, rs, color=colour, marker="o", s=14)
        ex = np.array([cls.is_extrapolation(v) for v in unseen])
        ax.scatter(unseen[~ex], ru[~ex], color=colour, marker="^", s=16)
        ax.scatter(unseen[ex], ru[ex], facecolors="none", edgecolors=colour, marker="^", s=16)
    steps_label = f"{steps or agents[0].cfg.episode_steps}-step episode"
    if polar:  # angle: the commanded direction; radius: the return
        ax.set_title(f"return ({steps_label}) by commanded direction (angle)\n"
                     "o seen, ^ unseen (open: extrapolation)", fontsize=8)
    else:
        ax.set_title("o seen, ^ unseen (open: extrapolation)", fontsize=8)
        ax.set_xlabel("target velocity (m/s)" if cls.task_kind == "velocity" else cls.task_kind)
        ax.set_ylabel(f"return ({steps_label})")
    if polar:  # below the circle, clear of the angle labels
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=1, frameon=False)
    else:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(out / "generalise.png")
    plt.close(fig)
    write_csv(out / "generalise.csv", rows)
    return write_summary(out, summary)
