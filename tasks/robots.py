"""fetch and ur5e: two MJCF robots written for this package (docs/tasks.md), chasing targets that
jump to a new random place when hit.  The models are ``fetch.xml`` and ``ur5e.xml`` beside this file.

Observation (egocentric, in the frame of the reference body: fetch's torso, ur5e's wrist_3):

    forward axis (3) | up axis (3) | target distance (1) | target direction (3)
    | positions of all bodies relative to the reference body (3 n) | their velocities (3 n)
    | contact flags per body (n)

fetch has n = 13 bodies (101 numbers), ur5e n = 8 (66).  The axes are world-frame vectors of the
reference body's x and z axes; everything else is rotated into its frame.  Velocities are
differenced over the environment step; the target's own velocity is zero (it is placed, never moved,
so the step in which it jumps to a new place reads zero, not the jump over dt).

Rewards (dt = 0.02 s, d = unit vector from the reference body to the target, world frame):

    fetch:  0.1 dt z_torso + 0.1 (torso displacement . d) + 0.1 dt (up . z) + [dist < 2] (d . forward)
    ur5e:   0.1 (wrist displacement . d) + [dist < 0.02]

Targets.  fetch: at distance 2 + 15 U and angle 2 pi U around the torso's current position,
height 1 (``max_target_distance=5`` places them at 2 + 3 U: a change of the task, docs/tasks.md).  ur5e: at horizontal radius r_min + 0.5 U (r_min = 0.02, docs/tasks.md; 0.15 with
``min_target_radius=0.15`` removes the about 23% of targets the arm cannot reach, because three
parallel axes keep the wrist 0.135 m from the base axis), angle 2 pi U, height 0.5.
The target is a mocap body: it never collides.
"""
from __future__ import annotations

from pathlib import Path

import mujoco
import numpy as np
from gymnasium import spaces

from .base import MultiTaskEnv

HERE = Path(__file__).resolve().parent


class _TargetRobot(MultiTaskEnv):
    xml: str
    reference_body: str
    frame_skip = 5
    hit_distance: float

    def __init__(self, max_episode_steps=1000, actuators="gym"):
        super().__init__(max_episode_steps)
        self.model = mujoco.MjModel.from_xml_path(str(HERE / self.xml))
        self.data = mujoco.MjData(self.model)
        self.dt = self.model.opt.timestep * self.frame_skip
        self._ref = self.model.body(self.reference_body).id
        self._target = self.model.body("target").id
        self._mocap = self.model.body_mocapid[self._target]
        n = self.model.nbody
        self.observation_space = spaces.Box(-np.inf, np.inf, (10 + 7 * n,), np.float64)
        lo, hi = self.model.actuator_ctrlrange.T
        self.action_space = spaces.Box(lo.astype(np.float32), hi.astype(np.float32), dtype=np.float32)
        self.use_actuators(self.model, actuators)  # gear 300 (fetch), 100 (ur5e): the Brax strengths
        self.hits = 0

    # -- targets
    def _new_target(self):
        raise NotImplementedError

    def _target_pos(self):
        return self.data.mocap_pos[self._mocap]

    def _direction(self):
        diff = self._target_pos() - self.data.xpos[self._ref]
        dist = float(np.linalg.norm(diff))
        return diff / max(dist, 1e-9), dist

    # -- gym API
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self._pick_task(options)
        mujoco.mj_resetData(self.model, self.data)
        self._reset_pose()
        mujoco.mj_forward(self.model, self.data)
        self._new_target()
        mujoco.mj_forward(self.model, self.data)
        self._t, self.hits = 0, 0
        self._prev_xpos = self.data.xpos.copy()
        self._prev_ref = self.data.xpos[self._ref].copy()
        return self._obs(), {}

    def _reset_pose(self):
        pass

    def _current_obs(self):
        return self._obs()

    def step(self, action):
        invalid = self._invalid_action(action)
        if invalid is not None:
            return invalid
        self.data.ctrl[:] = self._clip(action)
        d, _ = self._direction()
        before = self.data.xpos[self._ref].copy()
        self._prev_xpos = self.data.xpos.copy()
        mujoco.mj_step(self.model, self.data, nstep=self.frame_skip)
        displacement = self.data.xpos[self._ref] - before
        d_now, dist = self._direction()
        hit = dist < self.hit_distance
        reward = self._reward(displacement, d, hit)
        if hit:
            self.hits += 1
            self._new_target()
            mujoco.mj_forward(self.model, self.data)
            # the target jumped, it did not move: its differenced velocity is zero, as a Brax v1 target's
            # is (a teleport read as a velocity gave readings up to 788 m/s that swamp the normaliser)
            self._prev_xpos[self._target] = self.data.xpos[self._target]
        truncated = self._truncate()
        return self._obs(), float(reward), False, bool(truncated), {"hit": bool(hit), "hits": self.hits,
                                                                       "distance": dist}

    def _obs(self):
        R = self.data.xmat[self._ref].reshape(3, 3)  # body -> world
        d, dist = self._direction()
        rel = (self.data.xpos - self.data.xpos[self._ref]) @ R
        vel = ((self.data.xpos - self._prev_xpos) - (self.data.xpos[self._ref] - self._prev_xpos[self._ref])) @ R
        vel /= self.dt
        contact = np.zeros(self.model.nbody)
        c = self.data.contact[:self.data.ncon]
        if self.data.ncon:
            contact[self.model.geom_bodyid[c.geom1]] = 1.0
            contact[self.model.geom_bodyid[c.geom2]] = 1.0
        return np.concatenate([R[:, 0], R[:, 2], [dist], R.T @ d, rel.ravel(), vel.ravel(), contact])


class Fetch(_TargetRobot):
    xml, reference_body, hit_distance = "fetch.xml", "torso", 2.0

    def __init__(self, max_episode_steps=1000, max_target_distance: float = 17.0, actuators="gym"):
        if isinstance(max_target_distance, bool) or not isinstance(max_target_distance, (int, float)) \
                or not 2.0 < max_target_distance <= 1e3:
            raise ValueError(f"max_target_distance must be a number of metres in (2, 1000] (targets lie "
                             f"between 2 m, the hit distance, and it), got {max_target_distance!r}")
        self.max_target_distance = float(max_target_distance)
        super().__init__(max_episode_steps, actuators)

    def _new_target(self):
        u = self.np_random.uniform(size=2)
        r, a = 2.0 + (self.max_target_distance - 2.0) * u[0], 2 * np.pi * u[1]
        torso = self.data.xpos[self._ref]
        self.data.mocap_pos[self._mocap] = [torso[0] + r * np.cos(a), torso[1] + r * np.sin(a), 1.0]

    def _reward(self, displacement, d, hit):
        R = self.data.xmat[self._ref].reshape(3, 3)
        z = self.data.xpos[self._ref, 2]
        return (0.1 * self.dt * z + 0.1 * float(displacement @ d) + 0.1 * self.dt * R[2, 2]
                + (float(d @ R[:, 0]) if hit else 0.0))


class UR5e(_TargetRobot):
    xml, reference_body, hit_distance = "ur5e.xml", "wrist_3", 0.02

    def __init__(self, max_episode_steps=1000, min_target_radius: float = 0.02, actuators="gym"):
        if isinstance(min_target_radius, bool) or not isinstance(min_target_radius, (int, float)) \
                or not 0 <= min_target_radius < 0.52:
            raise ValueError(f"min_target_radius must be a number in [0, 0.52), got {min_target_radius!r}")
        self.min_target_radius = float(min_target_radius)
        super().__init__(max_episode_steps, actuators)

    def _new_target(self):
        u = self.np_random.uniform(size=2)
        r, a = self.min_target_radius + 0.5 * u[0], 2 * np.pi * u[1]
        self.data.mocap_pos[self._mocap] = [r * np.cos(a), r * np.sin(a), 0.5]

    def _reward(self, displacement, d, hit):
        return 0.1 * float(displacement @ d) + (1.0 if hit else 0.0)
