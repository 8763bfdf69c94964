"""The ``pdlf`` command line.

    pdlf train  --task wm --len 8 --lat 8 --out runs/wm            (one experiment, one run directory)
    pdlf replay --genome G.npy --inputs X.npy --hidden H --outputs M --out T.npz
    pdlf rules                                                      (list the shipped rules)
    pdlf analyze injury --run runs/ant --baseline runs/ant_w         (analysis/*.py; DIR/analysis/NAME/)
    pdlf report --runs runs/ant runs/ant_w --out report.md          (every figure and table, MD + HTML)
    pdlf export --run runs/x --out agent.py                         (a plain-Brian2 script of the evolved agent)
    pdlf check-rule my_rule.py                                      (every problem of a rule file)
    pdlf check-neuron my_neuron.py                                  (every problem of a neuron file)
    pdlf bench loop --task ant_dir --model reference --batch 64    (closed loop vs bare stepping)
    pdlf bench scaling --task ant_dir --workers 2                   (N workers vs 1 process)

Errors in settings, rule files or shapes are one line on stderr and exit code 2,
before anything is compiled or run (``--debug`` shows the traceback).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import numpy as np

from .config import Config, ConfigError

# pdlf train's flags: flag -> (config key, type, help).  The choices in the help come from the same
# constants the config checks, so help and errors list the same things.
def _train_flags() -> dict:
    from .backends import BACKENDS
    from .config import ACTION_BOUNDS, MODELS, TASKS, TOPOLOGIES
    from .genome import SHARINGS
    from .rules import available_rules

    from .neurons import available_neurons

    rules = ", ".join(sorted(available_rules()))
    neurons = ", ".join(sorted(available_neurons()))
    return {
        "task": ("task", str, f"the task: {', '.join(TASKS)} (wm: the working-memory copy task; the others: "
                              "multi-task RL environments, docs/tasks.md) (default wm)"),
        "model": ("model", str, f"the controller: {' or '.join(MODELS)} (reference: the paper's discrete "
                                "model; bio: LIF neurons in ms with event-driven plasticity) (default reference)"),
        "rule": ("rule", str, f"plasticity rule: a shipped rule ({rules}) or a path to a rule file "
                              "(docs/models.md) (default scp+pdp)"),
        "sharing": ("sharing", str, f"how rule coefficients are shared: {', '.join(s for s in SHARINGS if s != 'channel')}, or per layer "
                                    "(layers in, rec, out), e.g. 'post,out=synapse'; 'channel' (input layer, wm only): one "
                                    "rule per kind of input channel, e.g. 'post,in=channel' (default post for wm, "
                                    "post,in=channel for bio wm, synapse for the RL tasks)"),
        "backend": ("backend", str, f"Brian2 device / code generation: {', '.join(BACKENDS)} (cython, numpy: "
                                    "runtime; cpp: cpp_standalone; cuda: cuda_standalone via brian2cuda) "
                                    "(default cython; cpp for the bio model on wm)"),
        "topology": ("topology", str, f"{' or '.join(TOPOLOGIES)}: feed-forward (the reference), or with "
                                      "plastic recurrent hidden synapses (default rec for wm, ff for bio wm and RL)"),
        "neuron": ("neuron", str, f"bio model: the hidden neurons, a file of models/neurons/ ({neurons}) or a "
                                  "path to a neuron file (docs/models.md) (default lif)"),
        "normalise": ("normalise", str, "reference model, E6's max-normalisation: layer (the paper: each layer's "
                                        "weights by the layer's max |w|) or post (each postsynaptic neuron's "
                                        "incoming weights by their own max |w|; a variant, not the paper) "
                                        "(default layer)"),
        "init_weights": ("init_weights", str, "initial weights of every plastic synapse at every episode start: "
                                              "zero, uniform:LOW,HIGH or normal:MU,SD (default: the rule's "
                                              "published choice; zero for PDLF's rules, as the paper)"),
        "hidden": ("hidden", int, "hidden neurons per controller (default 32)"),
        "len": ("length", int, "wm: length of the bit sequence (default 8)"),
        "lat": ("latency", int, "wm: delay between sample and recall, in stimuli (default 8)"),
        "hold": ("hold", int, "wm, reference model: steps each stimulus lasts, the answer read at the last step of "
                              "each recall cue (not in the paper; the bio model uses --stimulus-ms) (default 1)"),
        "wm_context": ("wm_context", str, "wm: none (the paper's three input channels) or position (plus an "
                                          "ordinal-position context channel per sample step, active again at "
                                          "its recall step; tasks/wm.py) (default none; position for bio)"),
        "sequences": ("sequences", int, "wm: sequences per evaluation, each in its own network copy (default 32; bio 16)"),
        "test_sequences": ("test_sequences", int, "wm: fresh sequences of the final test (default 512)"),
        "stimulus_ms": ("stimulus_ms", float, "bio model, wm: duration of one stimulus in ms (default 200)"),
        "dt_ms": ("dt_ms", float, "bio model: simulation time step in ms (default 1)"),
        "pop": ("pop", int, "CMA-ES population, >= 3; the centre is evaluated too (default 64 for wm, 32 for RL and bio wm)"),
        "generations": ("generations", int, "CMA-ES generations (default 1000 for wm, 300 for bio wm, 100 for RL)"),
        "sigma0": ("sigma0", float, "CMA-ES initial step size (default 0.1)"),
        "seed": ("seed", int, "the one seed of the run: CMA-ES, task sequences or episodes, final test (default 0)"),
        "separable_above": ("separable_above", int, "genome size above which separable CMA-ES is used (default 500)"),
        "episode_steps": ("episode_steps", int, "RL: environment steps per episode (default 200; the paper 1000)"),
        "tasks_per_eval": ("tasks_per_eval", int, "RL: training tasks each individual plays per generation, "
                                                  "at most 8 (default 8)"),
        "action_bounds": ("action_bounds", str, f"RL: {' or '.join(ACTION_BOUNDS)} (equal: tanh readout for "
                                                "every agent; reference: the plastic agent's readout is linear, "
                                                "as the paper's) (default equal)"),
        "actuators": ("actuators", str, "RL: gym (every control clipped to [-1, 1], gymnasium's bodies) or brax "
                                        "(the paper's Brax v1 torque actuators: action x strength, never clipped; "
                                        "with --action-bounds reference this is the paper's asymmetric setting) "
                                        "(default gym)"),
        "env_step_ms": ("env_step_ms", float, "bio model, RL: simulated ms per environment step (default 20)"),
        "workers": ("workers", int, "local worker processes sharing the population (default 1)"),
        "ray": ("ray", str, "evaluate on a Ray cluster at this address ('auto' or host:port) (default: local)"),
    }


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (like every other pdlf error) and exit code 2."""

    def error(self, message):
        self.exit(2, f"pdlf: error: {self.prog.split()[-1]}: {message} (see {self.prog} --help)\n")


def _version() -> str:
    from importlib import metadata

    from . import __version__
    try:
        brian = metadata.version("brian2")
    except metadata.PackageNotFoundError:
        brian = "not installed"
    import platform
    return f"pdlf-brian {__version__} (brian2 {brian}, Python {platform.python_version()})"


def _parser() -> argparse.ArgumentParser:
    from .analyses import available as available_analyses
    from .backends import BACKENDS
    from .config import MODELS, TOPOLOGIES, WM_CONTEXTS
    from .genome import NORMALISATIONS, SHARINGS

    p = _Parser(prog="pdlf", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="evolve plasticity-rule coefficients with CMA-ES (one run directory)",
                       description="Evolve plasticity-rule coefficients with CMA-ES. Every setting is a key of "
                                   "DIR/config.json; flags given here override --config.")
    for flag, (key, typ, text) in _train_flags().items():
        t.add_argument("--" + flag.replace("_", "-"), dest=flag, type=typ, default=None, help=text,
                       metavar=flag.upper())
    t.add_argument("--env-option", dest="env_option", action="append", default=[], metavar="KEY=VALUE",
                   help="RL: a keyword argument of the environment, e.g. --env-option min_target_radius=0.15 "
                        "(ur5e); repeatable; a change of the task, recorded as config key env_options")
    t.add_argument("--native", action="store_const", const=True, default=None,
                   help="compile with -march=native -ffast-math: faster, but the numbers then depend on the "
                        "CPU (default: portable flags, the same numbers on any x86-64 machine)")
    t.add_argument("--config", type=Path, help="a config.json (e.g. configs/paper_scale.json); flags override it, "
                   "and keys the file does not set take the defaults of the task and model in force (a run's "
                   "own DIR/config.json sets every key)")
    t.add_argument("--out", type=Path, required=True, help="the run directory (created; locked while training)")
    t.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint; with a larger --generations, extend a "
                        "finished run (the same result as an uninterrupted run)")
    t.add_argument("--quiet", action="store_true", help="no progress output")

    r = sub.add_parser("replay", help="run one reference controller open loop on recorded inputs, saving weights")
    r.add_argument("--model", default="reference", choices=["reference"], help="only the reference model")
    r.add_argument("--rule", default="scp+pdp", help="rule name or file (default scp+pdp)")
    r.add_argument("--sharing", default="synapse",
                   help=f"{', '.join(s for s in SHARINGS if s != 'channel')} or per layer, e.g. 'post,out=synapse' "
                        "(default synapse; 'channel' needs a task's input kinds: replay a WM run with "
                        "'pdlf analyze wm-probe' or export it with 'pdlf export')")
    r.add_argument("--topology", default="ff", choices=list(TOPOLOGIES), help="ff or rec (default ff)")
    r.add_argument("--normalise", default="layer", choices=list(NORMALISATIONS),
                   help="E6: layer (the paper) or post (each postsynaptic neuron by its own max |w|) (default layer)")
    r.add_argument("--backend", default="cython", choices=["cython", "numpy"], help="runtime code generation")
    r.add_argument("--genome", type=Path, required=True, help=".npy file holding one genome")
    r.add_argument("--inputs", type=Path, required=True, help=".npy file, (T, n_in) finite inputs")
    r.add_argument("--hidden", type=int, required=True, help="hidden neurons")
    r.add_argument("--outputs", type=int, required=True, help="readout neurons")
    r.add_argument("--out", type=Path, required=True, help=".npz with actions, w1, w2, spikes, trace")

    sub.add_parser("rules", help="list the shipped plasticity rules, their coefficients and models")

    names = sorted(available_analyses())
    from .analyses import describe as describe_analyses
    a = sub.add_parser("analyze", help=f"run one of the paper's analyses on a run directory: {', '.join(names)}",
                       description="Run one analysis on a finished run directory; it writes "
                                   "DIR/analysis/NAME/ (summary.json, CSV tables, PNG figures; "
                                   "lesion -o mode=silence: DIR/analysis/lesion_silence/).",
                       epilog="analyses and their options (-o KEY=VALUE; defaults shown):\n" + describe_analyses(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("name", metavar="NAME", help=f"the analysis: {', '.join(names)} (analysis/*.py)")
    a.add_argument("--run", type=Path, required=True, help="a finished run directory")
    a.add_argument("--baseline", type=Path, help="a second run to compare with (the weight-trained agent)")
    a.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of the analysis (e.g. -o seeds=5 -o steps=1000); each analysis's options are listed below")

    rp = sub.add_parser("report", help="one Markdown + HTML report of runs and their analyses")
    rp.add_argument("--runs", type=Path, nargs="+", required=True, help="run directories")
    rp.add_argument("--out", type=Path, default=Path("report.md"), help="the Markdown file (default report.md)")

    e = sub.add_parser("export", help="write an evolved reference controller as a plain-Brian2 script")
    e.add_argument("--run", type=Path, required=True, help="a finished run directory")
    e.add_argument("--out", type=Path, required=True, help="the script to write, e.g. agent.py")
    e.add_argument("--genome", choices=["centre", "best"], default="centre", help="which genome (default centre)")

    c = sub.add_parser("check-rule", help="check a rule file: one line per problem, exit 1 if any")
    c.add_argument("file", help="a rule file (.py) or a shipped rule's name")
    c.add_argument("--neuron", default="lif", help="the bio model's neuron to check the rule's names against "
                   "(a neuron file or a shipped name; default lif)")

    cn = sub.add_parser("check-neuron", help="check a neuron file: one line per problem, exit 1 if any")
    cn.add_argument("file", help="a neuron file (.py) or a shipped neuron's name")

    b = sub.add_parser("bench", help="measure throughput (prints ratio=... as its last line)")
    bsub = b.add_subparsers(dest="bench", required=True, parser_class=_Parser)
    bl = bsub.add_parser("loop", help="closed loop vs bare stepping of the same environments")
    bl.add_argument("--task", required=True, help="an RL environment")
    bl.add_argument("--model", default="reference", choices=list(MODELS), help="controller model")
    bl.add_argument("--batch", type=int, default=64, help="individuals x 8 tasks (a multiple of 8)")
    bl.add_argument("--episode-steps", type=int, default=200, help="steps per episode")
    bl.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    bl.add_argument("--hidden", type=int, default=32, help="hidden neurons")
    bl.add_argument("--env-step-ms", type=float, default=20.0, help="bio model: ms per environment step")
    bw = bsub.add_parser("wm", help="seconds per WM generation on several Brian2 devices, side by side")
    bw.add_argument("--model", default="reference", choices=list(MODELS), help="controller model")
    bw.add_argument("--backend", nargs="+", default=["cython", "cpp"], choices=BACKENDS,
                    help="backends to compare; the ratio is first / last (default cython cpp)")
    bw.add_argument("--pop", type=int, default=64, help="population (the centre is added) (default 64)")
    bw.add_argument("--sequences", type=int, default=32, help="sequences per genome (default 32)")
    bw.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    bw.add_argument("--len", type=int, default=8, help="sequence length (default 8)")
    bw.add_argument("--lat", type=int, default=8, help="delay in stimuli (default 8)")
    bw.add_argument("--hidden", type=int, default=32, help="hidden neurons (default 32)")
    bw.add_argument("--stimulus-ms", type=float, default=200.0, help="bio model: ms per stimulus (default 200)")
    bw.add_argument("--sharing", default=None, help="rule sharing, as pdlf train --sharing (default: the model's WM "
                                                     "default: post; bio post,in=channel)")
    bw.add_argument("--topology", default=None, choices=list(TOPOLOGIES),
                    help="ff or rec (default: the model's WM default: rec; bio ff)")
    bw.add_argument("--wm-context", default=None, choices=list(WM_CONTEXTS),
                    help="none or position (default: the model's WM default: none; bio position)")
    bs = bsub.add_parser("scaling", help="generation throughput with N workers vs 1 process")
    bs.add_argument("--task", required=True, help="wm or an RL environment")
    bs.add_argument("--workers", type=int, default=2, help="workers")
    bs.add_argument("--ray", default=None, help="Ray address ('local' starts a private instance)")
    bs.add_argument("--pop", type=int, default=31, help="population (the centre is added)")
    bs.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    bs.add_argument("--episode-steps", type=int, default=100, help="RL: steps per episode")
    bs.add_argument("--hidden", type=int, default=32, help="hidden neurons (default 32)")
    bs.add_argument("--backend", default=None, choices=BACKENDS,
                    help="Brian2 target of every evaluator (default: the task's default)")
    return p


def _train(args) -> int:
    from .evolve import Trainer

    Trainer(train_config(args), args.out, resume=args.resume, quiet=args.quiet).run()
    return 0


def train_config(args) -> Config:
    """The config of ``pdlf train``: --config's keys (or, on --resume, the run's), then the flags."""
    from .config import read_json
    from .evolve import has_checkpoint

    if args.config is not None:
        # only the keys the file sets, so that the defaults of the model and task given by the flags fill
        # the rest (--config f --model bio gets the bio defaults, not the reference model's); the file is
        # checked with the flags applied (a file may need them: {"rule": "stdp"} with --model bio)
        data = read_json(args.config)
        folder = Path(args.config).parent
        if (folder / "models").is_dir() and has_checkpoint(folder):
            # a run's own config.json: its rule and neuron as the run ran them (an edited original or
            # a shipped rule changed since would quietly make it another run)
            from .rundir import check_copies, use_run_copies
            flags = {key for flag, (key, _, _) in _train_flags().items() if getattr(args, flag) is not None}
            used = [k for k in ("rule", "neuron") if k not in flags]
            check_copies(folder, keys=used)
            for note in use_run_copies(data, folder, always=True, keys=used):
                print(f"pdlf: {note}", file=sys.stderr)
        try:
            Config.check_keys(data)
        except ConfigError as exc:
            raise ConfigError(f"config file {args.config}: {exc}") from None
    elif args.resume and not (args.out / "config.json").exists() and has_checkpoint(args.out):
        raise ConfigError(f"--resume: {args.out / 'config.json'} is missing: it records the run's settings; "
                          "restore it (or give them with --config)")
    elif args.resume and (args.out / "config.json").exists():
        from .rundir import use_run_copies
        data = read_json(args.out / "config.json")
        for note in use_run_copies(data, args.out):  # a rule file that moved away: the run's copy
            print(f"pdlf: {note}", file=sys.stderr)
        data = Config.load_dict(data, args.out / "config.json").to_dict()
    else:
        data = Config().to_dict()
    from_file = set(data) if args.config is not None else set()
    for flag, (key, _, _) in _train_flags().items():
        value = getattr(args, flag)
        if value is not None:
            data[key] = value
            from_file.discard(key)
    if args.native is not None:
        data["native"] = True
    if args.env_option:  # added to (or replacing keys of) the file's options
        options = data.get("env_options") or {}
        if not isinstance(options, dict):
            where = f"config file {args.config}: " if "env_options" in from_file else ""
            raise ConfigError(f"{where}config key 'env_options': must be an object (dict), got {options!r}")
        data["env_options"] = {**options, **_key_values(args.env_option, "--env-option")}
    try:
        return Config.from_dict(data)
    except ConfigError as exc:  # a bad value the file gave: the message names the file too
        named = set(re.findall(r"config keys? '(\w+)'", str(exc)))
        if named & from_file:
            also = " with --env-option" if args.env_option and "env_options" in named else ""
            raise ConfigError(f"config file {args.config}{also}: {exc}") from None
        raise


def _key_values(items, flag: str) -> dict:
    """KEY=VALUE strings -> a dict; each VALUE read as JSON (numbers, true, lists) or else as a string."""
    import json as _json
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} {item!r}: expected KEY=VALUE")
        try:
            options[key] = _json.loads(value)
        except _json.JSONDecodeError:
            options[key] = value
    return options


def replay(model, rule, sharing, topology, backend, genome, inputs, hidden, outputs, normalise="layer"):
    """One controller, open loop, through the training network code; weights after each step."""
    from .builder import Controller
    from .rules import load_rule

    genome = np.asarray(genome, dtype=float).ravel()
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2:
        raise ValueError(f"--inputs must be a (T, n_in) array; got shape {inputs.shape}")
    for what, values in (("--inputs", inputs), ("--genome", genome)):
        bad = ~np.isfinite(values)
        if bad.any():
            where = np.argwhere(bad)[0]
            raise ValueError(f"{what} holds {int(bad.sum())} non-finite value(s) (first at index "
                             f"{tuple(int(i) for i in where)}); the network would only propagate them")
    T, n_in = inputs.shape
    net = Controller(model, load_rule(rule), n_in, hidden, outputs, 1, 1, T, recurrent=topology == "rec",
                     sharing=sharing, backend=backend, record=True, normalise=normalise)
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
                 np.load(args.inputs), args.hidden, args.outputs, args.normalise)
    np.savez(args.out, **out)
    print(f"pdlf: wrote {args.out} ({', '.join(f'{k} {v.shape}' for k, v in out.items())})")
    return 0


def _rules(args) -> int:
    from .rules import available_rules, load_rule

    from .modelfiles import unlisted
    from .rules import _RULES_PACKAGE, RuleError

    print(f"{'rule':10s} {'models':15s} coefficients (what the genome fills)")
    broken = []
    for name in sorted(available_rules()):
        try:
            r = load_rule(name)
        except RuleError as exc:   # one bad file (a user's, say) does not hide the rest of the list
            broken.append(str(exc))
            print(f"{name:10s} {'-':15s} (not usable: see below)")
            continue
        models = ", ".join(m for m, ok in (("reference", r.has_discrete()), ("bio", r.has_events())) if ok)
        print(f"{name:10s} {models:15s} {', '.join(r.coefficients):28s} {r.source}")
    broken += unlisted(_RULES_PACKAGE, "rule")
    for line in broken:
        print(f"pdlf: problem: {line}", file=sys.stderr)
    return 1 if broken else 0


def _analyze(args) -> int:
    from .analyses import run_analysis

    options = _key_values(args.option, "--option")
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
    from .check import check_neuron, check_rule

    try:
        found, notes = check_neuron(args.file) if args.command == "check-neuron" else \
            check_rule(args.file, args.neuron)
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
    from .bench import bench_loop, bench_scaling, bench_wm

    for key in ("rounds", "pop", "batch", "episode_steps", "hidden", "sequences"):
        value = getattr(args, key, None)
        if value is not None and value < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be at least 1, got {value}")
    if args.bench == "wm":
        bench_wm(args.model, args.backend, args.pop, args.sequences, args.rounds, args.len, args.lat, args.hidden,
                 sharing=args.sharing, topology=args.topology, wm_context=args.wm_context, stimulus_ms=args.stimulus_ms)
        return 0
    if args.bench == "scaling":
        bench_scaling(args.task, args.workers, args.ray, args.pop, args.rounds, args.episode_steps, args.hidden,
                      backend=args.backend)
        return 0
    bench_loop(args.task, args.model, args.batch, args.episode_steps, args.rounds, args.hidden, args.env_step_ms)
    return 0


def main(argv=None) -> int:
    from .evolve import CheckpointError
    from .parallel import WorkerError
    from .rules import RuleError
    from .rundir import RunDirError

    args = _parser().parse_args(argv)
    try:
        return {"train": _train, "replay": _replay, "rules": _rules, "bench": _bench,
                "check-rule": _check_rule, "check-neuron": _check_rule, "export": _export,
                "analyze": _analyze, "report": _report}[args.command](args)
    except (ConfigError, RuleError, CheckpointError, RunDirError, ValueError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"pdlf: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 2
    except WorkerError as exc:
        if args.debug:
            raise
        # the worker's traceback ends with its exception: that line says what went wrong
        lines = [l for l in str(exc).splitlines() if l.strip()]
        print(f"pdlf: error: {lines[0].rstrip(':')}: {lines[-1].strip()} (--debug shows the worker's traceback)",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_interrupted(args), file=sys.stderr)
        return 130
    except Exception as exc:
        said = _brian_failure(exc)
        if said is None or args.debug:   # not Brian2's: a bug of ours, whose traceback is what to report
            raise
        print(f"pdlf: error: {said} (--debug shows the traceback)", file=sys.stderr)
        if args.command == "train":
            from .evolve import has_checkpoint
            if has_checkpoint(args.out):
                print(f"pdlf: the run's last checkpoint is intact in {args.out}; after a fix: "
                      f"pdlf train --out {args.out} --resume", file=sys.stderr)
        return 2


def _brian_failure(exc: BaseException) -> str | None:
    """One line for an error Brian2 raised while building or running a network that no check caught first
    (its own message is a page: the object's creation stack, then 'see above'); None for any other
    exception (ours: its traceback is what to report).  Brian2 wraps the original error in a
    ``BrianObjectException``, sometimes two deep (an object's preparation inside the network's): the line
    names the innermost object (its name says the layer, e.g. ``pdlf_syn_rec``: the recurrent synapses,
    whose code comes from the rule file), Brian2's account (the code object, the line it was running)
    and the original error."""
    if "brian2" not in sys.modules:   # nothing was built: not Brian2's
        return None
    from brian2.core.base import BrianObjectException

    standalone = _standalone_failure(exc)
    if standalone is not None:
        return standalone
    if not isinstance(exc, BrianObjectException):
        return None
    inner = exc
    while isinstance(inner.__cause__, BrianObjectException):
        inner = inner.__cause__
    cause = inner.__cause__ or inner.__context__
    what = " ".join(str(getattr(inner, "_brian_message", "")).split()).rstrip(".")
    line = f"Brian2 failed in object '{getattr(inner, '_brian_objname', '?')}'" + (f" ({what})" if what else "")
    if cause is not None:
        text = str(cause).strip()
        line += f": {type(cause).__name__}" + (f": {text.splitlines()[0]}" if text else "")
    return line


def _standalone_failure(exc: BaseException) -> str | None:
    """cpp_standalone's (and brian2cuda's) own failures: the compiler or the compiled program failed.  Brian2
    raises a RuntimeError from its device code after the compiler's or the program's output; that output
    says what went wrong, and the controller keeps the generated code's folder (it says where).  Only these
    two messages, raised inside Brian2's devices, are said in one line."""
    if not isinstance(exc, RuntimeError):
        return None
    text = str(exc).strip()
    if not text.startswith(("Project compilation failed", "Project run failed")):
        return None
    tb, raised_in = exc.__traceback__, ""
    while tb is not None:
        raised_in, tb = tb.tb_frame.f_code.co_filename, tb.tb_next
    if f"{os.sep}brian2{os.sep}devices{os.sep}" not in raised_in and f"{os.sep}brian2cuda{os.sep}" not in raised_in:
        return None
    step = "the compiler's messages" if text.startswith("Project compilation") else "the program's output"
    first = text.splitlines()[0].split(" Consider running with")[0]   # (Brian2's clean=True is not a pdlf option)
    return f"Brian2's compiled code failed: {first} ({step} are above)"


def _interrupted(args) -> str:
    """What an interrupted command leaves, and how to go on (only a run with a checkpoint resumes)."""
    if args.command != "train":
        return "pdlf: interrupted"
    from .evolve import has_checkpoint
    if has_checkpoint(args.out):
        return f"pdlf: interrupted; continue with: pdlf train --out {args.out} --resume"
    return ("pdlf: interrupted before the first generation finished; nothing to resume: "
            "run the same command again (without --resume)")


if __name__ == "__main__":
    sys.exit(main())
