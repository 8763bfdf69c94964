"""Parallel evaluation: the population split across persistent workers.

    pdlf train ... --workers 2          local processes (the embedded default)
    pdlf train ... --ray auto           Ray actors (``--ray ADDRESS`` for a running cluster)

Each worker builds its own batched network once (for its slice of the
population) and keeps it for the whole run: no rebuild per generation.  The
population (samples + centre) is cut into contiguous slices; every worker gets
the generation's random generator in the same state (it draws the same WM
sequences or the same tasks and environment seeds) and the same observation
statistics, and returns its slice's scores and, for the RL tasks, the
observations each individual saw.  Those are merged into the statistics
individual by individual, in population order, so ``--workers N`` gives the
same results as ``--workers 1`` (tested).

A Ray worker that dies is replaced by a new actor and its slice is evaluated
again; the generation completes.
"""
from __future__ import annotations

import multiprocessing as mp
import traceback

import numpy as np

from .closed_loop import checkpoint_state, load_checkpoint_state
from .config import Config


class _Served:
    """What a worker does with one request (runs inside the worker)."""

    def __init__(self, cfg_dict: dict, n_individuals: int):
        from .evaluate import make_evaluator
        self.evaluator = make_evaluator(Config.from_dict(cfg_dict), n_individuals)

    def __call__(self, kind, genomes, rng, state, frozen, extra):
        ev = self.evaluator
        ev.load_state_dict(state)
        if frozen:
            ev.freeze_stats()
        if kind == "evaluate":
            result = ev.evaluate(genomes, rng, merge=False)
            return result, ev.collected, ev.take_events()
        if kind == "test":
            return ev.test(genomes, rng, extra), [], ev.take_events()
        raise ValueError(f"unknown request {kind!r}")


def _process_main(conn, cfg_dict, n_individuals):
    try:
        served = _Served(cfg_dict, n_individuals)
        conn.send(("ready", None))
    except Exception:
        conn.send(("error", traceback.format_exc()))
        return
    while True:
        msg = conn.recv()
        if msg is None:
            return
        try:
            conn.send(("ok", served(*msg)))
        except Exception:
            conn.send(("error", traceback.format_exc()))


class WorkerError(RuntimeError):
    pass


class _Statistics:
    """The main process's share of an evaluator: the observation statistics (RL tasks), no network."""

    def __init__(self, cfg: Config):
        self.normaliser = None
        if cfg.task != "wm":
            from .closed_loop import ObsNormaliser
            from .evaluate import env_sizes
            n_obs, _, raw_last = env_sizes(cfg.task)
            self.normaliser = ObsNormaliser(n_obs, raw_last=raw_last)

    def state_dict(self) -> dict:
        return checkpoint_state(self.normaliser)

    def load_state_dict(self, state: dict) -> None:
        load_checkpoint_state(self.normaliser, state)

    def merge_stats(self, collected) -> None:
        if self.normaliser is not None:
            self.normaliser.merge_all(collected)

    def freeze_stats(self) -> None:
        if self.normaliser is not None:
            self.normaliser.frozen = True


class _Pool:
    """Shared logic: slicing, dispatch, merging.  Subclasses start/stop workers and move messages."""

    def __init__(self, cfg: Config, n_individuals: int, n_workers: int):
        from .evaluate import layout_for

        if n_workers < 1 or n_workers > n_individuals:
            raise ValueError(f"workers must be between 1 and the {n_individuals} individuals, got {n_workers}")
        self.cfg = cfg
        self.P = n_individuals
        self.slices = np.array_split(np.arange(n_individuals), n_workers)
        self.local = _Statistics(cfg)  # the statistics live here; the networks live in the workers
        self.layout = layout_for(cfg)
        self._events = []
        self._start()

    # -- the evaluator interface
    def _map(self, kind, genomes, rng, extra=None, frozen=False):
        genomes = np.atleast_2d(np.asarray(genomes, dtype=float))
        state = self.local.state_dict()
        jobs = []
        start = 0
        for w, sl in enumerate(self.slices):
            part = genomes[start:start + len(sl)]
            start += len(sl)
            if len(part):
                jobs.append((w, (kind, part, rng, state, frozen, extra)))
        results = self._run(jobs)
        for _, _, events in results:
            self._events += events
        return results

    def evaluate(self, genomes, rng):
        results = self._map("evaluate", genomes, rng)
        merged = [np.concatenate([r[0][i] for r in results]) for i in range(3)]
        for _, collected, _ in results:  # slices in population order
            self.local.merge_stats(collected)
        return tuple(merged)

    def test(self, genomes, rng, n):
        return np.concatenate([r[0] for r in self._map("test", genomes, rng, n, frozen=True)])

    def state_dict(self):
        return self.local.state_dict()

    def load_state_dict(self, state):
        self.local.load_state_dict(state)

    def freeze_stats(self):
        self.local.freeze_stats()

    def take_events(self):
        events, self._events = self._events, []
        return events


class LocalPool(_Pool):
    """Persistent local worker processes (spawn start method: no forked Brian2 state)."""

    def _start(self):
        ctx = mp.get_context("spawn")
        self.conns, self.procs = [], []
        for sl in self.slices:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_process_main, args=(child, self.cfg.to_dict(), len(sl)), daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)
        for conn in self.conns:
            status, info = conn.recv()
            if status != "ready":
                self.close()
                raise WorkerError(f"a worker failed to build its network:\n{info}")

    def _run(self, jobs):
        for w, msg in jobs:
            self.conns[w].send(msg)
        out = []
        for w, _ in jobs:
            status, info = self.conns[w].recv()
            if status != "ok":
                raise WorkerError(f"worker {w} failed:\n{info}")
            out.append(info)
        return out

    def close(self):
        for conn in self.conns:
            try:
                conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()


def make_parallel_evaluator(cfg: Config, n_individuals: int, workers: int = 1, ray_address: str | None = None):
    """The plain evaluator (1 worker, no Ray), a LocalPool, or a RayPool."""
    from .evaluate import make_evaluator

    if ray_address:
        from .ray_pool import RayPool
        return RayPool(cfg, n_individuals, max(workers, 1), ray_address)
    if workers <= 1:
        return make_evaluator(cfg, n_individuals)
    return LocalPool(cfg, n_individuals, workers)
