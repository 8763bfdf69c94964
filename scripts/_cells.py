"""Shared by the grid scripts: run many `pdlf train` cells, resumably, a few at a time."""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def train_cells(cells, jobs):
    """cells: (run directory, pdlf train flags) pairs; finished ones are skipped, started or shorter ones resumed
    (extended to the requested --generations)."""

    def settings(flags):  # what defines a cell: its flags, but the number of generations (a cell may be extended)
        i = flags.index("--generations") if "--generations" in flags else len(flags)
        return list(flags[:i]) + list(flags[i + 2:])

    for d, flags in cells:  # a finished cell made with other flags would be skipped and reported as this one
        recorded = d / "cell.json"
        if recorded.exists() and json.loads(recorded.read_text()) != settings(flags):
            sys.exit(f"{d} was run with the flags {json.loads(recorded.read_text())}, not {settings(flags)}: "
                     "give another --out (or remove the cell)")

    def run(cell):
        d, flags = cell
        want = int(flags[flags.index("--generations") + 1]) if "--generations" in flags else None
        if (d / "result.json").exists() and json.loads((d / "result.json").read_text())["generations"] == want:
            return
        d.mkdir(parents=True, exist_ok=True)
        (d / "cell.json").write_text(json.dumps(settings(flags)) + "\n")
        cmd = [sys.executable, "-m", "pdlf_brian.cli", "train", *flags, "--out", str(d), "--quiet"]
        if (d / "checkpoint.pkl").exists():
            cmd.append("--resume")
        subprocess.run(cmd, check=True)
        print("done", d.name, json.loads((d / "result.json").read_text())["score_centre"], flush=True)

    with ThreadPoolExecutor(jobs) as ex:
        list(ex.map(run, cells))


def mean_sd(mean, sd, n):
    """A table cell "mean ± sd (n)": one seed has no spread ("mean (1)"), no finished seed no score ("- (0)")."""
    if not n:
        return "- (0)"
    return f"{mean}{'' if sd is None else f' ± {sd}'} ({n})"


def save_table(out, stem, rows, md_lines):
    """Write rows as out/stem.csv and the Markdown lines as out/stem.md, and print the latter."""
    import csv
    with open(out / f"{stem}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (out / f"{stem}.md").write_text("\n".join(md_lines) + "\n")
    print("\n".join(md_lines))


def finished_runs(out, pattern: str) -> list[tuple]:
    """The match groups of every finished run (a result.json) in folder ``out`` whose name matches the
    regular expression ``pattern`` whole; [] if there is no such folder."""
    import re
    from pathlib import Path
    compiled = re.compile(pattern)
    return [m.groups() for d in (Path(out).iterdir() if Path(out).is_dir() else [])
            if (m := compiled.fullmatch(d.name)) and (d / "result.json").exists()]
