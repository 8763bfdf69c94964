"""ant_dir, swimmer_dir, halfcheetah_vel, hopper_vel: gymnasium MuJoCo v5 bodies with the
paper's multi-task rewards (docs/tasks.md).  The task value is the last observation element.

    ant_dir          vx cos(th) + vy sin(th) + survive + ctrl + contact   (Ant-v5 terms, from info)
    swimmer_dir      COM velocity . (cos th, sin th) - 1e-4 |a|^2        (COM of the torso subtree)
    halfcheetah_vel  -|vx - v*| - 0.01 |a|^2
    hopper_vel       -|vx - v*| + 1 - 1e-3 |a|^2                         (gymnasium's unhealthy rule ends it)
"""
from __future__ import annotations

import numpy as np
from gymnasium import spaces

from .base import MultiTaskEnv


def _quiet_known_mujoco_warning():
    """gymnasium's half_cheetah.xml uses the deprecated compiler attribute 'settotalmass'; MuJoCo 4
    prints a warning (and writes MUJOCO_LOG.TXT) for every HalfCheetah built.  Drop that one message,
    pass every other MuJoCo warning on as a Python warning.  A handler the user set is left alone."""
    import warnings

    import mujoco

    if mujoco.get_mju_user_warning() is not None:
        return

    def handler(message):
        if "settotalmass" not in message:
            warnings.warn(f"MuJoCo: {message}", RuntimeWarning, stacklevel=2)

    mujoco.set_mju_user_warning(handler)


_quiet_known_mujoco_warning()


def _append_space(base_space: spaces.Box, low: float, high: float) -> spaces.Box:
    lo = np.append(base_space.low, low).astype(np.float64)
    hi = np.append(base_space.high, high).astype(np.float64)
    return spaces.Box(lo, hi, dtype=np.float64)


class _Wrapped(MultiTaskEnv):
    """A v5 MuJoCo env held inside (not a gymnasium Wrapper: the reward and spaces change).
    ``actuators``: see :meth:`MultiTaskEnv.use_actuators`."""

    def __init__(self, base, max_episode_steps=1000, actuators="gym"):
        self.base = base
        super().__init__(max_episode_steps)
        self.action_space = base.action_space
        self.use_actuators(base.model, actuators)
        self.observation_space = _append_space(base.observation_space, -np.inf, np.inf)
        self.dt = base.dt

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        base_seed = None if seed is None else int(self.np_random.integers(2**31))
        obs, _ = self.base.reset(seed=base_seed)
        self._pick_task(options)
        self._t = 0
        self._after_reset()
        return self._obs(obs), self._task_info()

    def _after_reset(self):
        pass

    def _obs(self, obs):
        return np.concatenate((obs, (self.task,)))

    def _current_obs(self):
        return self._obs(self.base._get_obs())

    def step(self, action):
        invalid = self._invalid_action(action)
        if invalid is not None:
            return invalid
        a = self._clip(action)
        obs, _, terminated, _, info = self.base.step(a)
        reward = self._reward(a, info)
        truncated = self._truncate() and not terminated
        info = {**info, **self._task_info()}
        return self._obs(obs), float(reward), bool(terminated), bool(truncated), info

    def close(self):
        self.base.close()


class AntDir(_Wrapped):
    task_kind, task_low, task_high = "direction", -np.pi, np.pi
    BRAX_STRENGTH = {f"{joint}_{k}": 350.0 for joint in ("hip", "ankle") for k in range(1, 5)}  # gym: 150

    def __init__(self, max_episode_steps=1000, actuators="gym", **kwargs):
        from gymnasium.envs.mujoco.ant_v5 import AntEnv
        super().__init__(AntEnv(include_cfrc_ext_in_observation=False, **kwargs), max_episode_steps, actuators)

    def _reward(self, a, info):
        c, s = self._task_cos_sin
        return (info["x_velocity"] * c + info["y_velocity"] * s
                + info["reward_survive"] + info["reward_ctrl"] + info["reward_contact"])


class SwimmerDir(_Wrapped):
    task_kind, task_low, task_high = "direction", -np.pi, np.pi
    BRAX_STRENGTH = {"motor1_rot": 30.0, "motor2_rot": 30.0}  # gym: 150

    def __init__(self, max_episode_steps=1000, actuators="gym", **kwargs):
        from gymnasium.envs.mujoco.swimmer_v5 import SwimmerEnv
        super().__init__(SwimmerEnv(**kwargs), max_episode_steps, actuators)
        self._torso = self.base.model.body("torso").id

    def _after_reset(self):
        self._com = self.base.data.subtree_com[self._torso, :2].copy()

    def _reward(self, a, info):
        com = self.base.data.subtree_com[self._torso, :2].copy()
        v = (com - self._com) / self.dt
        self._com = com
        c, s = self._task_cos_sin
        return v[0] * c + v[1] * s - 1e-4 * float(a @ a)


class HalfCheetahVel(_Wrapped):
    task_kind, task_low, task_high = "velocity", 1.0, 10.0

    # Brax's strengths 120, 90, 60, 120, 60, 30 (bthigh ... ffoot) are gymnasium's gears already

    def __init__(self, max_episode_steps=1000, actuators="gym", **kwargs):
        from gymnasium.envs.mujoco.half_cheetah_v5 import HalfCheetahEnv
        super().__init__(HalfCheetahEnv(**kwargs), max_episode_steps, actuators)

    def _reward(self, a, info):
        return -abs(info["x_velocity"] - self.task) - 0.01 * float(a @ a)


class HopperVel(_Wrapped):
    task_kind, task_low, task_high = "velocity", 0.0, 2.1

    # Brax's strength 200 is gymnasium's gear already

    def __init__(self, max_episode_steps=1000, actuators="gym", **kwargs):
        from gymnasium.envs.mujoco.hopper_v5 import HopperEnv
        super().__init__(HopperEnv(**kwargs), max_episode_steps, actuators)

    def _reward(self, a, info):
        return -abs(info["x_velocity"] - self.task) + 1.0 - 1e-3 * float(a @ a)
