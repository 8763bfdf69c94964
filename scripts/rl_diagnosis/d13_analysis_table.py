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


def read_summary(run, name):
    p = Path(run) / "analysis" / name / "summary.json"
    return json.loads(p.read_text()) if p.exists() else {}


def read(run, name):
    return read_summary(run, name).get("agents", {})


def f(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def pc(x):
    return "-" if x is None else f"{100 * x:.0f} %"


def injury(a):
    if not a:
        return "-"
    b, d, af = a["reward_before"], a["reward_during"], a["reward_after"]
    return f"{f(b)} / {f(d)} / {f(af)} ({f(af - b)}; {pc(a.get('running_at_end'))})"


def lesion(a, fractions, fr=(0.0, 0.5, 0.8)):
    if not a or not all(x in fractions for x in fr):
        return "-"
    at = [fractions.index(x) for x in fr]
    text = " / ".join(f"{a['mean'][i]:.0f}" for i in at)
    run = a.get("running_at_end")   # (written since the lesion analysis reports it)
    return text + ("" if run is None else " (" + " / ".join(pc(run[i]).replace(" %", "") for i in at) + " %)")


def control(a):
    kinds = ("triangle", "rectangle", "half_circle")
    if not a or not all("weighted_cosine" in a[k] for k in kinds):
        return "-"
    short = [k for k in kinds if a[k]["steps_running"] < a["steps"]]   # an ant that fell before the end
    return (" / ".join(f"{a[k]['weighted_cosine']:.2f}" for k in kinds)
            + " (" + " / ".join(f"{a[k]['distance']:.0f}" for k in kinds) + ")"
            + ("" if not short else f"; ended early: {', '.join(short)}"))


def seed_of(run, label):
    """The seed of the run an agent's label names ("rule (folder)", or "rule (path)" where two runs'
    folders share a name): the analysed run's own, or its baseline's, found beside it or at that
    path ("?" where it is not found)."""
    if not label.endswith(")"):
        return "?"
    named = Path(label[label.rfind("(") + 1:-1])
    if len(named.parts) > 1:            # a path: exactly that run
        places = [named]
    elif named.name == Path(run).name:  # the analysed run itself
        places = [Path(run)]
    else:                               # a baseline, looked for beside the analysed run
        places = [Path(run).parent / named]
    for d in places:
        if (d / "config.json").exists():
            return json.loads((d / "config.json").read_text())["seed"]
    return "?"


def main(runs):
    print("| seed | agent | injury, 200 steps (zeroed at step 100 for 50): reward per step before / during / after "
          "(after - before; running at the end) | injury, 1,000 steps (at 500 for 50): the same "
          "| lesion, return: intact / half the hidden neurons blocked / 0.8 (running at the end) "
          "| generalise: seen / unseen directions | embed, silhouette of the traces: steps 20-199 / 100-799 "
          "| control, speed-weighted cosine: triangle / rectangle / half circle (metres walked) |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        tabs = {n: read(run, n) for n in ("injury", "injury_200", "lesion", "generalise", "embed", "embed_200",
                                          "control")}
        fractions = read_summary(run, "lesion").get("fractions", [])
        for label, agent in tabs["control"].items():
            agent["steps"] = read_summary(run, "control")["steps"]
        labels = list(next((t for t in tabs.values() if t), {}))
        for label in labels:
            g = tabs["generalise"].get(label)
            e, e2 = tabs["embed"].get(label, {}), tabs["embed_200"].get(label, {})
            kind = "PDLF" if tabs[next(n for n in tabs if tabs[n])][label]["plastic"] else "weights"
            print(f"| {seed_of(run, label)} | {kind} | {injury(tabs['injury_200'].get(label))} "
                  f"| {injury(tabs['injury'].get(label))} | {lesion(tabs['lesion'].get(label), fractions)} "
                  f"| {'-' if not g else '%.0f / %.0f' % (g['seen_mean'], g['unseen_mean'])} "
                  f"| {f(e2.get('silhouette_traces'))} / {f(e.get('silhouette_traces'))} "
                  f"| {control(tabs['control'].get(label))} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
