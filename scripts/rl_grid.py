"""RL learning curves for docs/results.md: tasks x arms x seeds at the scaled protocol.

    python scripts/rl_grid.py --out runs/rl --tasks ant_dir halfcheetah_vel --arms pdlf weights \
        --seeds 0 1 2 --generations 100 --jobs 2

Arms: pdlf (scp+pdp), weights (the weight-trained baseline), scp and pdp (the ablations), pdlf_post and
pdlf_pre (the rule shared per postsynaptic / presynaptic neuron), pdlf_e6post and pdlf_post_e6post (E6
per postsynaptic neuron, not per layer: a variant), pdlf_unbounded (the paper's linear readout); every arm but the last uses the same network, neurons, readout and action bounds.  Flags after
``--`` go to every cell (e.g. ``-- --actuators brax``).  Each cell is one `pdlf train` run
directory (resumable); the summary (rl_grid.csv, rl_grid.md, one curve figure per task) is written at
the end and can be rebuilt from existing runs with --summarise-only.  It covers every finished run of
the asked tasks in --out, the arms and seeds of earlier invocations too (a grid run in parts, one arm
or seed at a time, gets one table of the whole folder, not of its last part).
"""
import argparse
import csv
import itertools
import json
import re
from pathlib import Path

import numpy as np

from _cells import finished_runs, mean_sd, save_table, train_cells

ARMS = {"pdlf": ["--rule", "scp+pdp"], "weights": ["--rule", "weights"], "scp": ["--rule", "scp"],
        "pdp": ["--rule", "pdp"],
        # one rule per postsynaptic / presynaptic neuron (full CMA-ES at these sizes), issue 16
        "pdlf_post": ["--rule", "scp+pdp", "--sharing", "post"],
        "pdlf_pre": ["--rule", "scp+pdp", "--sharing", "pre"],
        # E6 per postsynaptic neuron instead of per layer (a variant, not the paper): per synapse and shared
        "pdlf_e6post": ["--rule", "scp+pdp", "--normalise", "post"],
        "pdlf_post_e6post": ["--rule", "scp+pdp", "--sharing", "post", "--normalise", "post"],
        # the paper's PDLF readout: linear, unbounded (with --actuators brax: never clipped)
        "pdlf_unbounded": ["--rule", "scp+pdp", "--action-bounds", "reference"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path("runs/rl"))
    p.add_argument("--tasks", nargs="+", default=["ant_dir"])
    p.add_argument("--arms", nargs="+", default=["pdlf", "weights"], choices=list(ARMS))
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--generations", type=int, default=100)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--summarise-only", action="store_true")
    p.add_argument("extra", nargs="*", help="more pdlf train flags, after --")
    a = p.parse_args()
    cells = list(itertools.product(a.tasks, a.arms, a.seeds))
    if a.summarise_only and not a.out.is_dir():
        p.error(f"--out {a.out}: no such folder (nothing to summarise)")

    if not a.summarise_only:
        train_cells([(a.out / f"{task}_{arm}_s{seed}",
                      ["--task", task, "--seed", str(seed), "--generations", str(a.generations), *ARMS[arm],
                       *a.extra])
                     for task, arm, seed in cells], a.jobs)
    summarise(a)


def finished(out: Path, task: str) -> dict:
    """{arm: {seeds}} of the finished runs (result.json) of ``task`` in ``out``."""
    found = {}
    for arm, seed in finished_runs(out, rf"{re.escape(task)}_({'|'.join(map(re.escape, ARMS))})_s(\d+)"):
        found.setdefault(arm, set()).add(int(seed))
    return found


def summarise(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pdlf_brian.config import Config

    rows = []
    for task in a.tasks:
        labels = set()  # the task as its runs name it (with actuators and environment options)
        fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
        found = finished(a.out, task)
        arms = list(a.arms) + [arm for arm in ARMS if arm in found and arm not in a.arms]
        for arm, colour in zip(arms, ["tab:red", "tab:blue", "tab:orange", "tab:green", "tab:purple",
                                        "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan"]):
            runs = [a.out / f"{task}_{arm}_s{s}" for s in sorted(set(a.seeds) | found.get(arm, set()))]
            done = [r for r in runs if (r / "result.json").exists()]
            res = [json.loads((r / "result.json").read_text()) for r in done]
            # the label needs only the task's keys: no validation, so a run whose rule file has moved
            # since still gets summarised
            labels |= {Config(**{k: v for k, v in json.loads((r / "config.json").read_text()).items()
                                 if k in ("task", "actuators", "env_options")}).task_label() for r in done}
            c = np.array([r["score_centre"] for r in res])
            starts = []
            for r in done:
                with open(r / "progress.csv") as f:
                    starts.append(float(next(csv.DictReader(f))["centre"]))
            rows.append({"task": task, "arm": arm, "n": len(c),
                         "start_mean": round(float(np.mean(starts)), 2) if starts else None,
                         "centre_mean": round(float(c.mean()), 2) if len(c) else None,
                         "centre_sd": round(float(c.std(ddof=1)), 2) if len(c) > 1 else None,
                         "per_seed": " / ".join(f"{v:.1f}" for v in c),
                         # runs of earlier invocations may have had other budgets: said, not hidden
                         "generations": " / ".join(str(g) for g in sorted({r["generations"] for r in res}))
                         + (" (mixed)" if len({r["generations"] for r in res}) > 1 else "") if res else None,
                         "minutes_per_run": round(float(np.mean([r["wall_seconds"] for r in res])) / 60, 1)
                         if res else None})
            curves = []
            for r in done:
                with open(r / "progress.csv") as f:
                    curves.append([float(x["centre"]) for x in csv.DictReader(f)])
            if curves:
                n = min(map(len, curves))
                m = np.array([cv[:n] for cv in curves])
                g = np.arange(n)
                ax.plot(g, m.mean(0), color=colour, label=f"{arm} (n={len(curves)})")
                if len(curves) > 1:
                    ax.fill_between(g, m.min(0), m.max(0), color=colour, alpha=0.2)
        ax.set_xlabel("generation")
        ax.set_ylabel("centre: mean return (training tasks)")
        ax.set_title(labels.pop() if len(labels) == 1 else task)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(a.out / f"curves_{task}.png")
        plt.close(fig)
    lines = ["| task | arm | generation 0 (centre, training batch) | final centre, test (mean ± sd, n) | per seed "
             "| generations | min/run |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['task']} | {r['arm']} | {r['start_mean']} | {mean_sd(r['centre_mean'], r['centre_sd'], r['n'])} | "
                     f"{r['per_seed']} | {r['generations']} | {r['minutes_per_run']} |")
    save_table(a.out, "rl_grid", rows, lines)


if __name__ == "__main__":
    main()
