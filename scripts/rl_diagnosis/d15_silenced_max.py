"""Issue 16 item 5: under a silencing lesion (`pdlf analyze lesion -o mode=silence`), do the muted
neurons' kept synapses hold E6's per-layer max?  If they do, they scale the surviving synapses down,
which would explain why the silenced ants' actions shrink below the intact ones (docs/results.md,
"Analyses of the 100-generation ant_dir agents").

    python scripts/rl_diagnosis/d15_silenced_max.py runs/rl_share/ant_dir_pdlf_s0 runs/rl_share/ant_dir_pdlf_s1

The lesion analysis's own masks, seeds and tasks (5 masks x 8 tasks, the run's episode length), at half
and 0.8 of the hidden neurons silenced.  After each episode, per copy and plastic layer (in: input ->
hidden, out: hidden -> readout), whether the synapse with the largest |w| belongs to a muted neuron;
printed as the share of the 40 copies, beside the share of muted neurons (what a max placed at random
among the hidden neurons would give).  One process, about 20 s per run.
"""
import argparse

import numpy as np

from pdlf_brian.analysis.common import load_run
from pdlf_brian.analysis.lesion import default_masks, lesioned_returns

FRACTIONS, SEEDS = (0.5, 0.8), 5


def held_by_muted(run_dir):
    run = load_run(run_dir)
    if not run.plastic:
        raise SystemExit(f"{run_dir}: a static agent has no E6 max")
    mask_set = default_masks(run.cfg.hidden, FRACTIONS, SEEDS)
    rows = []

    def check(net, mask):   # mask: (copies P, n_hidden); the network's copies are (P, B tasks)
        row = {}
        for layer, hidden_axis in (("in", 1), ("out", 0)):   # the hidden neuron is in's post, out's pre
            W = np.abs(net.synapse_array(layer))           # (P, B, n_pre, n_post)
            held = [mask[p][np.unravel_index(np.argmax(W[p, b]), W.shape[2:])[hidden_axis]]
                    for p in range(W.shape[0]) for b in range(W.shape[1])]
            row[layer] = float(np.mean(held))
        rows.append(row)

    lesioned_returns(run, mask_set, check=check, mode="silence")
    return run.label, rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="plastic reference-model RL run directories")
    a = p.parse_args()
    print("| run | silenced | layer max on a muted neuron's synapse: in / out | share of neurons muted |")
    print("|---|---|---|---|")
    for r in a.runs:
        label, rows = held_by_muted(r)
        for f, row in zip(FRACTIONS, rows):
            print(f"| {label} | {f:.1f} | {row['in']:.0%} / {row['out']:.0%} | {f:.0%} |", flush=True)


if __name__ == "__main__":
    main()
