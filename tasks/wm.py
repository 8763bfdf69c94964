"""Working-memory copy task (docs/method.md section 5, Fig. 2).

Three input channels, one output:

    channel 0  sample value: +1 / -1 for bit 1 / 0 during the first Len steps, else 0
    channel 1  sample-phase flag: 1 during the first Len steps
    channel 2  recall cue: 1 during steps Len+Lat .. 2Len+Lat-1

The target during recall step k is the k-th sample bit; the network answers
bit 1 when its readout exceeds the model's decision threshold (0 for the reference model, whose
readout is signed; ``DECISION_THRESHOLD`` of models/bio.py for the biological one, whose readout is
a leaky sum of spikes that never decays to exactly 0).  Score = recall accuracy (chance 0.5).

Ordinal-position context (``context="position"``; not in the paper).  Len more channels:
channel 3+k is 1 during sample step k and during recall step k, else 0.  It is the time-varying
context signal of the serial-order models of human and monkey working memory (Burgess & Hitch 1999;
Brown, Preece & Hulme 2000; Howard & Kahana 2002), and of the ordinal-position cells of prefrontal
cortex (Nieder 2012): it says *when* an item came, never *what* it was, so the bits must still be
held across the delay, in the synapses or the activity.  It turns serial recall from a constant cue
into recall cued by position: a network whose neurons forget in 20 ms has no clock of its own that
could tell the eighth 200 ms recall step from the first (docs/results.md, "Biological model").

Every evaluation draws a fresh batch of random sequences; all individuals of a
generation see the same batch (common random numbers), and every sequence runs
in its own copy of the network, with its own fast weights: memory must live in
that copy's weights or state (unlike the reference, which shares one fast-weight
matrix across its batch and adds a non-plastic GRU branch; we do neither).

In the reference model one step is one stimulus unless ``hold`` > 1: then every stimulus of the
schedule (each sample item, each delay stimulus, each recall cue) lasts ``hold`` steps, and the answer
to recall cue k is read at the last step of its hold.  (Not in the paper: it asks whether a stimulus
that meets zero weights on its first step, E1, is recalled better with a second step.)  The biological
model holds each stimulus for ``stimulus_ms`` (200 ms by default) instead, and keeps ``hold`` at 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


CONTEXTS = ("none", "position")


@dataclass(frozen=True)
class CopyTask:
    length: int = 8
    latency: int = 8
    context: str = "none"   # 'none' (the paper's three channels) or 'position' (Len more channels)
    threshold: float = 0.0  # the readout above which the answer is bit 1
    hold: int = 1           # model steps per stimulus (the reference model; the answer is read at the last)

    n_out = 1
    name = "wm"

    @classmethod
    def from_config(cls, cfg) -> "CopyTask":
        """The task of a run's config, with the decision threshold of its model family."""
        from ..builder import FAMILIES
        return cls(cfg.length, cfg.latency, cfg.wm_context, FAMILIES[cfg.model].decision_threshold(), cfg.hold)

    def __post_init__(self):
        if self.context not in CONTEXTS:
            raise ValueError(f"wm context (--wm-context) must be one of {', '.join(CONTEXTS)}, got {self.context!r}")
        if int(self.length) != self.length or self.length < 1:
            raise ValueError(f"wm length (--len) must be a positive integer, got {self.length!r}")
        if int(self.latency) != self.latency or self.latency < 0:
            raise ValueError(f"wm latency (--lat) must be a non-negative integer, got {self.latency!r}")
        if isinstance(self.hold, bool) or not isinstance(self.hold, (int, np.integer)) or self.hold < 1:
            raise ValueError(f"wm hold (--hold) must be a positive integer, got {self.hold!r}")

    @property
    def n_in(self) -> int:
        return 3 + (self.length if self.context == "position" else 0)

    @property
    def channel_names(self) -> list[str]:
        return ["bit", "flag", "cue"] + ([f"pos{k + 1}" for k in range(self.length)] if self.context == "position" else [])

    @property
    def channel_kinds(self) -> list[str]:
        """The kind of each channel: the Len position channels are one kind, ``pos`` (sharing 'channel'
        gives each kind one rule)."""
        return ["bit", "flag", "cue"] + (["pos"] * self.length if self.context == "position" else [])

    @property
    def n_stimuli(self) -> int:
        """Stimuli of one trial: Len sample items, Lat delay stimuli, Len recall cues."""
        return 2 * self.length + self.latency

    @property
    def n_steps(self) -> int:
        """Model steps of one trial: ``hold`` per stimulus."""
        return self.hold * self.n_stimuli

    @property
    def recall(self) -> slice:
        """The steps whose readout is an answer: the last step of each recall cue's hold."""
        h = self.hold
        return slice(h * (self.length + self.latency) + h - 1, h * self.n_stimuli, h)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n random bit sequences, shape (n, Len), values 0/1."""
        return rng.integers(0, 2, size=(n, self.length))

    def inputs(self, bits: np.ndarray) -> np.ndarray:
        """(n, Len) bits -> (T, n, n_in) stimulus, one row per step (each stimulus's row ``hold`` times)."""
        bits = np.asarray(bits)
        n = bits.shape[0]
        L, recall = self.length, self.length + self.latency
        x = np.zeros((self.n_stimuli, n, self.n_in))
        x[:L, :, 0] = (2 * bits - 1).T
        x[:L, :, 1] = 1.0
        x[recall:, :, 2] = 1.0
        if self.context == "position":
            k = np.arange(L)
            x[k, :, 3 + k] = 1.0
            x[recall + k, :, 3 + k] = 1.0
        return np.repeat(x, self.hold, axis=0) if self.hold > 1 else x

    def targets(self, bits: np.ndarray) -> np.ndarray:
        """Targets during recall, (Len, n): the sample bits in order."""
        return np.asarray(bits).T

    def answers(self, readout: np.ndarray) -> np.ndarray:
        """readout (T, ...) -> the recalled bits, (Len, ...) booleans: True where the readout of a recall
        step exceeds the decision threshold.  The one place where an answer is read."""
        with np.errstate(invalid="ignore"):
            return np.asarray(readout)[self.recall] > self.threshold

    def score(self, readout: np.ndarray, bits: np.ndarray):
        """readout (T, ..., n) -> (accuracy, fitness), each of shape (...).

        fitness = accuracy - mean((tanh(readout - threshold) - target_pm1)^2) / 4, in [-1, 1]: the
        smooth term gives the ES a gradient where accuracy is flat.  A copy whose
        readout is not finite scores accuracy 0 and fitness -2 (below any finite score).
        """
        y = np.asarray(readout)[self.recall] - self.threshold     # (Len, ..., n)
        target = self.targets(bits).reshape((self.length,) + (1,) * (y.ndim - 2) + (-1,))
        finite = np.all(np.isfinite(y), axis=(0, -1))
        correct = self.answers(readout) == (target == 1)
        with np.errstate(invalid="ignore"):
            accuracy = correct.mean(axis=(0, -1))
            mse = ((np.tanh(np.nan_to_num(y)) - (2 * target - 1)) ** 2).mean(axis=(0, -1))
        fitness = accuracy - mse / 4
        return np.where(finite, accuracy, 0.0), np.where(finite, fitness, -2.0)
