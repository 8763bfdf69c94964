"""The ``pdlf`` command line.

    pdlf train  --task wm --len 8 --lat 8 --out runs/wm            (one experiment, one run directory)
    pdlf replay --genome G.npy --inputs X.npy --hidden H --outputs M --out T.npz
    pdlf rules                                                      (list the shipped rules)
    pdlf analyze injury --run runs/ant --baseline runs/ant_w         (analysis/*.py; DIR/analysis/NAME/)
    pdlf report --runs runs/ant runs/ant_w --out report.md          (every figure and table, MD + HTML)
    pdlf export --run runs/x --out agent.py                         (a plain-Brian2 script of the evolved agent)
    pdlf check-rule my_rule.py                                      (every problem of a rule file)
    pdlf bench loop --task ant_dir --model reference --batch 64    (closed loop vs bare stepping)
    pdlf bench scaling --task ant_dir --workers 2                   (N workers vs 1 process)

Errors in settings, rule files or shapes are one line on stderr and exit code 2,
before anything is compiled or run (``--debug`` shows the traceback).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from .config import Config, ConfigError

# command-line flag -> config key
_TRAIN_FLAGS = {
    "task": str, "model": str, "rule": str, "sharing": str, "backend": str, "topology": str,
    "hidden": int, "len": int, "lat": int, "sequences": int, "test_sequences": int,
    "stimulus_ms": float, "dt_ms": float, "pop": int, "generations": int, "sigma0": float, "seed": int,
    "separable_above": int, "episode_steps": int, "tasks_per_eval": int, "action_bounds": str,
    "env_step_ms": float, "workers": int, "ray": str,
}
_KEY = {"len": "length", "lat": "latency"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pdlf", description=__doc__.split("\n\n")[0])
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="evolve plasticity-rule coefficients with CMA-ES")
    defaults = Config()
    for flag, typ in _TRAIN_FLAGS.items():
        key = _KEY.get(flag, flag)
        t.add_argument("--" + flag.replace("_", "-"), type=typ, default=None,
                       help=f"(default {getattr(defaults, key)!r})" if getattr(defaults, key) is not None
                       else "(default depends on --task)")
    t.add_argument("--config", type=Path, help="a config.json; flags given here override it")
    t.add_argument("--out", type=Path, required=True, help="run directory")
    t.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint (with a larger --generations: extend a finished run)")
    t.add_argument("--quiet", action="store_true")

    r = sub.add_parser("replay", help="run one controller open loop on recorded inputs, saving weights")
    r.add_argument("--model", default="reference", choices=["reference"])
    r.add_argument("--rule", default="scp+pdp")
    r.add_argument("--sharing", default="synapse")
    r.add_argument("--topology", default="ff", choices=["ff", "rec"])
    r.add_argument("--backend", default="cython", choices=["cython", "numpy"])
    r.add_argument("--genome", type=Path, required=True, help=".npy, one genome")
    r.add_argument("--inputs", type=Path, required=True, help=".npy, (T, n_in)")
    r.add_argument("--hidden", type=int, required=True)
    r.add_argument("--outputs", type=int, required=True)
    r.add_argument("--out", type=Path, required=True, help=".npz with actions, w1, w2, spikes")

    sub.add_parser("rules", help="list the shipped plasticity rules")

    a = sub.add_parser("analyze", help="run one of the paper's analyses on a run directory")
    a.add_argument("name", help="injury, lesion, generalise, window, wm-probe (analysis/*.py)")
    a.add_argument("--run", type=Path, required=True)
    a.add_argument("--baseline", type=Path, help="a second run to compare with (the weight-trained agent)")
    a.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of the analysis (e.g. -o seeds=5 -o steps=1000); see its docstring")

    rp = sub.add_parser("report", help="one Markdown + HTML report of runs and their analyses")
    rp.add_argument("--runs", type=Path, nargs="+", required=True)
    rp.add_argument("--out", type=Path, default=Path("report.md"))

    e = sub.add_parser("export", help="write an evolved controller as a plain-Brian2 script")
    e.add_argument("--run", type=Path, required=True, help="a finished run directory")
    e.add_argument("--out", type=Path, required=True, help="the script to write, e.g. agent.py")
    e.add_argument("--genome", choices=["centre", "best"], default="centre")

    c = sub.add_parser("check-rule", help="check a rule file: one line per problem, exit 1 if any")
    c.add_argument("file", help="a rule file (.py) or a shipped rule's name")

    b = sub.add_parser("bench", help="measure throughput (prints ratio=... as its last line)")
    bsub = b.add_subparsers(dest="bench", required=True)
    bl = bsub.add_parser("loop", help="closed loop vs bare stepping of the same environments")
    bl.add_argument("--task", required=True)
    bl.add_argument("--model", default="reference", choices=["reference", "bio"])
    bl.add_argument("--batch", type=int, default=64, help="individuals x 8 tasks (a multiple of 8)")
    bl.add_argument("--episode-steps", type=int, default=200)
    bl.add_argument("--rounds", type=int, default=3)
    bl.add_argument("--hidden", type=int, default=32)
    bl.add_argument("--env-step-ms", type=float, default=20.0)
    bs = bsub.add_parser("scaling", help="generation throughput with N workers vs 1 process")
    bs.add_argument("--task", required=True)
    bs.add_argument("--workers", type=int, default=2)
    bs.add_argument("--ray", default=None, help="Ray address ('local' starts a private instance)")
    bs.add_argument("--pop", type=int, default=31, help="population (the centre is added)")
    bs.add_argument("--rounds", type=int, default=3)
    bs.add_argument("--episode-steps", type=int, default=100)
    return p


def _train(args) -> int:
    from .evolve import Trainer

    data = Config().to_dict() if args.config is None else Config.load(args.config).to_dict()
    if args.resume and args.config is None and (args.out / "config.json").exists():
        data = Config.load(args.out / "config.json").to_dict()
    for flag in _TRAIN_FLAGS:
        value = getattr(args, flag)
        if value is not None:
            data[_KEY.get(flag, flag)] = value
    cfg = Config.from_dict(data)
    Trainer(cfg, args.out, resume=args.resume, quiet=args.quiet).run()
    return 0


def replay(model, rule, sharing, topology, backend, genome, inputs, hidden, outputs):
    """One controller, open loop, through the training network code; weights after each step."""
    from .network import ReferenceNetwork
    from .rules import load_rule

    genome = np.asarray(genome, dtype=float).ravel()
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2:
        raise ValueError(f"--inputs must be a (T, n_in) array; got shape {inputs.shape}")
    T, n_in = inputs.shape
    net = ReferenceNetwork(load_rule(rule), n_in, hidden, outputs, 1, 1, T, recurrent=topology == "rec",
                           sharing=sharing, backend=backend, record=True)
    if genome.size != net.layout.size:
        raise ValueError(f"--genome has {genome.size} numbers; rule {rule} with sharing {sharing} on "
                         f"{n_in}-{hidden}-{outputs} needs {net.layout.size}")
    actions = net.run_open_loop(genome[None], inputs[:, None, None, :])[:, 0, 0]
    rec = net.recorded()
    out = {"actions": actions, "w1": rec["w_in"][:, 0, 0], "w2": rec["w_out"][:, 0, 0],
           "spikes": rec["s"][:, 0, 0], "trace": rec["tr"][:, 0, 0]}
    if "w_rec" in rec:
        out["wrec"] = rec["w_rec"][:, 0, 0]
    return out


def _replay(args) -> int:
    out = replay(args.model, args.rule, args.sharing, args.topology, args.backend, np.load(args.genome),
                 np.load(args.inputs), args.hidden, args.outputs)
    np.savez(args.out, **out)
    print(f"pdlf: wrote {args.out} ({', '.join(f'{k} {v.shape}' for k, v in out.items())})")
    return 0


def _rules(args) -> int:
    from .rules import available_rules, load_rule

    for name in sorted(available_rules()):
        r = load_rule(name)
        print(f"{name:10s} coefficients {', '.join(r.coefficients):18s} {r.source}")
    return 0


def _analyze(args) -> int:
    import json as _json

    from .analyses import run_analysis

    options = {}
    for item in args.option:
        if "=" not in item:
            raise ValueError(f"--option {item!r}: expected KEY=VALUE")
        key, value = item.split("=", 1)
        try:
            options[key] = _json.loads(value)
        except _json.JSONDecodeError:
            options[key] = value
    summary, out = run_analysis(args.name, args.run, baseline=args.baseline, **options)
    print(f"pdlf: {args.name}: wrote {out} (summary.json, CSV, PNG)")
    return 0


def _report(args) -> int:
    from .report import write_report

    md, html = write_report(args.runs, args.out)
    print(f"pdlf: wrote {md} and {html}")
    return 0


def _export(args) -> int:
    from .export import export

    path = export(args.run, args.out, args.genome)
    print(f"pdlf: wrote {path}; run it with: python {path} inputs.npy out.npz")
    return 0


def _check_rule(args) -> int:
    from .check import check_rule

    try:
        found, notes = check_rule(args.file)
    except Exception as exc:  # a checker bug must still be one line (the traceback with --debug)
        if args.debug:
            raise
        found, notes = [f"{args.file}: could not be checked: {type(exc).__name__}: {exc}".splitlines()[0]], []
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    for line in notes:
        print(f"{args.file}: {line}")
    print(f"{args.file}: ok")
    return 0


def _bench(args) -> int:
    from .bench import bench_loop, bench_scaling

    if args.bench == "scaling":
        bench_scaling(args.task, args.workers, args.ray, args.pop, args.rounds, args.episode_steps)
        return 0
    bench_loop(args.task, args.model, args.batch, args.episode_steps, args.rounds, args.hidden, args.env_step_ms)
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"train": _train, "replay": _replay, "rules": _rules, "bench": _bench,
                "check-rule": _check_rule, "export": _export,
                "analyze": _analyze, "report": _report}[args.command](args)
    except (ConfigError, ValueError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"pdlf: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pdlf: interrupted; continue with --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
