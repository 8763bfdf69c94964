"""``pdlf report --runs DIR... --out report.md``: one Markdown and one HTML file with every
result, learning curve, analysis summary, table and figure the given runs hold."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

KEYS = ("task", "actuators", "env_options", "episode_steps", "tasks_per_eval", "action_bounds", "model", "rule",
        "sharing", "topology", "hidden", "seed", "generations", "pop", "score", "score_centre", "score_best",
        "wall_seconds")


def _flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}.")
        elif isinstance(v, list) and len(v) > 12:
            yield f"{prefix}{k}", f"[{len(v)} values]"
        else:
            yield f"{prefix}{k}", v


def write_report(runs, out) -> tuple[Path, Path]:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    md, body = [f"# pdlf-brian report", "", f"{len(runs)} run(s).", ""], ["<h1>pdlf-brian report</h1>"]

    def rel(p: Path) -> str:
        return os.path.relpath(p, out.parent)

    # results table
    rows = []
    for r in runs:
        r = Path(r)
        if not (r / "config.json").exists():
            raise FileNotFoundError(f"{r} is not a run directory (no config.json)")
        res = json.loads((r / "result.json").read_text()) if (r / "result.json").exists() else {}
        rows.append([str(r)] + [str(res.get(k, "")) for k in KEYS])
    header = ["run", *KEYS]
    md += ["## Results", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join(row) + " |" for row in rows] + [""]
    body.append("<h2>Results</h2><table border=1><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"
                + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
                + "</table>")
    for r in map(Path, runs):
        md += [f"## {r}", ""]
        body.append(f"<h2>{html.escape(str(r))}</h2>")
        for png in sorted((r / "figures").glob("*.png")):
            md += [f"![{png.stem}]({rel(png)})", ""]
            body.append(f'<img src="{rel(png)}" width="600">')
        for adir in sorted((r / "analysis").glob("*")) if (r / "analysis").exists() else []:
            md += [f"### Analysis: {adir.name}", ""]
            body.append(f"<h3>Analysis: {html.escape(adir.name)}</h3>")
            if (adir / "summary.json").exists():
                summary = json.loads((adir / "summary.json").read_text())
                md += ["| key | value |", "|---|---|"]
                items = list(_flat(summary))
                md += [f"| {k} | {v} |" for k, v in items] + [""]
                body.append("<table border=1>" + "".join(
                    f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in items)
                    + "</table>")
            for csv in sorted(adir.glob("*.csv")):
                md += [f"Table: [{csv.name}]({rel(csv)})", ""]
                body.append(f'<p>Table: <a href="{rel(csv)}">{csv.name}</a></p>')
            for png in sorted(adir.glob("*.png")):
                md += [f"![{adir.name} {png.stem}]({rel(png)})", ""]
                body.append(f'<img src="{rel(png)}" width="600">')
    out.write_text("\n".join(md) + "\n")
    page = out.with_suffix(".html")
    page.write_text("<!doctype html><html><head><meta charset='utf-8'><title>pdlf-brian report</title></head>"
                    "<body>" + "\n".join(body) + "</body></html>\n")
    return out, page
