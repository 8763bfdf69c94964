"""Working-memory copy task (METHOD.md section 5, Fig. 2).

Three input channels, one output:

    channel 0  sample value: +1 / -1 for bit 1 / 0 during the first Len steps, else 0
    channel 1  sample-phase flag: 1 during the first Len steps
    channel 2  recall cue: 1 during steps Len+Lat .. 2Len+Lat-1

The target during recall step k is the k-th sample bit; the network answers
bit 1 when its readout is positive.  Score = recall accuracy (chance 0.5).

Every evaluation draws a fresh batch of random sequences; all individuals of a
generation see the same batch (common random numbers), and every sequence runs
in its own copy of the network, with its own fast weights: memory must live in
that copy's weights or state (unlike the reference, which shares one fast-weight
matrix across its batch and adds a non-plastic GRU branch; we do neither).

In the reference model one step is one stimulus; the biological model holds
each stimulus for ``stimulus_ms`` (200 ms by default).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CopyTask:
    length: int = 8
    latency: int = 8

    n_in = 3
    n_out = 1
    name = "wm"

    def __post_init__(self):
        if int(self.length) != self.length or self.length < 1:
            raise ValueError(f"wm length (--len) must be a positive integer, got {self.length!r}")
        if int(self.latency) != self.latency or self.latency < 0:
            raise ValueError(f"wm latency (--lat) must be a non-negative integer, got {self.latency!r}")

    @property
    def n_steps(self) -> int:
        return 2 * self.length + self.latency

    @property
    def recall(self) -> slice:
        return slice(self.length + self.latency, 2 * self.length + self.latency)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n random bit sequences, shape (n, Len), values 0/1."""
        return rng.integers(0, 2, size=(n, self.length))

    def inputs(self, bits: np.ndarray) -> np.ndarray:
        """(n, Len) bits -> (T, n, 3) stimulus, one row per step."""
        bits = np.asarray(bits)
        n = bits.shape[0]
        x = np.zeros((self.n_steps, n, 3))
        x[: self.length, :, 0] = (2 * bits - 1).T
        x[: self.length, :, 1] = 1.0
        x[self.recall, :, 2] = 1.0
        return x

    def targets(self, bits: np.ndarray) -> np.ndarray:
        """Targets during recall, (Len, n): the sample bits in order."""
        return np.asarray(bits).T

    def score(self, readout: np.ndarray, bits: np.ndarray):
        """readout (T, ..., n) -> (accuracy, fitness), each of shape (...).

        fitness = accuracy - mean((tanh(readout) - target_pm1)^2) / 4, in [-1, 1]: the
        smooth term gives the ES a gradient where accuracy is flat.  A copy whose
        readout is not finite scores accuracy 0 and fitness -2 (below any finite score).
        """
        y = np.asarray(readout)[self.recall]                      # (Len, ..., n)
        target = self.targets(bits).reshape((self.length,) + (1,) * (y.ndim - 2) + (-1,))
        finite = np.all(np.isfinite(y), axis=(0, -1))
        with np.errstate(invalid="ignore"):
            correct = (y > 0) == (target == 1)
            accuracy = correct.mean(axis=(0, -1))
            mse = ((np.tanh(np.nan_to_num(y)) - (2 * target - 1)) ** 2).mean(axis=(0, -1))
        fitness = accuracy - mse / 4
        return np.where(finite, accuracy, 0.0), np.where(finite, fitness, -2.0)
