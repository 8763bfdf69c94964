"""Online direction control (Fig 6): the ant's direction input is overridden during an episode
by a schedule (triangle, rectangle, half circle); the torso's xy path is plotted against the
path the commands describe, and the agreement is measured as the mean cosine between the
torso's velocity and the commanded direction (1 = perfect, 0 = unrelated).

    pdlf analyze control --run runs/ant_pdlf --baseline runs/ant_weights -o steps=1000
"""
from __future__ import annotations

import numpy as np

from .common import check_option, finish, load_agents, output_dir, progress, pyplot, rl_evaluator

NAME = "control"
SCHEDULES = ("triangle", "rectangle", "half_circle")


def schedule(kind, steps):
    """Commanded direction (radians) at each step."""
    t = np.arange(steps) / steps
    if kind == "rectangle":
        return np.floor(t * 4) * np.pi / 2 - np.pi
    if kind == "triangle":
        return np.floor(t * 3) * 2 * np.pi / 3 - np.pi
    if kind == "half_circle":
        return -np.pi / 2 + np.pi * t
    raise ValueError(f"unknown schedule {kind!r}; choose {', '.join(SCHEDULES)}")


def follow(run, kind, steps, seed=5000):
    """(commanded directions, xy path (steps + 1, 2), mean cosine, more) for the run's centre.  The mean
    cosine weighs every step that moved alike (a standing ant's jitter as much as a stride); ``more``
    also has the speed-weighted agreement (distance along the commanded directions / path length) and
    the steps the episode ran (an ant that fell stops early: its measures cover only those steps)."""
    if run.cfg.task != "ant_dir":
        raise ValueError(f"{run.dir}: online direction control is defined for ant_dir, not {run.cfg.task}")
    ev = rl_evaluator(run, 1, episode_steps=steps, tasks_per_eval=1)
    command = schedule(kind, steps)
    env = ev.batch.envs[0]
    path = []

    def override(t, x):
        x = x.copy()
        x[:, -1] = command[min(t, steps - 1)]        # the raw direction input
        return x

    def hook(t, b):
        path.append(env.base.data.qpos[:2].copy())

    ev.batch.hooks.append(hook)
    ev.episode(run.centre[None], [float(command[0])], [seed], override=override)
    path = np.array(path)
    v = np.diff(path, axis=0)
    n = len(v)
    speed = np.linalg.norm(v, axis=1)
    ok = speed > 1e-9
    along = v[:, 0] * np.cos(command[:n]) + v[:, 1] * np.sin(command[:n])
    cos = along[ok] / speed[ok]
    more = {"weighted_cosine": float(along.sum() / speed.sum()) if ok.any() else 0.0,
            "steps_running": int(ev.batch.lengths[0])}
    return command, path, float(cos.mean()) if ok.any() else 0.0, more


def run(run_dir, out_dir=None, baseline=None, steps=1000, schedules=SCHEDULES):
    check_option(NAME, "steps", steps, steps >= 2, "at least 2 steps")
    unknown = [k for k in schedules if k not in SCHEDULES]
    check_option(NAME, "schedules", schedules, not unknown, f"unknown {unknown}; choose from {', '.join(SCHEDULES)}")
    out = out_dir or output_dir(run_dir, NAME)
    agents = load_agents(NAME, run_dir, baseline)
    plt = pyplot()
    fig, axes = plt.subplots(1, len(schedules), figsize=(4 * len(schedules), 4), dpi=120, squeeze=False)
    rows, summary = [], {"steps": steps, "agents": {}}
    for ax, kind in zip(axes[0], schedules):
        for agent, colour in zip(agents, ["tab:red", "tab:blue"]):
            progress(f"control: {agent.label}: {kind}")
            command, path, cos, more = follow(agent, kind, steps)
            summary["agents"].setdefault(agent.label, {"plastic": agent.plastic})[kind] = {
                "mean_cosine": cos, **more,
                "distance": float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())}
            rows.append({"agent": agent.label, "schedule": kind, "mean_cosine": cos, **more})
            ax.plot(path[:, 0] - path[0, 0], path[:, 1] - path[0, 1], color=colour, lw=1, label=agent.label)
        ideal = np.cumsum(np.stack([np.cos(command), np.sin(command)], 1), axis=0)
        scale = max(np.abs(path - path[0]).max(), 1e-3) / max(np.abs(ideal).max(), 1e-9)
        ax.plot(ideal[:, 0] * scale, ideal[:, 1] * scale, "k--", lw=1, label="command (scaled)")
        ax.set_title(kind, fontsize=9)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("torso x from start (m)")
        ax.set_ylabel("torso y from start (m)")
        ax.legend(fontsize=6)
    return finish(plt, fig, out, "paths.png", "control.csv", rows, summary)
