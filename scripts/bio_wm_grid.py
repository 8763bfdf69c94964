"""Biological WM grid for docs/results.md: Len x Lat, PDLF (scp+pdp) against the weight-trained baseline,
the short-term-plasticity rule of the synaptic theory (stp) and the classic rules, several seeds.

    python scripts/bio_wm_grid.py --out runs/bio_grid --lens 2 --lats 0 --generations 60 -- --pop 16
    python scripts/bio_wm_grid.py --out runs/bio_grid8 --lens 8 --lats 8 --arms pdlf_channel weights stdp \
        --generations 300 -- --pop 32

Every arm runs the biological model with the sharing it names (PDLF's arms, weights) or the model's
default (post,in=channel: the classic rules and stp), its rule's default initial weights
(PDLF: zero, as the paper; stdp, triplet, bcm, stp: uniform in [0, 1], as their papers), compiled C++
(--backend cpp) and the same budget.  Each cell is one `pdlf train` run directory, resumed if it
exists; the summary (grid.csv, grid.md) is rebuilt from the run directories with --summarise-only.
"""
import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from _cells import mean_sd, save_table, train_cells

#: PDLF's arms name their sharing, so that a command reproduces its runs whatever the default is (the
#: biological model's default is post,in=channel, pdlf_channel; before 9dda84a it was post,in=pre)
ARMS = {"pdlf_pre": ["--rule", "scp+pdp", "--sharing", "post,in=pre"],
        "pdlf_channel": ["--rule", "scp+pdp", "--sharing", "post,in=channel"],
        # PDLF from the classic rules' initial weights instead of the paper's zero: the rule alone differs
        "pdlf_uniform": ["--rule", "scp+pdp", "--sharing", "post,in=channel", "--init-weights", "uniform:0,1"],
        "weights": ["--rule", "weights", "--sharing", "synapse"],
        "stp": ["--rule", "stp"], "stdp": ["--rule", "stdp"], "triplet": ["--rule", "triplet"],
        "bcm": ["--rule", "bcm"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path("runs/bio_grid"))
    p.add_argument("--lens", type=int, nargs="+", default=[8, 16])
    p.add_argument("--lats", type=int, nargs="+", default=[0, 8, 16])
    p.add_argument("--arms", nargs="+", default=list(ARMS), choices=list(ARMS))
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--generations", type=int, default=300)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--summarise-only", action="store_true")
    p.add_argument("extra", nargs="*", help="more pdlf train flags, after --")
    a = p.parse_args()
    name = "len{}_lat{}_{}_s{}".format
    if not a.summarise_only:
        train_cells([(a.out / name(L, D, arm, s),
                      ["--task", "wm", "--model", "bio", "--backend", "cpp", "--len", str(L), "--lat", str(D),
                       "--seed", str(s), "--generations", str(a.generations), *ARMS[arm], *a.extra])
                     for L, D, arm, s in itertools.product(a.lens, a.lats, a.arms, a.seeds)], a.jobs)
    rows, lines = [], ["| Len | Lat | " + " | ".join(f"{arm} (mean ± sd, n)" for arm in a.arms) + " |",
                       "|---|---|" + "---|" * len(a.arms)]
    for L, D in itertools.product(a.lens, a.lats):
        row, cells = {"len": L, "lat": D}, []
        for arm in a.arms:
            found = [json.loads((a.out / name(L, D, arm, s) / "result.json").read_text()) for s in a.seeds
                     if (a.out / name(L, D, arm, s) / "result.json").exists()]
            c = np.array([r["score_centre"] for r in found])
            row[f"{arm}_mean"] = round(float(c.mean()), 3) if len(c) else None
            row[f"{arm}_sd"] = round(float(c.std(ddof=1)), 3) if len(c) > 1 else None
            row[f"{arm}_n"] = len(c)
            row[f"{arm}_minutes"] = round(float(np.mean([r["wall_seconds"] for r in found])) / 60, 1) if found else None
            cells.append(mean_sd(row[f"{arm}_mean"], row[f"{arm}_sd"], len(c)))
        rows.append(row)
        lines.append(f"| {L} | {D} | " + " | ".join(cells) + " |")
    save_table(a.out, "grid", rows, lines)
    learning_curves(a, name)


def learning_curves(a, name):
    """out/curves_len{L}_lat{D}.png: the centre's recall on each generation's training batch, one line per
    seed, one colour per arm (the final score on fresh sequences is in grid.md)."""
    import csv
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for L, D in itertools.product(a.lens, a.lats):
        fig, ax = plt.subplots(figsize=(6.5, 3.8), dpi=120)
        stimulus_ms = None
        for colour, arm in zip(plt.rcParams["axes.prop_cycle"].by_key()["color"], a.arms):
            for k, s in enumerate(a.seeds):
                f = a.out / name(L, D, arm, s) / "progress.csv"
                if f.exists():
                    if stimulus_ms is None:
                        stimulus_ms = json.loads((f.parent / "config.json").read_text()).get("stimulus_ms")
                    rows = list(csv.DictReader(f.open()))
                    ax.plot([int(r["generation"]) for r in rows], [float(r["centre"]) for r in rows], color=colour,
                            lw=0.8, alpha=0.8, label=arm if k == 0 else None)
        ax.axhline(0.5, color="k", ls=":", lw=0.8, label="chance")
        ax.set_xlabel("generation")
        ax.set_ylabel("recall of the centre\n(training batch of the generation)")
        delay = f" ({D * stimulus_ms / 1000:g} s delay)" if stimulus_ms else ""
        ax.set_title(f"biological model, Len {L} / Lat {D}{delay}; one line per seed", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.out / f"curves_len{L}_lat{D}.png")
        plt.close(fig)


if __name__ == "__main__":
    main()
