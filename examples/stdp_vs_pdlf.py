"""Classic STDP against an evolved PDLF rule, on the same biological working-memory task and budget.

Both run in the same network (LIF neurons, 200 ms stimuli) with the same CMA-ES budget.  STDP (Song,
Miller & Abbott 2000; models/rules/stdp.py) evolves its amplitudes and time constants around the
published ones and starts, as in the paper, from weights drawn uniformly in [0, gmax]: from zero
weights no STDP term could ever act (the network would stay silent).  PDLF (SCP + PDP) starts from
zero weights, as in Shen et al.

    python examples/stdp_vs_pdlf.py            # Len 4 / Lat 2, 100 generations per rule
    python examples/stdp_vs_pdlf.py --quick    # seconds
"""
import argparse

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from brian2 import ms

from pdlf_brian.config import Config
from pdlf_brian.evolve import Trainer, has_checkpoint

LENGTH, LATENCY, STIMULUS = 4, 2, 200 * ms
HIDDEN, POPULATION, GENERATIONS, SEQUENCES = 16, 16, 100, 16
ARMS = {  # rule, initial weights (None: the rule's published choice)
    "STDP (Song et al. 2000)": ("stdp", None),
    "PDLF (SCP + PDP)": ("scp+pdp", "zero"),
}

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--quick", action="store_true")
parser.add_argument("--out", default=None, help="output folder (default runs/example_stdp_vs_pdlf, "
                    "runs/example_stdp_vs_pdlf_quick with --quick)")
parser.add_argument("--backend", default="cython")
args = parser.parse_args()
args.out = args.out or ("runs/example_stdp_vs_pdlf_quick" if args.quick else "runs/example_stdp_vs_pdlf")
if args.quick:
    LENGTH, LATENCY, STIMULUS, HIDDEN, POPULATION, GENERATIONS, SEQUENCES = 2, 1, 40 * ms, 6, 4, 2, 4
    args.backend = "numpy"

scores = {}
for label, (rule, init) in ARMS.items():
    cfg = Config(task="wm", model="bio", rule=rule, init_weights=init, length=LENGTH, latency=LATENCY,
                 stimulus_ms=float(STIMULUS / ms), hidden=HIDDEN, pop=POPULATION, generations=GENERATIONS,
                 sequences=SEQUENCES, test_sequences=64, backend=args.backend, seed=0)  # sigma0: the bio default, 0.1
    out = f"{args.out}/{rule.replace('+', '_')}"
    scores[label] = Trainer(cfg, out, resume=has_checkpoint(out), quiet=True).run()["score_centre"]
    print(f"{label}: recall accuracy {scores[label]:.3f}")

fig, ax = plt.subplots(figsize=(4.5, 3.2), dpi=120)
ax.bar(list(scores), list(scores.values()), color=["tab:blue", "tab:red"])
ax.axhline(0.5, color="k", ls=":", label="chance")
ax.set_ylim(0, 1)
ax.set_ylabel("recall accuracy (fresh sequences)")
ax.set_title(f"Len {LENGTH} / Lat {LATENCY}, {STIMULUS / ms:g} ms stimuli, {GENERATIONS} generations", fontsize=8)
ax.tick_params(axis="x", labelsize=7)
ax.legend(fontsize=7, loc="upper right")
fig.tight_layout()
fig.savefig(f"{args.out}/stdp_vs_pdlf.png")
print(f"figure: {args.out}/stdp_vs_pdlf.png")
