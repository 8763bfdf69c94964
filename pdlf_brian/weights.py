"""Initial weights of the plastic synapses, at the start of every episode or sequence.

    zero                  every weight 0 (the paper: PDLF's weights always start at zero)
    uniform:LOW,HIGH      independent draws, uniform in [LOW, HIGH] (Song, Miller & Abbott 2000:
                          uniform in [0, gmax])
    normal:MU,SD          independent draws, normal with mean MU and standard deviation SD

Draws are made per evaluation from that evaluation's random generator (after the task's own draws),
one per synapse and copy: all individuals of a generation see the same initial weights, as they see
the same sequences (common random numbers), and every sequence or episode starts from its own draw.
A rule file may name its published default (``INIT_WEIGHTS = "uniform:0,1"``); ``--init-weights``
overrides it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("zero", "uniform", "normal")


class InitWeightsError(ValueError):
    """An initial-weight spec that does not parse; the message names it."""


@dataclass(frozen=True)
class InitialWeights:
    kind: str = "zero"
    a: float = 0.0
    b: float = 0.0

    @classmethod
    def parse(cls, spec: str | None) -> "InitialWeights":
        if spec is None or spec == "zero":
            return cls()
        usage = "use zero, uniform:LOW,HIGH or normal:MU,SD (e.g. uniform:0,1)"
        if not isinstance(spec, str):
            raise InitWeightsError(f"initial weights {spec!r}: not a string; {usage}")
        kind, _, args = spec.partition(":")
        if kind not in KINDS or kind == "zero" or not args:
            raise InitWeightsError(f"initial weights {spec!r}: unknown form; {usage}")
        try:
            a, b = (float(v) for v in args.split(","))
        except ValueError:
            raise InitWeightsError(f"initial weights {spec!r}: expected two numbers after '{kind}:'; {usage}") from None
        if not (np.isfinite(a) and np.isfinite(b)):
            raise InitWeightsError(f"initial weights {spec!r}: the numbers must be finite")
        if kind == "uniform" and not a <= b:
            raise InitWeightsError(f"initial weights {spec!r}: LOW must not exceed HIGH")
        if kind == "normal" and b < 0:
            raise InitWeightsError(f"initial weights {spec!r}: SD must be >= 0")
        return cls(kind, a, b)

    @property
    def is_zero(self) -> bool:
        return self.kind == "zero" or (self.kind == "uniform" and self.a == self.b == 0.0) or \
            (self.kind == "normal" and self.a == self.b == 0.0)

    @property
    def is_constant(self) -> bool:
        """Every weight starts at the same value (zero included): nothing in them tells neurons apart."""
        return self.is_zero or (self.kind == "uniform" and self.a == self.b) or (self.kind == "normal" and self.b == 0.0)

    def draw(self, rng: np.random.Generator | None, shape, layer: str = "") -> np.ndarray:
        if self.is_zero:
            return np.zeros(shape)
        if rng is None:
            raise ValueError("non-zero initial weights need the evaluation's random generator")
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, shape)
        return rng.normal(self.a, self.b, shape)

    def __str__(self) -> str:
        return "zero" if self.kind == "zero" else f"{self.kind}:{self.a:g},{self.b:g}"


def for_rule(spec: str | None, rule) -> InitialWeights:
    """The initial weights of a run: ``spec`` if given, else the rule's published default, else zero."""
    return InitialWeights.parse(spec if spec is not None else getattr(rule, "init_weights", None))
