"""What every multi-task environment of the package shares (TASKS.md).

A task value (a direction in radians, a target speed in m/s, or nothing for the
target-chasing robots) is appended RAW as the last observation element.
``reset(options={"task": v})`` pins the task; without it a training task is
drawn from the environment's own generator.  Episodes are truncated after
``max_episode_steps`` (1000 by default, as the paper).  Actions are clipped to
the action space before stepping (both agents, TASKS.md).

Each class exposes its 8 training tasks, the unseen midpoints and a sweep::

    env = gymnasium.make("pdlf/AntDir-v0")
    env.unwrapped.train_tasks()      # 8 values, min + k (max - min) / 8
    env.unwrapped.unseen_tasks()     # the 8 midpoints between them
    env.unwrapped.sweep(72)          # the full range, for plots

A task value outside the training values' span [first, last] is allowed and
reported as ``info["extrapolation"] = True``; one outside the task range also
sets ``info["out_of_range"] = True``.
"""
from __future__ import annotations

import numpy as np
import gymnasium as gym


class MultiTaskEnv(gym.Env):
    """Base class: task bookkeeping, truncation, action clipping."""

    metadata = {"render_modes": []}
    #: name of the task value ("direction", "velocity"); None for target-chasing robots
    task_kind: str | None = None
    task_low: float = 0.0
    task_high: float = 1.0
    n_train: int = 8

    def __init__(self, max_episode_steps: int = 1000):
        if int(max_episode_steps) != max_episode_steps or max_episode_steps < 1:
            raise ValueError(f"max_episode_steps must be a positive integer, got {max_episode_steps!r}")
        self.max_episode_steps = int(max_episode_steps)
        self.task = float(self.train_tasks()[0]) if self.task_kind else 0.0
        self._t = 0

    # ------------------------------------------------------------ the task set
    @classmethod
    def train_tasks(cls) -> np.ndarray:
        k = np.arange(cls.n_train)
        return cls.task_low + k * (cls.task_high - cls.task_low) / cls.n_train

    @classmethod
    def unseen_tasks(cls) -> np.ndarray:
        """The midpoints after each training value (the last one lies beyond the last training value)."""
        step = (cls.task_high - cls.task_low) / cls.n_train
        return cls.train_tasks() + step / 2

    @classmethod
    def sweep(cls, n: int = 72) -> np.ndarray:
        return cls.task_low + np.arange(n) * (cls.task_high - cls.task_low) / n

    @classmethod
    def is_extrapolation(cls, value: float) -> bool:
        train = cls.train_tasks()
        return bool(value < train.min() - 1e-12 or value > train.max() + 1e-12)

    @classmethod
    def is_out_of_range(cls, value: float) -> bool:
        return bool(value < cls.task_low or value >= cls.task_high)

    # ----------------------------------------------------------------- gym API
    def _pick_task(self, options):
        if options and "task" in options:
            value = options["task"]
            if self.task_kind is None:
                raise ValueError(f"{type(self).__name__} has no task value; its targets are random")
            value = float(value)
            if not np.isfinite(value):
                raise ValueError(f"task value must be finite, got {value!r}")
            self.task = value
        elif self.task_kind is not None:
            self.task = float(self.np_random.choice(self.train_tasks()))

    def _task_info(self) -> dict:
        if self.task_kind is None:
            return {}
        return {"task": self.task, "extrapolation": self.is_extrapolation(self.task),
                "out_of_range": self.is_out_of_range(self.task)}

    def _clip(self, action):
        return np.clip(np.asarray(action, dtype=np.float64), self.action_space.low, self.action_space.high)

    def _truncate(self) -> bool:
        self._t += 1
        return self._t >= self.max_episode_steps
