"""One environment step of this checkout's tasks against another revision's, side by side in one run.

    git worktree add /tmp/old <rev>        # or any copy of an earlier revision
    python benchmarks/bench_env_step.py --old /tmp/old/tasks

Both versions of every MuJoCo task (the old one imported from ``--old`` as a package of its own) play
the same random actions (uniform in [-1, 1], one 1,500-step stretch, reset on termination) in
alternating rounds in this process (each round in the other order); the median microseconds per ``env.step`` of each, and old/new.
Before timing, both step the same actions and must give identical observations and rewards: a
speed-up that changed a number would be reported as an error, not as a ratio.  The last line is
``ratio=<old / new>`` for the first task.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

TASKS = {"swimmer_dir": "locomotion.SwimmerDir", "halfcheetah_vel": "locomotion.HalfCheetahVel",
         "hopper_vel": "locomotion.HopperVel", "ant_dir": "locomotion.AntDir",
         "fetch": "robots.Fetch", "ur5e": "robots.UR5e"}


def load(package: str, path: str):
    module, cls = path.split(".")
    return getattr(importlib.import_module(f"{package}.{module}"), cls)


def play(env, actions, check=None):
    env.reset(seed=0)
    out = []
    t = time.perf_counter()
    for a in actions:
        obs, r, term, trunc, _ = env.step(a)
        if check is not None:
            out.append((obs, r))
        if term or trunc:
            env.reset(seed=1)
    return (time.perf_counter() - t) / len(actions) * 1e6, out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", type=Path, required=True, help="the other revision's tasks/ directory")
    p.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--rounds", type=int, default=4)
    a = p.parse_args()
    old_dir = a.old.resolve()
    if not (old_dir / "__init__.py").exists():
        p.error(f"--old: {old_dir} is not a tasks/ directory (no __init__.py)")
    # the old tasks as a package named after its directory's parent, so both versions load side by side
    sys.path.insert(0, str(old_dir.parent))
    old_pkg = old_dir.name
    if old_pkg == "tasks":
        raise SystemExit("--old: copy or link the old tasks/ directory under another name, e.g. old_tasks/")

    first = None
    print(f"{'task':16s} {'old us/step':>12s} {'new us/step':>12s} {'old/new':>8s}")
    for name in a.tasks:
        new_cls, old_cls = load("pdlf_brian.tasks", TASKS[name]), load(old_pkg, TASKS[name])
        new, old = new_cls(), old_cls()
        actions = np.random.default_rng(0).uniform(-1, 1, (a.steps,) + new.action_space.shape)
        _, ref = play(old, actions[:300], check=True)
        _, got = play(new, actions[:300], check=True)
        for k, ((o1, r1), (o2, r2)) in enumerate(zip(ref, got)):
            if not (np.array_equal(o1, o2) and r1 == r2):
                raise SystemExit(f"{name}: step {k} differs between old and new (reward {r1!r} vs {r2!r})")
        t_old, t_new = [], []
        for k in range(a.rounds):  # the order alternates, so that neither version always runs second
            for which in ((old, t_old), (new, t_new))[::1 if k % 2 == 0 else -1]:
                which[1].append(play(which[0], actions)[0])
        o, n = float(np.median(t_old)), float(np.median(t_new))
        print(f"{name:16s} {o:12.1f} {n:12.1f} {o / n:8.3f}", flush=True)
        first = first or o / n
    print(f"ratio={first:.3f}")


if __name__ == "__main__":
    main()
