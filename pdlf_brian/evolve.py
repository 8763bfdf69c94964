"""The evolution loop: CMA-ES (pycma ask/tell) over rule coefficients.

Per generation, the ``pop`` samples and the distribution's centre are evaluated
together in one batched network run (the centre is the reference's checkpoint;
the best sample is what an ES reports: we report both).  After every
generation the run directory gets a checkpoint, ``progress.csv`` and
``centres.npy``; ``resume=True`` continues from the last checkpoint and ends
with the same result as an uninterrupted run.  A finished run is extended by
resuming it with more ``generations`` (same result as a run of that length).

Randomness: one seed.  CMA-ES samples from NumPy's global generator (pycma
seeds it from the ``seed`` option; its state is checkpointed); the task's
sequences for generation g come from ``default_rng([seed, g])``; the final test
from ``default_rng([seed, TEST_STREAM])``.
"""
from __future__ import annotations

import csv
import json
import os
import pickle
import time
from pathlib import Path

import numpy as np

from .config import Config, ConfigError
from .progress import Progress

TEST_STREAM = 2**31 - 1
CHECKPOINT = "checkpoint.pkl"
PREVIOUS = "checkpoint.prev.pkl"
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

    opts = {"popsize": cfg.pop, "seed": cfg.seed + 1, "verbose": -9, "CMA_diagonal": n > cfg.separable_above}
    return cma.CMAEvolutionStrategy(np.zeros(n), cfg.sigma0, opts)


def _atomic_pickle(obj, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    if path.exists():
        os.replace(path, path.parent / PREVIOUS)
    os.replace(tmp, path)


def load_checkpoint(run_dir: Path) -> dict:
    """The newest readable checkpoint; falls back to the previous one if it is corrupt."""
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
            errors.append(f"checkpoint {path} is unreadable ({type(exc).__name__}: {exc})")
    raise CheckpointError("; ".join(errors) if errors else f"no checkpoint in {run_dir}")


class Trainer:
    def __init__(self, cfg: Config, out: str | Path, resume: bool = False, quiet: bool = False):
        self.cfg = cfg.validate()
        self.dir = Path(out)
        self.quiet = quiet
        self.resume = resume
        self._checkpoint = None  # the checkpoint a resumed run continues from (read once)
        if resume:
            # a run may be extended (more generations): nothing before the last generation
            # depends on the total, so 40 generations extended to 100 equal a 100-generation run
            saved = Config.load(self.dir / "config.json").science()
            now = cfg.science()
            diff = {k: (v, now[k]) for k, v in saved.items() if now[k] != v and k != "generations"}
            if diff:
                raise ConfigError(f"--resume: config differs from the saved run in {diff}")
            self._checkpoint = load_checkpoint(self.dir)
            done = self._checkpoint["generation"]
            if cfg.generations < done:
                raise ConfigError(f"--resume: generations={cfg.generations} but the run in {self.dir} has "
                                  f"already done {done}; give --generations {done} or more")
        elif (self.dir / CHECKPOINT).exists():
            raise ConfigError(f"{self.dir} already holds a run; use --resume to continue it or another --out")

    def _log(self, msg: str) -> None:
        if not self.quiet:
            print(msg, flush=True)

    def run(self) -> dict:
        from .parallel import make_parallel_evaluator

        cfg = self.cfg
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "figures").mkdir(exist_ok=True)
        cfg.save(self.dir / "config.json")
        t_build = time.perf_counter()
        copies = cfg.sequences if cfg.task == "wm" else cfg.tasks_per_eval
        self._log(f"pdlf: building the batched network ({cfg.pop + 1} individuals x {copies} copies, "
                  f"backend {cfg.backend}"
                  + (f", on Ray at {cfg.ray}" if cfg.ray else f", {cfg.workers} worker processes" if cfg.workers > 1 else "")
                  + ") ...")
        evaluator = make_parallel_evaluator(cfg, cfg.pop + 1, cfg.workers, cfg.ray)
        try:
            return self._run(cfg, evaluator, t_build)
        finally:
            if hasattr(evaluator, "close"):
                evaluator.close()

    def _run(self, cfg, evaluator, t_build):
        layout = evaluator.layout
        (self.dir / "genome_layout.json").write_text(json.dumps(layout.describe(), indent=1))
        self._log(f"pdlf: genome of {layout.size} numbers; built in {time.perf_counter() - t_build:.1f}s")

        if self.resume:
            state, self._checkpoint = self._checkpoint, None  # not kept for the whole run
            es = pickle.loads(state["es"])
            np.random.set_state(state["np_random"])
            history, centres = state["history"], state["centres"]
            best = state["best"]
            start, wall = state["generation"], state["wall_seconds"]
            evaluator.load_state_dict(state.get("evaluator", {}))
            self._log(f"pdlf: resuming after generation {start}")
        else:
            es = make_es(layout.size, cfg)
            history, centres = [], []
            best = {"fitness": -np.inf, "genome": np.zeros(layout.size), "generation": -1}
            start, wall = 0, 0.0

        bar = Progress(cfg.generations, start, label="pdlf train", enabled=not self.quiet)
        for g in range(start, cfg.generations):
            t0 = time.perf_counter()
            samples = np.asarray(es.ask())
            genomes = np.vstack([samples, es.mean[None, :]])
            acc, fit, diverged = evaluator.evaluate(genomes, np.random.default_rng([cfg.seed, g]))
            es.tell(list(samples), list(-fit[:-1]))
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
            if events:
                with (self.dir / "events.log").open("a") as f:
                    f.write("\n".join(events) + "\n")
            _atomic_pickle({"es": es.pickle_dumps(), "np_random": np.random.get_state(), "generation": g + 1,
                            "history": history, "centres": centres, "best": best, "wall_seconds": wall,
                            "evaluator": evaluator.state_dict()},
                           self.dir / CHECKPOINT)
            self._write_progress(history, centres)
            bar.update(g + 1, f"best {acc[k]:.3f} centre {acc[-1]:.3f} {seconds:.2f}s/gen")
        bar.close()

        centre = es.mean.copy()
        evaluator.freeze_stats()  # METHOD.md 4: statistics frozen at evaluation
        test = evaluator.test(np.vstack([centre, best["genome"]]), np.random.default_rng([cfg.seed, TEST_STREAM]),
                              cfg.test_sequences if cfg.task == "wm" else 8)
        np.save(self.dir / "genome_centre.npy", centre)
        np.save(self.dir / "genome_best.npy", best["genome"])
        result = {"task": cfg.task, "model": cfg.model, "rule": cfg.rule, "sharing": cfg.sharing,
                  "topology": cfg.topology, "backend": cfg.backend, "hidden": cfg.hidden,
                  "seed": cfg.seed, "generations": cfg.generations, "pop": cfg.pop, "genome_size": layout.size,
                  "separable_cma": bool(layout.size > cfg.separable_above),
                  "score_centre": float(test[0]), "score_best": float(test[1]),
                  "best_generation": best["generation"], "wall_seconds": round(wall, 2)}
        if cfg.task == "wm":
            result.update({"score": "recall accuracy", "length": cfg.length, "latency": cfg.latency,
                           "test_sequences": cfg.test_sequences,
                           "sequence_evaluations": cfg.generations * (cfg.pop + 1) * cfg.sequences})
            title = f"wm Len {cfg.length} Lat {cfg.latency}: {cfg.rule} ({cfg.model}, {cfg.topology})"
            what = f"recall accuracy on {cfg.test_sequences} fresh sequences"
        else:
            result.update({"score": "mean return over the training tasks", "episode_steps": cfg.episode_steps,
                           "tasks_per_eval": cfg.tasks_per_eval, "action_bounds": cfg.action_bounds,
                           "env_steps_budget": cfg.generations * (cfg.pop + 1) * cfg.tasks_per_eval
                           * cfg.episode_steps})
            (self.dir / "obs_stats.json").write_text(json.dumps(
                {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                 for k, v in evaluator.state_dict()["obs_normaliser"].items()}) + "\n")
            title = f"{cfg.task}: {cfg.rule} ({cfg.model}, {cfg.topology}, {cfg.episode_steps} steps)"
            what = "mean return over the training tasks, statistics frozen"
        (self.dir / "result.json").write_text(json.dumps(result, indent=2) + "\n")
        from .figures import learning_curve
        learning_curve(history, self.dir / "figures" / "learning_curve.png", title=title,
                       ylabel="recall accuracy" if cfg.task == "wm" else "mean return")
        self._log(f"pdlf: centre {result['score_centre']:.3f}, best {result['score_best']:.3f} "
                  f"({what}); results in {self.dir}")
        return result

    def _write_progress(self, history, centres) -> None:
        tmp = self.dir / "progress.csv.tmp"
        with open(tmp, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(history)
        os.replace(tmp, self.dir / "progress.csv")
        np.save(self.dir / "centres.npy", np.asarray(centres))
