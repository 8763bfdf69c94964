"""What every multi-task environment of the package shares (docs/tasks.md).

A task value (a direction in radians, a target speed in m/s, or nothing for the
target-chasing robots) is appended RAW as the last observation element.
``reset(options={"task": v})`` pins the task; without it a training task is
drawn from the environment's own generator.  Episodes are truncated after
``max_episode_steps`` (1000 by default, as the paper).  Actions are clipped to
the action space before stepping (both agents, docs/tasks.md).

Each class exposes its 8 training tasks, the unseen midpoints and a sweep::

    env = gymnasium.make("pdlf/AntDir-v0")
    env.unwrapped.train_tasks()      # 8 values, min + k (max - min) / 8
    env.unwrapped.unseen_tasks()     # the 8 midpoints between them
    env.unwrapped.sweep(72)          # the full range, for plots

A task value outside the training values' span [first, last] is allowed and
reported as ``info["extrapolation"] = True``; one outside the task range also
sets ``info["out_of_range"] = True``.  A NaN or inf action ends the episode with
``INVALID_ACTION_PENALTY`` (``info["invalid_action"] = True``).
"""
from __future__ import annotations

import numpy as np
import gymnasium as gym
from gymnasium import spaces


#: the reward of a step whose action is NaN or inf; the episode ends there
INVALID_ACTION_PENALTY = -100.0

#: actuator models: 'gym' (every control clipped to the actuator's range, [-1, 1]) or 'brax' (the paper's
#: Brax v1 torque actuators: torque = action x strength, never clipped; see MultiTaskEnv.use_actuators)
ACTUATORS = ("gym", "brax")


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

    @property
    def task(self) -> float:
        return self._task

    @task.setter
    def task(self, value: float) -> None:
        # what every step reads from the task (the info fields, a direction's cos/sin) is derived here,
        # once per new value, not at every step: on the cheap bodies that was about a tenth of a step
        self._task = value
        self._task_cos_sin = (np.cos(value), np.sin(value))
        self._info = ({} if self.task_kind is None else
                      {"task": value, "extrapolation": self.is_extrapolation(value),
                       "out_of_range": self.is_out_of_range(value)})

    def _task_info(self) -> dict:
        return dict(self._info)  # a copy, so that a caller may extend it

    def _clip(self, action):
        # np.minimum(np.maximum(...)) is np.clip's arithmetic without its Python dispatch (a few us per step)
        return np.minimum(np.maximum(np.asarray(action, dtype=np.float64), self.action_space.low),
                          self.action_space.high)

    #: Brax v1 actuator strengths (google/brax 0.1.x envs, as used by the paper's fork), by MuJoCo
    #: name of the joint each motor drives; None where the body's gear already is the Brax strength
    BRAX_STRENGTH: dict | None = None

    def use_actuators(self, model, actuators: str) -> None:
        """``actuators="brax"`` gives the body Brax v1's torque actuators, as the paper's reference
        implementation ran them (its legacy spring physics): each motor's gear becomes the Brax
        ``strength`` of its joint (:attr:`BRAX_STRENGTH`) and MuJoCo's control limits are switched
        off, so an action of 3 is three times the strength's torque; the action space is unbounded
        and nothing clips.  This is the paper's setting, not a fair comparison: it favours an
        unbounded readout (docs/results.md).  Brax also zeroes a motor's torque outside its joint's
        range, which MuJoCo replaces by its joint-limit constraint; bodies, inertias and contacts stay
        those of the MuJoCo model."""
        if actuators not in ACTUATORS:
            raise ValueError(f"actuators must be one of {', '.join(ACTUATORS)}, got {actuators!r}")
        self.actuators = actuators
        if actuators == "gym":
            return
        for k in range(model.nu):
            if self.BRAX_STRENGTH is not None:
                model.actuator_gear[k, 0] = self.BRAX_STRENGTH[model.joint(model.actuator_trnid[k, 0]).name]
        model.actuator_ctrllimited[:] = 0
        self.action_space = spaces.Box(-np.inf, np.inf, (model.nu,), dtype=np.float64)

    def _invalid_action(self, action):
        """None for a finite action of the right shape; for a NaN or inf action, the step that ends the
        episode with ``INVALID_ACTION_PENALTY`` (nothing is simulated: the body cannot take it).  A wrong
        shape is a ValueError."""
        a = np.asarray(action, dtype=np.float64)
        if a.shape != self.action_space.shape:
            raise ValueError(f"{type(self).__name__}: action must have shape {self.action_space.shape}, "
                             f"got {a.shape}")
        if np.isfinite(a).all():
            return None
        info = {**self._task_info(), "invalid_action": True}
        return self._current_obs(), INVALID_ACTION_PENALTY, True, False, info

    def _truncate(self) -> bool:
        self._t += 1
        return self._t >= self.max_episode_steps
