"""Evolve a plasticity rule for working memory in a biological spiking network.

The copy task of the paper (Fig 2): Len stimuli of 200 ms (a sample bit, a sample flag), a delay of Lat
stimuli, then a recall cue; the network must answer the bits in order.  Beside them an ordinal-position
context (one channel per position, active at its sample step and again at its recall step; tasks/wm.py)
says *when*, never *what*.  Every sequence runs in its own copy of the network, whose weights start at
zero: whatever the network remembers after the delay must be written into its synapses by the evolved
rule (SCP + PDP, models/rules/scp_pdp.py) while it works.  CMA-ES evolves the rule's coefficients (one
rule per kind of input neuron on the input layer, all position neurons one kind, and one per readout
neuron: see docs/results.md for why).

    python examples/evolve_bio_wm.py                 # Len 8 / Lat 8: the default protocol (5-10 min, 2 cores)
    python examples/evolve_bio_wm.py --quick         # a tiny version that runs in seconds
"""
import argparse
import csv
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import ms

from pdlf_brian.config import Config
from pdlf_brian.evolve import Trainer, has_checkpoint

LENGTH, LATENCY = 8, 8          # stimuli in the sample, stimuli of delay
STIMULUS = 200 * ms             # one stimulus (so the delay is LATENCY x 200 ms = 1.6 s)
CONTEXT = "position"             # or "none": the paper's three channels only (nothing learns; docs/results.md)
HIDDEN = 32                     # LIF neurons (models/neurons/lif.py), feed-forward
RULE = "scp+pdp"                # or any rule file: models/rules/*.py
POPULATION, GENERATIONS, SEQUENCES = 32, 300, 16

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--quick", action="store_true", help="a tiny problem (seconds)")
parser.add_argument("--out", default=None, help="run directory (default runs/example_bio_wm, "
                    "runs/example_bio_wm_quick with --quick)")
parser.add_argument("--backend", default="cpp", help="cpp (compiled once, the default), cython or numpy")
parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes sharing the population (default: 2, or 1 on a 1-core machine)")
args = parser.parse_args()
args.out = args.out or ("runs/example_bio_wm_quick" if args.quick else "runs/example_bio_wm")
if args.quick:
    LENGTH, LATENCY, STIMULUS, HIDDEN = 2, 1, 40 * ms, 6
    POPULATION, GENERATIONS, SEQUENCES = 4, 2, 4
    args.backend = "numpy"  # nothing to compile

cfg = Config(task="wm", model="bio", rule=RULE, length=LENGTH, latency=LATENCY, stimulus_ms=float(STIMULUS / ms),
             wm_context=CONTEXT, hidden=HIDDEN, pop=POPULATION, generations=GENERATIONS, sequences=SEQUENCES,
             test_sequences=4 * SEQUENCES if args.quick else 512, sigma0=0.1, backend=args.backend, seed=0,
             workers=1 if args.quick else args.workers)
result = Trainer(cfg, args.out, resume=has_checkpoint(args.out), quiet=args.quick).run()  # re-runs resume
print(f"recall accuracy of the evolved rule (centre) on fresh sequences: {result['score_centre']:.3f} "
      f"(chance 0.5), after {GENERATIONS} generations")

with open(f"{args.out}/progress.csv") as f:
    rows = list(csv.DictReader(f))
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
ax.plot([int(r["generation"]) for r in rows], [float(r["centre"]) for r in rows], label="centre")
ax.plot([int(r["generation"]) for r in rows], [float(r["mean"]) for r in rows], label="population mean", alpha=0.6)
ax.axhline(0.5, color="k", ls=":", label="chance")
ax.set_xlabel("generation")
ax.set_ylabel("recall accuracy (training batch)")
ax.set_title(f"Len {LENGTH} / Lat {LATENCY} ({LATENCY * STIMULUS / ms:g} ms delay), {RULE}", fontsize=9)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(f"{args.out}/evolution.png")
print(f"figure: {args.out}/evolution.png; probe it: pdlf analyze wm-probe --run {args.out}")
