"""WM grid for docs/results.md: Len x Lat, PDLF (scp+pdp) vs the weight-trained baseline, several seeds.

    python scripts/wm_grid.py --out runs/wm_grid --generations 120 --seeds 0 1 2 --jobs 2
    python scripts/wm_grid.py --out runs/wm_best --lens 8 --lats 8 --generations 1000 --pdlf-sharing post --pop 64

Each cell is one `pdlf train` run directory; the summary (grid.csv, grid.md) is written at the end
and can be rebuilt from existing runs with --summarise-only. It covers every finished run in --out
(a grid made in parts, one latency or seed per invocation, is summarised whole), and says "(mixed)"
where a cell's runs had different budgets.

The population is passed to every run (default 32, the protocol of docs/results.md's grid) rather
than left to `pdlf train`'s default, which for the WM task became 64 after the grid was first
measured; a grid re-run with the train default would silently have twice the budget.
"""
import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from _cells import finished_runs, mean_sd, save_table, train_cells

ARMS = ("pdlf", "weights")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path("runs/wm_grid"))
    p.add_argument("--lens", type=int, nargs="+", default=[8, 16])
    p.add_argument("--lats", type=int, nargs="+", default=[0, 8, 16])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--generations", type=int, default=120)
    p.add_argument("--pop", type=int, default=32, help="CMA-ES population of every run (the grid's protocol: 32)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--pdlf-sharing", default="layer",
                   help="how the PDLF arm shares its rule (the weight-trained arm has one weight per synapse)")
    p.add_argument("--summarise-only", action="store_true")
    p.add_argument("extra", nargs="*", help="more pdlf train flags, after --")
    a = p.parse_args()
    if any(x == "--pop" or x.startswith("--pop=") or x in ("--po", "--po=") for x in a.extra):   # it would follow the grid's own --pop in each cell's flags (and in cell.json)
        p.error("give the population as the grid's --pop N, not after --")
    cells = list(itertools.product(a.lens, a.lats, ARMS, a.seeds))
    flags = {"pdlf": ["--rule", "scp+pdp", "--sharing", a.pdlf_sharing],
             "weights": ["--rule", "weights", "--sharing", "synapse"]}

    if not a.summarise_only:
        train_cells([(a.out / f"len{L}_lat{D}_{arm}_s{seed}",
                      ["--task", "wm", "--len", str(L), "--lat", str(D), "--seed", str(seed),
                       "--generations", str(a.generations), "--pop", str(a.pop), *flags[arm], *a.extra])
                     for L, D, arm, seed in cells], a.jobs)
    if a.summarise_only and not a.out.is_dir():
        p.error(f"--out {a.out}: no such folder, nothing to summarise")
    found = finished(a.out)
    rows = []
    for L, D in sorted(set(itertools.product(a.lens, a.lats)) | set(found)):
        row, budgets = {"len": L, "lat": D}, set()
        for arm in ARMS:
            runs = [a.out / f"len{L}_lat{D}_{arm}_s{s}" for s in sorted(set(a.seeds) | found.get((L, D), {}).get(arm, set()))]
            scores = [json.loads((r / "result.json").read_text()) for r in runs if (r / "result.json").exists()]
            c = np.array([r["score_centre"] for r in scores])
            row[f"{arm}_mean"] = round(float(c.mean()), 3) if len(c) else None
            row[f"{arm}_sd"] = round(float(c.std(ddof=1)), 3) if len(c) > 1 else None
            row[f"{arm}_n"] = len(c)
            row[f"{arm}_best_sample_mean"] = round(float(np.mean([r["score_best"] for r in scores])), 3) if scores else None
            row[f"{arm}_minutes"] = round(float(np.mean([r["wall_seconds"] for r in scores])) / 60, 1) if scores else None
            budgets |= {(r["generations"], r["pop"]) for r in scores}
            # the cells' own flags (cell.json), seed and generations aside: one set per arm, or said
            flags = {tuple(without_seed(json.loads((r / "cell.json").read_text()))) for r in runs
                     if (r / "result.json").exists() and (r / "cell.json").exists()}
            row[f"{arm}_flags_differ"] = len(flags) > 1
        # runs of earlier invocations may have had other budgets or flags: said, not hidden
        row["budget"] = (" / ".join(f"{g} x {p}" for g, p in sorted(budgets)) + (" (mixed)" if len(budgets) > 1 else "")
                         + "".join(f"; {arm} seeds ran with different flags" for arm in ARMS
                                   if row[f"{arm}_flags_differ"]))
        rows.append(row)
    lines = ["| Len | Lat | PDLF centre (mean ± sd, n) | weights centre (mean ± sd, n) | PDLF min/run | weights min/run "
             "| generations x population |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [mean_sd(r[f"{arm}_mean"], r[f"{arm}_sd"], r[f"{arm}_n"]) for arm in ARMS]
        minutes = [str(r[f"{arm}_minutes"]) if r[f"{arm}_n"] else "-" for arm in ARMS]
        lines.append(f"| {r['len']} | {r['lat']} | {' | '.join(cells)} | {' | '.join(minutes)} | {r['budget'] or '-'} |")
    save_table(a.out, "grid", rows, lines)


def without_seed(flags: list) -> list:
    """A cell's pdlf train flags without its --seed (seeds of one arm differ in nothing else)."""
    i = flags.index("--seed") if "--seed" in flags else len(flags)
    return flags[:i] + flags[i + 2:]


def finished(out: Path) -> dict:
    """{(Len, Lat): {arm: {seeds}}} of the finished runs (result.json) in ``out``."""
    found = {}
    for L, D, arm, seed in finished_runs(out, rf"len(\d+)_lat(\d+)_({'|'.join(ARMS)})_s(\d+)"):
        found.setdefault((int(L), int(D)), {}).setdefault(arm, set()).add(int(seed))
    return found


if __name__ == "__main__":
    main()
