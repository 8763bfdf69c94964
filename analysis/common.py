"""What the analyses share: reading a run directory, rebuilding its controller, writing outputs.

Every analysis is one file in ``analysis/`` with ``NAME`` and ``run(run_dir, out_dir, **options)
-> summary`` (a dict); ``pdlf analyze NAME --run DIR`` calls it and writes
``DIR/analysis/NAME/summary.json``; CSV tables and PNG figures go beside it.
"""
from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np


@dataclasses.dataclass
class Run:
    dir: Path
    cfg: object
    centre: np.ndarray
    best: np.ndarray
    result: dict
    tag: str = ""  # what names the run in labels (default: its folder's name)

    @property
    def label(self) -> str:
        from pdlf_brian.rules import load_rule
        # cfg.rule may be the run's copy (a path)
        return f"{load_rule(self.cfg.rule).name} ({self.tag or self.dir.name})"

    @property
    def plastic(self) -> bool:
        from pdlf_brian.rules import load_rule
        return load_rule(self.cfg.rule).plastic


def load_run(run_dir) -> Run:
    """A finished run, with the rule and neuron it ran with: where the rule or neuron file has moved
    away or its equations have changed since (an edit, or an update of the package), the run's own
    flattened copy in ``DIR/models/``, with a note on stderr."""
    from pdlf_brian.rundir import load_array, read_run_config

    d = Path(run_dir)
    if not (d / "config.json").exists():
        raise FileNotFoundError(f"{d} is not a run directory (no config.json)")
    cfg = read_run_config(d, note=progress)
    if not (d / "genome_centre.npy").exists():
        raise FileNotFoundError(f"{d} has no genome_centre.npy: the run has not finished (resume it first)")
    result = json.loads((d / "result.json").read_text()) if (d / "result.json").exists() else {}
    return Run(d, cfg, load_array(d / "genome_centre.npy"), load_array(d / "genome_best.npy"), result)


#: the settings a run and its --baseline must share to be compared (the task as each agent meets it)
SAME_TASK = {"rl": ("task", "actuators", "env_options"), "wm": ("task", "model", "length", "latency", "hold", "wm_context",
                                                               "stimulus_ms", "dt_ms")}


def load_agents(analysis: str, run_dir, baseline=None, same_episodes: bool = False) -> list[Run]:
    """The run and, if given, its baseline: refused in one line where they do not face the same task
    (another task, other actuators or environment options; for WM another sequence length, delay,
    context or timing), and with ``same_episodes`` (an analysis that plays each agent's own episode
    length) where their episode lengths differ.  Two runs whose labels would coincide (the same rule
    and folder name) are told apart by their paths."""
    agents = [load_run(run_dir)] + ([load_run(baseline)] if baseline else [])
    if len(agents) == 2:
        a, b = agents
        keys = SAME_TASK["wm" if a.cfg.task == "wm" else "rl"] + (("episode_steps",) if same_episodes else ())
        differ = [k for k in keys if getattr(a.cfg, k) != getattr(b.cfg, k)]
        if differ:
            what = "; ".join(f"{k} {getattr(a.cfg, k)!r} against {getattr(b.cfg, k)!r}" for k in differ)
            hint = " (or give both one length with -o steps=N)" if differ == ["episode_steps"] else ""
            raise ValueError(f"analysis {analysis!r}: --run {a.dir} and --baseline {b.dir} are not comparable: "
                             f"{what}{hint}")
        if a.label == b.label:
            a.tag, b.tag = str(a.dir), str(b.dir)
    return agents


def rl_evaluator(run: Run, n_individuals: int, episode_steps: int | None = None, tasks_per_eval: int = 8,
                 **network_kwargs):
    """The run's closed-loop evaluator with its observation statistics loaded and frozen (extra keywords
    go to the controller, e.g. ``lesion=True``)."""
    from pdlf_brian.evaluate import RLEvaluator
    from pdlf_brian.evolve import load_checkpoint

    if run.cfg.task == "wm":
        raise ValueError(f"{run.dir}: this analysis needs an RL run; this one is the WM task")
    cfg = dataclasses.replace(run.cfg, episode_steps=episode_steps or run.cfg.episode_steps,
                              tasks_per_eval=tasks_per_eval, workers=1, ray=None).validate()
    ev = RLEvaluator(cfg, n_individuals, **network_kwargs)
    if ev.layout.size != run.centre.size:
        raise ValueError(f"{run.dir}: genome has {run.centre.size} numbers, the network needs {ev.layout.size}")
    ev.load_state_dict(load_checkpoint(run.dir).get("evaluator", {}))
    ev.freeze_stats()
    return ev


def check_option(analysis: str, key: str, value, ok: bool, want: str) -> None:
    """A bad ``-o key=value`` is one line naming it, raised before anything is built or simulated."""
    if not ok:
        raise ValueError(f"analysis {analysis!r}: option {key}={value!r}: {want}")


def progress(message: str) -> None:
    """One line of progress on stderr (analyses can take minutes on 1000-step episodes)."""
    import sys
    print(f"pdlf analyze: {message}", file=sys.stderr, flush=True)


def output_dir(run_dir, name) -> Path:
    out = Path(run_dir) / "analysis" / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def write_summary(out: Path, summary: dict) -> dict:
    def plain(x):
        if isinstance(x, dict):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if isinstance(x, np.ndarray):
            return plain(x.tolist())
        if isinstance(x, (np.floating, np.integer, np.bool_)):
            return x.item()
        return x
    (out / "summary.json").write_text(json.dumps(plain(summary), indent=2) + "\n")
    return summary


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def finish(plt, fig, out: Path, figure: str, table: str, rows: list[dict], summary: dict, ax=None,
           xlabel=None, ylabel=None) -> dict:
    """Label, save and close the figure; write the table and the summary (the end of every analysis)."""
    if ax is not None:
        if xlabel:
            ax.set_xlabel(xlabel)
        if ylabel:
            ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / figure)
    plt.close(fig)
    write_csv(out / table, rows)
    return write_summary(out, summary)
