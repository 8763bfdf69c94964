"""Issue 16 item 1: how large are the actions a trained centre commands?  With ``--actuators brax``
nothing clips, so an unbounded readout (``--action-bounds reference``) can command torques a
tanh-bounded agent cannot (|a| > 1).  This says whether the evolved agents use that room.

    python scripts/rl_diagnosis/d9_action_size.py runs/rl_brax/swimmer_dir_*_s0

For each finished run: its centre plays the 8 training tasks once (200 steps, its own statistics
frozen, as the final test), and the script prints the mean return and, over every action element
of every step: mean |a|, the 99th percentile of |a|, the largest |a|, and the fraction with |a| > 1
(what a tanh readout can never emit).  One process, one run after another (about a minute each).
"""
import sys

import numpy as np

from pdlf_brian.analysis.common import load_run, rl_evaluator


def action_sizes(run_dir):
    run = load_run(run_dir)
    ev = rl_evaluator(run, 1)
    acts = []
    original = ev.batch.actions

    def recording(readout):
        a = original(readout)
        acts.append(a[ev.batch.alive].copy())
        return a

    ev.batch.actions = recording
    tasks = list(ev.train_tasks) if ev.train_tasks is not None else [None] * ev.K
    returns, _ = ev.episode(run.centre[None, :], tasks, np.random.default_rng(0).integers(2**31 - 1, size=ev.K))
    a = np.abs(np.concatenate(acts).ravel())
    return {"run": str(run_dir), "actuators": run.cfg.actuators, "action_bounds": run.cfg.action_bounds,
            "rule": run.cfg.rule, "return": float(returns.mean()), "mean_abs": float(a.mean()),
            "p99_abs": float(np.percentile(a, 99)), "max_abs": float(a.max()), "frac_above_1": float(np.mean(a > 1))}


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    print("| run | actuators | bounds | return (8 tasks) | mean abs(a) | 99th pct abs(a) | max abs(a) | frac abs(a) > 1 |")
    print("|---|---|---|---|---|---|---|---|")
    for d in sys.argv[1:]:
        r = action_sizes(d)
        print(f"| {r['run']} | {r['actuators']} | {r['action_bounds']} | {r['return']:.2f} | {r['mean_abs']:.3f} | "
              f"{r['p99_abs']:.3f} | {r['max_abs']:.3f} | {r['frac_above_1']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
