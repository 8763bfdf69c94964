"""Issue 16 item 5: why do the plastic ant_dir agents fall when hidden neurons are blocked, while the
weight-trained one does not (docs/results.md, "Analyses of the 100-generation ant_dir agents")?  One
candidate: E6 divides each layer's weights by the layer's largest |w|, so blocking the hidden neurons
that held the output layer's largest weights scales every surviving weight up, and the actions grow.
This plays each run's centre through the lesion analysis's own protocol (its masks, seeds and
evaluator) and records the actions applied (Ant-v5's data.ctrl, |a| <= 1) and the falls.

    python scripts/rl_diagnosis/d14_lesion_actions.py runs/rl_share/ant_dir_pdlf_s0 runs/rl_share/ant_dir_weights_s0

Per run, lesion mode and blocked fraction (0, 0.5, 0.8; 5 masks x 8 directions x 200 steps): the mean
return, the share of episodes that fell, the mean |action| and the share of actions at |a| > 0.9 over
the steps each episode took (a fallen ant's from its fall on are left out).  Two modes: ``remove`` (the
analysis's lesion: the blocked neurons' synapses go, and leave E6's per-layer max) and ``silence`` (the
neurons mute, their synapses kept; they carry nothing and act only through E6's max).  If E6 is why
the plastic ants' actions grow, they grow under removal and not under silencing; a weight-trained
agent's rows are the same in both (one network).  ``--mode remove`` plays one mode only.  One
process, about 20 s per run, mode and fraction.
"""
import sys

import numpy as np

from pdlf_brian.analysis.common import load_run
from pdlf_brian.analysis.lesion import default_masks, lesioned_returns
from pdlf_brian.genome import LESION_MODES

FRACTIONS, SEEDS = (0.0, 0.5, 0.8), 5


def play(run_dir, mode):
    run = load_run(run_dir)
    if run.cfg.task != "ant_dir":
        sys.exit(f"{run_dir}: task {run.cfg.task}; this diagnostic reads an ant (ant_dir)")
    mask_set = default_masks(run.cfg.hidden, FRACTIONS, SEEDS)   # the analysis's own masks
    acts, done = [[] for _ in FRACTIONS], []

    def record(t, b):   # after step t: the action of every episode that took that step
        acts[len(done)].extend(np.abs(e.base.data.ctrl) for k, e in enumerate(b.envs) if t >= 1 and b.lengths[k] == t)

    # the analysis's own protocol (evaluator, environment seeds, tasks); check() runs after each fraction
    ret, running = lesioned_returns(run, mask_set, check=lambda net, mask: done.append(1), hooks=[record], mode=mode)
    rows = [(f, ret[i].mean(), 1 - running[i], np.mean(acts[i]), np.mean(np.array(acts[i]) > 0.9))
            for i, f in enumerate(FRACTIONS)]
    return run.label, rows


def main(runs, modes):
    print("| run | lesion | blocked | return | fell | mean \\|a\\| | \\|a\\| > 0.9 |")
    print("|---|---|---|---|---|---|---|")
    for r in runs:
        for mode in modes:
            label, rows = play(r, mode)
            for f, ret, fell, mean_a, big in rows:
                print(f"| {label} | {mode} | {f:.1f} | {ret:.0f} | {fell:.0%} | {mean_a:.2f} | {big:.0%} |", flush=True)


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="ant_dir run directories")
    p.add_argument("--mode", choices=LESION_MODES, help="play this lesion mode only (default: both)")
    a = p.parse_args()
    main(a.runs, (a.mode,) if a.mode else LESION_MODES)
