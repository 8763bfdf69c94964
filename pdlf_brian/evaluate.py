"""Evaluators: a batched network plus a task -> fitness per genome.

Open loop (working memory): the whole stimulus is known in advance, so it is
written into the network's input array and one ``run()`` covers the evaluation.
"""
from __future__ import annotations

import numpy as np

from .config import Config
from .rules import load_rule
from .tasks.wm import CopyTask


def build_network(cfg: Config, n_in: int, n_out: int, n_individuals: int, n_copies: int, n_steps: int,
                  record: bool = False, name: str = "pdlf"):
    """The batched network the config asks for (model x backend)."""
    rule = load_rule(cfg.rule)
    recurrent = cfg.topology == "rec"
    if cfg.model == "reference":
        if cfg.backend in ("cpp", "cuda"):
            from .standalone import StandaloneReference
            return StandaloneReference(rule, n_in, cfg.hidden, n_out, n_individuals, n_copies, n_steps,
                                       recurrent=recurrent, sharing=cfg.sharing, backend=cfg.backend,
                                       record=record, name=name)
        from .network import ReferenceNetwork
        return ReferenceNetwork(rule, n_in, cfg.hidden, n_out, n_individuals, n_copies, n_steps,
                                recurrent=recurrent, sharing=cfg.sharing, backend=cfg.backend,
                                record=record, name=name)
    from .bio import BioNetwork
    return BioNetwork(rule, n_in, cfg.hidden, n_out, n_individuals, n_copies, n_steps,
                      step_ms=cfg.stimulus_ms, dt_ms=cfg.dt_ms, recurrent=recurrent, sharing=cfg.sharing,
                      backend=cfg.backend, record=record, name=name)


class WMEvaluator:
    """Scores genomes on fresh batches of copy-task sequences."""

    def __init__(self, cfg: Config, n_individuals: int):
        self.cfg = cfg
        self.task = CopyTask(cfg.length, cfg.latency)
        self.P, self.B = n_individuals, cfg.sequences
        self.network = build_network(cfg, self.task.n_in, self.task.n_out, self.P, self.B, self.task.n_steps)
        self.layout = self.network.layout

    def evaluate(self, genomes, rng: np.random.Generator):
        """(n <= P, size) genomes on one fresh batch -> (accuracy, fitness, diverged), each (n,)."""
        genomes = np.atleast_2d(np.asarray(genomes, dtype=float))
        n = genomes.shape[0]
        if n > self.P:
            raise ValueError(f"this evaluator holds {self.P} individuals; got {n} genomes")
        padded = np.zeros((self.P, self.layout.size))
        padded[:n] = genomes
        bits = self.task.sample(rng, self.B)
        x = self.task.inputs(bits)                                       # (T, B, 3)
        x = np.broadcast_to(x[:, None], (x.shape[0], self.P) + x.shape[1:])
        readout = self.network.run_open_loop(padded, x)[..., 0]         # (T, P, B)
        accuracy, fitness = self.task.score(readout, bits)
        diverged = ~np.all(np.isfinite(readout), axis=(0, 2))
        return accuracy[:n], fitness[:n], diverged[:n]

    def test(self, genomes, rng: np.random.Generator, n_sequences: int):
        """Mean accuracy of each genome over about ``n_sequences`` fresh sequences."""
        batches = max(1, int(np.ceil(n_sequences / self.B)))
        acc = np.mean([self.evaluate(genomes, rng)[0] for _ in range(batches)], axis=0)
        return acc
