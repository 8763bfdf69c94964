"""The evolution loop: CMA-ES (pycma ask/tell) over rule coefficients.

Per generation, the ``pop`` samples and the distribution's centre are evaluated
together in one batched network run (the centre is the reference's checkpoint;
the best sample is what an ES reports: we report both).  After every
generation the run directory gets a checkpoint, ``progress.csv`` and
``centres.npy`` (row g: the centre after generation g's update, i.e. the one
scored in progress row g + 1; the last row is the final centre); ``resume=True`` continues from the last checkpoint and ends
with the same result as an uninterrupted run.  A finished run is extended by
resuming it with more ``generations`` (same result as a run of that length).

Randomness: one seed.  CMA-ES samples from a generator of its own
(``RandomState(seed + 1)``), pickled with the ES in every checkpoint; the task's
sequences for generation g come from ``default_rng([seed, g])``; the final test
from ``default_rng([seed, TEST_STREAM])``.
"""
from __future__ import annotations

import csv
import json
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from .config import Config, ConfigError
from .progress import Progress

TEST_STREAM = 2**31 - 1
CHECKPOINT = "checkpoint.pkl"
PREVIOUS = "checkpoint.prev.pkl"
#: what a finished run adds to its directory (a resumed extension removes them until it finishes)
FINAL_OUTPUTS = ("genome_centre.npy", "genome_best.npy", "result.json", "obs_stats.json")
FIELDS = ("generation", "best", "mean", "centre", "best_fitness", "centre_fitness", "diverged", "seconds")


class CheckpointError(RuntimeError):
    pass


def make_es(n: int, cfg: Config):
    """CMA-ES; separable (diagonal covariance) above ``cfg.separable_above`` dimensions.

    Full covariance costs O(n^2) per sample and O(n^3) per eigendecomposition
    (pycma issue 21), and its learning rate scales like 2/n^2, so in a budget of
    a few hundred generations it barely adapts beyond a few hundred dimensions;
    the diagonal variant learns (n+3)/3 times faster (Ros & Hansen 2008).
    """
    import cma

    # The ES draws its samples from a generator of its own, which is pickled with it: the checkpoint
    # owns the whole random state of the search.  (pycma's default is the bound method
    # np.random.randn; pickling the ES copies NumPy's global generator, so a resumed ES drew from a
    # private copy while other draws went to the global one, and the resumed run diverged.)
    randn = np.random.RandomState(cfg.seed + 1).randn
    opts = {"popsize": cfg.pop, "seed": float("nan"), "randn": randn, "verbose": -9,
            "CMA_diagonal": n > cfg.separable_above}
    return cma.CMAEvolutionStrategy(np.zeros(n), cfg.sigma0, opts)


def es_call(counts: dict, fn, *args):
    """``fn(*args)`` (the ES's ask or tell) with pycma's own warnings caught and counted into ``counts``.

    pycma warns through :mod:`warnings` with the numbers in the message (e.g. "elements of z2[k] are larger
    than 55: [(k, idx, values)]=..."), so Python's once-per-place filter printed every occurrence: a long
    run printed 128 such warnings, 3 lines each, through ``--quiet``.  Returns ``fn``'s value; ``counts``
    gains ``{kind: count}``, a kind being the place that warned (pycma's file and line), named by its first
    message up to ': '.
    Warnings from elsewhere (numpy inside pycma, say) are passed on to Python's filters unchanged.
    """
    import warnings

    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = fn(*args)
    finally:
        kinds: dict[tuple, list] = {}
        for w in caught:
            if f"{os.sep}cma{os.sep}" in w.filename:
                kind = kinds.setdefault((w.category.__name__, w.filename, w.lineno),
                                        [str(w.message).split(": ", 1)[0].strip().split("\n")[0][:120], 0])
                kind[1] += 1
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    for name, n in kinds.values():
        counts[name] = counts.get(name, 0) + n
    return value


class SimulatedCrash(BaseException):
    """Raised at a fault-injection point (tests): the process 'dies' there, leaving its files as a kill would."""


#: stages of one generation at which a test may inject a crash (``PDLF_TEST_FAULT=stage:generation[:kill]``)
FAULT_STAGES = ("evaluate", "tell", "checkpoint-write", "checkpoint-rename", "progress")


def _fault(stage: str, generation: int) -> None:
    spec = os.environ.get("PDLF_TEST_FAULT")
    if not spec:
        return
    where, _, rest = spec.partition(":")
    g, _, how = rest.partition(":")
    if where == stage and int(g) == generation:
        if how == "kill":
            import signal
            os.kill(os.getpid(), signal.SIGKILL)
        raise SimulatedCrash(f"{stage} of generation {generation}")


def _atomic_pickle(obj, path: Path, generation: int | None = None) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    if generation is not None:
        _fault("checkpoint-write", generation)
    if path.exists():
        os.replace(path, path.parent / PREVIOUS)
    if generation is not None:
        _fault("checkpoint-rename", generation)
    os.replace(tmp, path)


def load_checkpoint(run_dir: Path) -> dict:
    """The newest readable checkpoint; falls back to the previous one if it is corrupt or missing
    (a kill between the two renames of a checkpoint write leaves only the previous one)."""
    errors = []
    for name in (CHECKPOINT, PREVIOUS):
        path = Path(run_dir) / name
        if not path.exists():
            continue
        try:
            with open(path, "rb") as f:
                state = pickle.load(f)
            if not isinstance(state, dict) or "generation" not in state:
                raise CheckpointError("not a pdlf checkpoint")
            if errors:
                print(f"pdlf: warning: {errors[0]}; resuming from {name}")
            return state
        except Exception as exc:  # truncated, corrupt or foreign file
            errors.append(f"checkpoint {path} is unreadable ({type(exc).__name__}: {exc})".splitlines()[0])
    raise CheckpointError("; ".join(errors) if errors else
                          f"--resume: {run_dir} holds no checkpoint (no generation has finished there); "
                          "start the run without --resume")


def has_checkpoint(run_dir: Path) -> bool:
    return any((Path(run_dir) / n).exists() for n in (CHECKPOINT, PREVIOUS))


class Trainer:
    """One run directory, one process: the evolution loop with exact checkpoints.

    The directory is locked for the Trainer's lifetime (:class:`pdlf_brian.rundir.RunLock`).  A new
    run saves its config, the flattened model files (``models/``) and the versions; a resumed run
    checks the checkpoint's fingerprint against the current inputs and refuses any difference.
    """

    def __init__(self, cfg: Config, out: str | Path, resume: bool = False, quiet: bool = False):
        from .evaluate import check_backend_available
        from .rundir import RunLock, check_writable

        self.cfg = cfg.validate()
        check_backend_available(self.cfg.backend)   # no brian2cuda or no GPU: one line, nothing written
        # what only Brian2's build sees (units of EQUATIONS, a pathway writing an unknown variable), now: for
        # a rule given by name too (a file added to or edited in models/rules); once per rule text
        from .check import build_problem_cached
        from .rules import load_rule
        problem = build_problem_cached(load_rule(self.cfg.rule), self.cfg.model)
        if problem:
            raise ConfigError(f"config key 'rule': {problem}")
        self.dir = Path(out)
        self.quiet = quiet
        self.resume = resume
        self._checkpoint = None  # the checkpoint a resumed run continues from (read once)
        check_writable(self.dir)
        if resume and not has_checkpoint(self.dir):
            raise CheckpointError(f"--resume: {self.dir} holds no checkpoint (no generation has finished there); "
                                  "start the run without --resume")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = RunLock(self.dir)
        try:
            self._prepare()
        except BaseException:
            self._lock.release()
            raise

    def _prepare(self):
        from . import rundir

        cfg = self.cfg
        if not self.resume:
            if has_checkpoint(self.dir):
                raise ConfigError(f"{self.dir} already holds a run; use --resume to continue it or another --out")
            return
        # a run may be extended (more generations): nothing before the last generation
        # depends on the total, so 40 generations extended to 100 equal a 100-generation run
        self._checkpoint = load_checkpoint(self.dir)
        rundir.check_copies(self.dir)
        saved = self._checkpoint.get("fingerprint")
        if saved is not None:
            problem = rundir.compare(saved, rundir.fingerprint(cfg), self.dir)
            if problem:
                raise ConfigError(problem)
        done = self._checkpoint["generation"]
        if cfg.generations < done:
            raise ConfigError(f"--resume: generations={cfg.generations} but the run in {self.dir} has "
                              f"already done {done}; give --generations {done} or more")

    def _log(self, msg: str) -> None:
        if not self.quiet:
            print(msg, flush=True)

    def run(self) -> dict:
        from . import rundir
        from .evaluate import check_memory
        from .parallel import make_parallel_evaluator

        cfg = self.cfg
        try:
            check_memory(cfg)
            (self.dir / "figures").mkdir(exist_ok=True)
            if not self.resume:
                if cfg.rule.endswith(".py"):  # a relative path would break a resume from elsewhere
                    cfg.rule = str(Path(cfg.rule).resolve())
                if isinstance(cfg.neuron, str) and cfg.neuron.endswith(".py"):  # likewise (a neuron.py of
                    cfg.neuron = str(Path(cfg.neuron).resolve())                # another folder is another neuron)
                rundir.save_model_files(self.dir, rundir.model_files(cfg))
            for warning in start_warnings(cfg):
                print(f"pdlf: warning: {warning}", flush=True)
            environment = rundir.environment(cfg.native)
            if self.resume and cfg.environment and _differs(cfg.environment, environment):
                # always said (--quiet too) and kept in events.log: config.json records the versions now
                changed = _differs(cfg.environment, environment)
                print(f"pdlf: warning: resumed with {changed}; the run started with other versions, so its "
                      "numbers may differ from an uninterrupted run", file=sys.stderr, flush=True)
                done = self._checkpoint["generation"] if self._checkpoint else 0
                with (self.dir / "events.log").open("a") as f:
                    f.write(f"resumed at generation {done} with other versions: {changed}\n")
            cfg.environment = environment
            cfg.save(self.dir / "config.json")
            t_build = time.perf_counter()
            copies = cfg.sequences if cfg.task == "wm" else cfg.tasks_per_eval
            self._log(f"pdlf: building the batched network ({cfg.pop + 1} individuals x {copies} copies, "
                      f"model {cfg.model}, backend {cfg.backend}"
                      + (f", on Ray at {cfg.ray}" if cfg.ray else f", {cfg.workers} worker processes"
                         if cfg.workers > 1 else "") + ") ...")
            evaluator = make_parallel_evaluator(cfg, cfg.pop + 1, cfg.workers, cfg.ray)
            try:
                return self._run(cfg, evaluator, t_build)
            finally:
                if hasattr(evaluator, "close"):
                    evaluator.close()
        finally:
            self._lock.release()

    def _run(self, cfg, evaluator, t_build):
        from . import rundir

        layout = evaluator.layout
        rundir.write_atomic(self.dir / "genome_layout.json", json.dumps(layout.describe(), indent=1))
        self._log(f"pdlf: genome of {layout.size} numbers; built in {time.perf_counter() - t_build:.1f}s")

        if self.resume:
            state, self._checkpoint = self._checkpoint, None  # not kept for the whole run
            es = pickle.loads(state["es"])
            history, centres = state["history"], state["centres"]
            best = state["best"]
            start, wall = state["generation"], state["wall_seconds"]
            evaluator.load_state_dict(state.get("evaluator", {}))
            es_kinds_said = set(state.get("es_kinds_said", ()))   # pycma's notes already said (not again)
            self._trim_events(start)
            # an extension of a finished run: its final outputs belong to the shorter run; until this one
            # finishes the directory must not look finished (analyses and the grids read these files)
            for name in FINAL_OUTPUTS:
                (self.dir / name).unlink(missing_ok=True)
            self._log(f"pdlf: resuming after generation {start}")
        else:
            es = make_es(layout.size, cfg)
            history, centres = [], []
            best = {"fitness": -np.inf, "genome": np.zeros(layout.size), "generation": -1}
            start, wall = 0, 0.0
            es_kinds_said = set()
        fingerprint = rundir.fingerprint(cfg)

        bar = Progress(cfg.generations, start, label="pdlf train", enabled=not self.quiet)
        for g in range(start, cfg.generations):
            t0 = time.perf_counter()
            es_warned: dict[str, int] = {}
            samples = np.asarray(es_call(es_warned, es.ask))
            genomes = np.vstack([samples, es.mean[None, :]])
            acc, fit, diverged = evaluator.evaluate(genomes, np.random.default_rng([cfg.seed, g]))
            _fault("evaluate", g)
            es_call(es_warned, es.tell, list(samples), list(-fit[:-1]))
            _fault("tell", g)
            k = int(np.argmax(fit[:-1]))
            if fit[k] > best["fitness"]:
                best = {"fitness": float(fit[k]), "genome": samples[k].copy(), "generation": g}
            seconds = time.perf_counter() - t0
            wall += seconds
            history.append({"generation": g, "best": float(acc[k]), "mean": float(acc[:-1].mean()),
                            "centre": float(acc[-1]), "best_fitness": float(fit[k]),
                            "centre_fitness": float(fit[-1]), "diverged": int(diverged.sum()),
                            "seconds": round(seconds, 4)})
            centres.append(es.mean.astype(np.float32))
            events = []
            if diverged.any():
                worst = "fitness -2" if cfg.task == "wm" else "a return penalty, episodes ended"
                events.append(f"generation {g}: {int(diverged.sum())} genome(s) diverged (non-finite weights or "
                              f"outputs); given {worst}")
            events += [f"generation {g}: {e}" for e in evaluator.take_events()]
            for kind, n in es_warned.items():  # one line per kind and generation, in events.log only
                events.append(f"generation {g}: CMA-ES (pycma) warned {n}x: {kind}")
                if kind not in es_kinds_said:  # said once per run, --quiet or not
                    es_kinds_said.add(kind)
                    print(f"pdlf: note: generation {g}: CMA-ES (pycma) warned: {kind!r}; it is counted per "
                          f"generation in {self.dir / 'events.log'}, not printed again", file=sys.stderr, flush=True)
            state = {"es": es.pickle_dumps(), "generation": g + 1, "history": history, "centres": centres,
                     "best": best, "wall_seconds": wall, "evaluator": evaluator.state_dict(),
                     "fingerprint": fingerprint, "es_kinds_said": sorted(es_kinds_said)}
            try:
                if events:
                    with (self.dir / "events.log").open("a") as f:
                        f.write("\n".join(events) + "\n")
                _atomic_pickle(state, self.dir / CHECKPOINT, generation=g)
                _fault("progress", g)
                self._write_progress(history, centres)
            except OSError as exc:
                raise CheckpointError(
                    f"could not write generation {g}'s files in {self.dir} ({exc.strerror or exc}); nothing was "
                    f"lost: the checkpoint of generation {g - 1 if g else 'none'} is intact. Free space (or fix "
                    f"the directory) and continue with: pdlf train --out {self.dir} --resume") from None
            bar.update(g + 1, f"best {acc[k]:.3f} centre {acc[-1]:.3f} {seconds:.2f}s/gen")
        bar.close()

        centre = es.mean.copy()
        evaluator.freeze_stats()  # docs/method.md 4: statistics frozen at evaluation
        n_test = cfg.test_sequences if cfg.task == "wm" else 8
        self._log(f"pdlf: final test of the centre and the best sample on "
                  f"{f'{n_test} fresh sequences' if cfg.task == 'wm' else 'the 8 training tasks'} ...")
        test = evaluator.test(np.vstack([centre, best["genome"]]), np.random.default_rng([cfg.seed, TEST_STREAM]),
                              n_test)
        rundir.write_atomic(self.dir / "genome_centre.npy", centre)
        rundir.write_atomic(self.dir / "genome_best.npy", np.asarray(best["genome"]))
        result = {"task": cfg.task, "model": cfg.model, "rule": cfg.rule, "sharing": cfg.sharing,
                  "normalise": cfg.normalise, "topology": cfg.topology, "backend": cfg.backend, "hidden": cfg.hidden,
                  "seed": cfg.seed, "generations": cfg.generations, "pop": cfg.pop, "genome_size": layout.size,
                  "separable_cma": bool(layout.size > cfg.separable_above),
                  "score_centre": float(test[0]), "score_best": float(test[1]),
                  "best_generation": best["generation"], "wall_seconds": round(wall, 2),
                  "environment": cfg.environment}
        if cfg.task == "wm":
            result.update({"score": "recall accuracy", "length": cfg.length, "latency": cfg.latency, "hold": cfg.hold,
                           "test_sequences": cfg.test_sequences,
                           "sequence_evaluations": cfg.generations * (cfg.pop + 1) * cfg.sequences})
            title = (f"wm Len {cfg.length} Lat {cfg.latency}{f' hold {cfg.hold}' if cfg.hold > 1 else ''}: "
                     f"{cfg.rule} ({cfg.model}, {cfg.topology})")
            what = f"recall accuracy on {cfg.test_sequences} fresh sequences"
        else:
            result.update({"score": "mean return over the training tasks", "episode_steps": cfg.episode_steps,
                           "tasks_per_eval": cfg.tasks_per_eval, "action_bounds": cfg.action_bounds,
                           "actuators": cfg.actuators, "env_options": cfg.env_options,
                           "env_steps_budget": cfg.generations * (cfg.pop + 1) * cfg.tasks_per_eval
                           * cfg.episode_steps})
            rundir.write_atomic(self.dir / "obs_stats.json", json.dumps(
                {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                 for k, v in evaluator.state_dict()["obs_normaliser"].items()}) + "\n")
            title = f"{cfg.task_label()}: {cfg.rule} ({cfg.model}, {cfg.topology}, {cfg.episode_steps} steps)"
            what = "mean return over the training tasks, statistics frozen"
        rundir.write_atomic(self.dir / "result.json", json.dumps(result, indent=2) + "\n")
        from .figures import learning_curve
        learning_curve(history, self.dir / "figures" / "learning_curve.png", title=title,
                       ylabel="recall accuracy" if cfg.task == "wm" else "mean return")
        self._log(f"pdlf: centre {result['score_centre']:.3f}, best {result['score_best']:.3f} "
                  f"({what}); results in {self.dir}")
        return result

    def _trim_events(self, start: int) -> None:
        """Drop events.log lines of generations >= start: they are about to be run again (a kill after
        the events were written but before the checkpoint would otherwise repeat them)."""
        path = self.dir / "events.log"
        if not path.exists():
            return
        keep = []
        for line in path.read_text().splitlines():
            head = line.split(":", 1)[0]
            if head.startswith("generation ") and head[11:].isdigit() and int(head[11:]) >= start:
                continue
            keep.append(line)
        from .rundir import write_atomic
        write_atomic(path, "".join(l + "\n" for l in keep))

    def _write_progress(self, history, centres) -> None:
        tmp = self.dir / "progress.csv.tmp"
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(history)
        os.replace(tmp, self.dir / "progress.csv")
        tmp = self.dir / "centres.tmp.npy"
        np.save(tmp, np.asarray(centres))
        os.replace(tmp, self.dir / "centres.npy")


def _differs(saved: dict, now: dict) -> str:
    """'brian2 2.8.0 -> 2.9.0, ...' for the versions that differ (empty if none)."""
    keys = ("python", "pdlf_brian", "pdlf_brian_commit", "brian2", "numpy", "cython", "cma", "gymnasium",
            "mujoco", "compile_flags", "blas")
    # a key the run's config.json does not have (written by an older version of the package) is unknown,
    # not changed
    return ", ".join(f"{k} {saved.get(k)} -> {now.get(k)}" for k in keys if k in saved and saved[k] != now.get(k))


def symmetric_layers(cfg: Config, rule, init) -> list[str]:
    """The layers whose postsynaptic neurons nothing tells apart: a rule shared per presynaptic neuron (or
    per input kind, or one per layer) from equal initial weights (all zero: the paper) gives every column
    of the layer the same increments, so its postsynaptic neurons keep the same weights and, being
    deterministic and fed the same inputs, the same activity for ever (tests/test_reference_model.py,
    tests/test_bio_model.py; the biological model's default WM protocol is such a case, docs/results.md).
    Hidden neurons stay alike unless a plastic recurrent layer with another sharing tells them apart;
    noise in the rule or the neuron (drawn per synapse or per neuron) breaks the symmetry, so stochastic
    models are not warned about.

    The other symmetry of this kind: the biological model's push-pull input pairs, given one rule per
    postsynaptic neuron (or layer) from zero weights, respond alike to an input and its sign-flipped twin
    (noise or not; tests/test_bio_wm.py)."""
    from .genome import parse_sharing
    from .modelfiles import model_noise

    if not rule.plastic or not init.is_constant:
        return []
    default, per_layer = parse_sharing(cfg.sharing)
    found = []
    if cfg.model == "bio" and init.is_zero and per_layer.get("in", default) in ("post", "layer"):
        found.append(f"sharing '{cfg.sharing}' gives the push-pull input pairs of the biological model the same "
                     f"rule from the same zero weights: the network then responds identically to an input and its "
                     f"sign-flipped twin (a WM sequence and its complement), so it cannot tell them apart; use "
                     f"'channel', 'pre' or 'synapse' on the input layer (e.g. 'post,in=channel') or non-zero --init-weights")
    neuron = None
    if cfg.model == "bio":
        from .neurons import load_neuron
        neuron = load_neuron(cfg.neuron)
    if model_noise(rule, neuron):
        return found
    start = "all-zero weights" if init.is_zero else f"equal initial weights ({cfg.init_weights})"
    alike = {l: per_layer.get(l, default) in ("pre", "layer", "channel") for l in ("in", "rec", "out")}
    if alike["in"] and (cfg.topology != "rec" or alike["rec"]):
        instead = ("per 'synapse' there (per 'post' has the push-pull twins' problem)" if cfg.model == "bio"
                   else "per 'post' or 'synapse' there")
        found.append(f"sharing '{cfg.sharing}' from {start}: layer 'in' shares its rule across the hidden "
                     f"neurons, so all {cfg.hidden} hidden neurons keep the same weights and spike alike (one "
                     f"hidden neuron, {cfg.hidden} times); share {instead}, or give random --init-weights "
                     f"(e.g. uniform:0,0.1)")
    if alike["out"] and cfg.task != "wm":   # (the WM readout is one neuron)
        what = "every action is the same number"
        found.append(f"sharing '{cfg.sharing}' from {start}: layer 'out' shares its rule across the "
                     f"readout neurons, so they keep the same weights ({what}); share per 'post' or 'synapse' "
                     f"there, or give random --init-weights (e.g. uniform:0,0.1)")
    return found


def start_warnings(cfg: Config) -> list[str]:
    """Settings that run, but cannot learn (a warning each, not an error)."""
    from .rules import load_rule, silent_start, slow_equations
    from .weights import for_rule

    rule = load_rule(cfg.rule)
    init = for_rule(cfg.init_weights, rule)
    found = []
    silent = silent_start(rule, init.is_zero)
    if silent:
        found.append(silent)
    if cfg.model == "bio":
        found += slow_equations(rule)
    from .rundir import blas
    b = blas()
    if not b["pinned"]:
        found.append(f"numpy's BLAS is {b['description']} ({b['why']}): CMA-ES's numbers can differ from the "
                     f"same command on another machine; the package pins OpenBLAS's baseline kernel and one thread "
                     f"when it is imported before numpy, from a clean environment (docs/benchmarks.md)")
    found += symmetric_layers(cfg, rule, init)
    return found
