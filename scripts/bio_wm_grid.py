"""Biological WM grid for docs/results.md: Len x Lat, PDLF (scp+pdp) against the weight-trained baseline,
the short-term-plasticity rule of the synaptic theory (stp) and the classic rules, several seeds.

    python scripts/bio_wm_grid.py --out runs/bio_grid --lens 2 --lats 0 --generations 60 -- --pop 16
    python scripts/bio_wm_grid.py --out runs/bio_grid8 --lens 8 --lats 8 --arms pdlf weights stdp \
        --generations 300 -- --pop 32

Every arm runs the biological model with its default sharing and its rule's default initial weights
(PDLF: zero, as the paper; stdp, triplet, bcm, stp: uniform in [0, 1], as their papers), compiled C++
(--backend cpp) and the same budget.  Each cell is one `pdlf train` run directory, resumed if it
exists; the summary (grid.csv, grid.md) is rebuilt from the run directories with --summarise-only.
"""
import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from _cells import save_table, train_cells

ARMS = {"pdlf": ["--rule", "scp+pdp"], "weights": ["--rule", "weights", "--sharing", "synapse"],
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
            cells.append(f"{row[f'{arm}_mean']} ± {row[f'{arm}_sd']} ({len(c)})")
        rows.append(row)
        lines.append(f"| {L} | {D} | " + " | ".join(cells) + " |")
    save_table(a.out, "grid", rows, lines)


if __name__ == "__main__":
    main()
