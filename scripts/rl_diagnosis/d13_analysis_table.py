"""Issue 16 item 5: one markdown table of the analyses of PDLF / weight-trained pairs, read from the
summaries `pdlf analyze` wrote into each PDLF run (analysis/NAME/summary.json; the baseline's numbers
are in the same summary).  Analyses that were not run are shown as "-".

    python scripts/rl_diagnosis/d13_analysis_table.py runs/rl_share/ant_dir_pdlf_s0 runs/rl_share/ant_dir_pdlf_s1 ...

Folders read when present: injury (the analysis's defaults, 1,000-step episodes), injury_200 (within
the 200-step training episode: `-o steps=200 -o at=100 -o duration=50`, then renamed), lesion,
generalise, embed, embed_200 (`-o first=20 -o last=199`, renamed), control.
"""
import json
import sys
from pathlib import Path


def read(run, name):
    p = Path(run) / "analysis" / name / "summary.json"
    return json.loads(p.read_text())["agents"] if p.exists() else {}


def f(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def injury(a):
    if not a:
        return "-"
    b, d, af = a["reward_before"], a["reward_during"], a["reward_after"]
    run = a.get("running_at_end")
    return f"{f(b)} / {f(d)} / {f(af)} ({f(af - b)}; {'-' if run is None else f'{run:.0%}'} running)"


def lesion(a, fr=(0.0, 0.5, 0.8)):
    if not a:
        return "-"
    text = " / ".join(f"{a['mean'][round(x * 10)]:.0f}" for x in fr)
    run = a.get("running_at_end")   # (written since the lesion analysis reports it)
    return text + ("" if run is None else " (running at the end: " + " / ".join(
        f"{run[round(x * 10)]:.0%}" for x in fr) + ")")


def control(a):
    if not a:
        return "-"
    return " / ".join(f"{a[k].get('weighted_cosine', float('nan')):.2f}" for k in ("triangle", "rectangle", "half_circle")) \
        + f" ({min(a[k].get('steps_running', 0) for k in ('triangle', 'rectangle', 'half_circle'))} steps)"


def main(runs):
    print("| seed | agent | injury, 200 steps: before / during / after (after - before; running at the end) "
          "| injury, 1,000 steps: the same | lesion: intact / 0.5 / 0.8 | generalise: seen / unseen "
          "| embed silhouette, traces: steps 20-199 / 100-799 | control: weighted cosine triangle / rectangle / "
          "half circle |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        cfg = json.loads((Path(run) / "config.json").read_text())
        tabs = {n: read(run, n) for n in ("injury", "injury_200", "lesion", "generalise", "embed", "embed_200",
                                          "control")}
        labels = list(next((t for t in tabs.values() if t), {}))
        for label in labels:
            g = tabs["generalise"].get(label)
            e, e2 = tabs["embed"].get(label, {}), tabs["embed_200"].get(label, {})
            kind = "PDLF" if tabs[next(n for n in tabs if tabs[n])][label]["plastic"] else "weights"
            print(f"| {cfg['seed']} | {kind} | {injury(tabs['injury_200'].get(label))} "
                  f"| {injury(tabs['injury'].get(label))} | {lesion(tabs['lesion'].get(label))} "
                  f"| {'-' if not g else '%.0f / %.0f' % (g['seen_mean'], g['unseen_mean'])} "
                  f"| {f(e2.get('silhouette_traces'))} / {f(e.get('silhouette_traces'))} "
                  f"| {control(tabs['control'].get(label))} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
