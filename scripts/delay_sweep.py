"""How long the working memory lasts: recall after delays other than the trained one, over finished WM runs.

    python scripts/delay_sweep.py --runs runs/bio8/len8_lat8_* --delays 0 8 32 64 128 --out docs/figures/bio_wm_delay_sweep.png

Runs `pdlf analyze wm-probe -o delays=...` on each run that has no sweep with these delays yet (its
delays.csv), then draws recall against the delay (s for the biological model) for every run, coloured
by arm (the run directory's name without its seed), and prints a Markdown table.  --summarise-only
skips the analyses.
"""
import argparse
import csv
import json
import re
import subprocess
import sys
from pathlib import Path


def sweep_of(run: Path, sequences: int) -> dict[int, float]:
    """The run's own rows of its last wm-probe delay sweep (the first agent is the run itself), if that
    sweep used ``sequences`` test sequences; else {}."""
    f, summary = run / "analysis" / "wm-probe" / "delays.csv", run / "analysis" / "wm-probe" / "summary.json"
    if not f.exists() or not summary.exists() or json.loads(summary.read_text()).get("sequences") != sequences:
        return {}
    rows = list(csv.DictReader(open(f)))
    own = rows[0]["agent"] if rows else None
    return {int(r["delay_stimuli"]): float(r["accuracy"]) for r in rows if r["agent"] == own}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=Path, nargs="+", required=True)
    p.add_argument("--delays", type=int, nargs="+", default=[0, 8, 32, 64, 128])
    p.add_argument("--sequences", type=int, default=128)
    p.add_argument("--out", type=Path, default=Path("delay_sweep.png"))
    p.add_argument("--summarise-only", action="store_true")
    a = p.parse_args()
    runs = sorted(r for r in a.runs if (r / "config.json").exists())
    held = [r for r in runs if json.loads((r / "config.json").read_text()).get("hold", 1) != 1]
    for r in held:   # wm-probe reads one step per stimulus and refuses these
        print(f"{r}: skipped, it holds each stimulus for several steps (config key 'hold')", flush=True)
    runs = [r for r in runs if r not in held]
    if not runs:
        p.error("no run directory (with a config.json) among --runs")
    for run in runs if not a.summarise_only else []:
        if set(a.delays) <= set(sweep_of(run, a.sequences)):
            continue
        cmd = [sys.executable, "-m", "pdlf_brian.cli", "analyze", "wm-probe", "--run", str(run),
               "-o", f"sequences={a.sequences}", "-o", "examples=3",
               "-o", "delays=" + ",".join(map(str, a.delays))]
        print(" ".join(cmd[2:]), flush=True)
        subprocess.run(cmd, check=True)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=130)
    bio = False
    colours, labelled, lines = {}, set(), ["| run | " + " | ".join(f"{d}" for d in a.delays) + " |",
                          "|---|" + "---|" * len(a.delays)]
    for run in runs:
        cfg = json.loads((run / "config.json").read_text())
        bio = cfg.get("model") == "bio"
        stim_s = cfg.get("stimulus_ms", 200.0) / 1000.0 if bio else 1.0
        s = sweep_of(run, a.sequences)
        if not s:
            continue
        arm = re.sub(r"_s\d+$", "", run.name)
        colour = colours.setdefault(arm, f"C{len(colours)}")
        ds = sorted(s)
        ax.plot([d * stim_s for d in ds], [s[d] for d in ds], "o-", ms=3, lw=1, color=colour,
                label=None if arm in labelled else arm)
        labelled.add(arm)
        ax.axvline(cfg["latency"] * stim_s, color=colour, ls="--", lw=0.6)
        lines.append(f"| {run.name} | " + " | ".join(f"{s[d]:.3f}" if d in s else "-" for d in a.delays) + " |")
    ax.axhline(0.5, color="k", ls=":", lw=1)
    ax.set_xlabel("delay (s)" if bio else "delay (steps)")
    ax.set_ylabel("recall accuracy")
    ax.set_ylim(0.3, 1.02)
    ax.set_title("recall after other delays (dashed: the trained delay; dotted: chance)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.out)
    print("\n".join(lines))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
