"""The six environments: sizes, rewards against hand calculations, termination, seeding, robots."""
import gymnasium as gym
import mujoco
import numpy as np
import pytest

import pdlf_brian  # noqa: F401  (registers pdlf/* ids)
from pdlf_brian.tasks import ENVS, make_env

SIZES = {"ant_dir": (28, 8), "swimmer_dir": (9, 2), "halfcheetah_vel": (18, 6), "hopper_vel": (12, 3),
         "fetch": (101, 10), "ur5e": (66, 6)}


@pytest.mark.parametrize("name", list(ENVS))
def test_registered_sizes_and_seeding(name):
    env = gym.make(ENVS[name][0])
    assert env.observation_space.shape == (SIZES[name][0],)
    assert env.action_space.shape == (SIZES[name][1],)
    u = env.unwrapped
    opts = {"task": float(u.train_tasks()[3])} if u.task_kind else None

    def rollout(seed):
        obs, _ = env.reset(seed=seed, options=opts)
        acts = np.random.default_rng(0).uniform(-1, 1, (5, SIZES[name][1]))
        return np.array([obs] + [env.step(a)[0] for a in acts])

    a, b, c = rollout(1), rollout(1), rollout(2)
    assert a.shape == (6, SIZES[name][0]) and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    if u.task_kind:
        assert np.all(a[:, -1] == opts["task"])  # the task value, raw


def test_task_sets():
    from pdlf_brian.tasks.locomotion import AntDir, HalfCheetahVel, HopperVel
    np.testing.assert_allclose(np.degrees(AntDir.train_tasks()), np.arange(-180, 180, 45))
    np.testing.assert_allclose(HalfCheetahVel.train_tasks(), 1 + np.arange(8) * 1.125)
    np.testing.assert_allclose(HopperVel.train_tasks(), np.arange(8) * 0.2625)
    for cls in (AntDir, HalfCheetahVel, HopperVel):
        seen, unseen = cls.train_tasks(), cls.unseen_tasks()
        assert not np.any(np.isclose(seen[:, None], unseen[None, :]))
        assert len(cls.sweep(72)) == 72
        assert [cls.is_extrapolation(v) for v in unseen] == [False] * 7 + [True]
    env = make_env("halfcheetah_vel")
    _, info = env.reset(seed=0, options={"task": 12.0})
    assert info["extrapolation"] and info["out_of_range"]
    with pytest.raises(ValueError, match="unknown environment 'walker'"):
        make_env("walker")


def test_ant_dir_reward_by_hand():
    env = make_env("ant_dir")
    env.reset(seed=0, options={"task": np.pi / 4})
    m, d = env.base.model, env.base.data
    rng = np.random.default_rng(1)
    for _ in range(5):
        a = rng.uniform(-1, 1, 8)
        before = d.xpos[1, :2].copy()  # gymnasium differences the torso's xpos (one substep behind qpos)
        _, r, term, _, _ = env.step(a)
        vx, vy = (d.xpos[1, :2] - before) / env.dt
        contact = np.clip(d.cfrc_ext, -1, 1)
        expected = (vx * np.cos(np.pi / 4) + vy * np.sin(np.pi / 4) + 1.0 - 0.5 * a @ a
                    - 5e-4 * np.sum(contact ** 2))
        assert r == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_swimmer_dir_reward_uses_centre_of_mass():
    env = make_env("swimmer_dir")
    env.reset(seed=0, options={"task": -np.pi / 2})
    m, d = env.base.model, env.base.data
    bodies = np.arange(1, m.nbody)

    def com():
        w = m.body_mass[bodies]
        return (w[:, None] * d.xipos[bodies, :2]).sum(0) / w.sum()

    rng = np.random.default_rng(2)
    for _ in range(5):
        a = rng.uniform(-1, 1, 2)
        c0 = com()
        _, r, term, _, _ = env.step(a)
        v = (com() - c0) / env.dt
        assert r == pytest.approx(-v[1] - 1e-4 * a @ a, rel=1e-7, abs=1e-9)
        assert not term


def test_task_dependent_terms_follow_a_new_task():
    """The direction's cos/sin and the info's task fields are computed once per task value: a new task
    (by reset, or assigned) must be used at once, not the previous one's."""
    env = make_env("ant_dir")
    d = env.base.data
    rng = np.random.default_rng(4)
    for task, how in ((np.pi / 4, "reset"), (-np.pi / 2, "reset"), (3.5, "assign"), (np.pi / 4, "reset")):
        if how == "reset":
            env.reset(seed=0, options={"task": task})
        else:
            env.task = task
        a = rng.uniform(-1, 1, 8)
        before = d.xpos[1, :2].copy()
        obs, r, _, _, info = env.step(a)
        vx, vy = (d.xpos[1, :2] - before) / env.dt
        expected = (vx * np.cos(task) + vy * np.sin(task) + 1.0 - 0.5 * a @ a
                    - 5e-4 * np.sum(np.clip(d.cfrc_ext, -1, 1) ** 2))
        assert r == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert info["task"] == task and obs[-1] == task
        assert info["extrapolation"] == (task > 3 * np.pi / 4 + 1e-12)  # training directions: -180 ... 135 degrees
        assert info["out_of_range"] == (task >= np.pi)


@pytest.mark.parametrize("name,alive,ctrl", [("halfcheetah_vel", 0.0, 0.01), ("hopper_vel", 1.0, 1e-3)])
def test_velocity_rewards_by_hand(name, alive, ctrl):
    env = make_env(name)
    target = float(env.train_tasks()[2])
    env.reset(seed=0, options={"task": target})
    d = env.base.data
    rng = np.random.default_rng(3)
    for _ in range(3):
        a = rng.uniform(-1, 1, env.action_space.shape[0])
        x0 = d.qpos[0]
        _, r, _, _, _ = env.step(a)
        vx = (d.qpos[0] - x0) / env.dt  # these two difference qpos[0]
        assert r == pytest.approx(-abs(vx - target) + alive - ctrl * a @ a, rel=1e-9, abs=1e-9)


def test_termination_and_truncation():
    hopper = make_env("hopper_vel")
    hopper.reset(seed=0, options={"task": 1.0})
    ends = [hopper.step(np.zeros(3))[2] for _ in range(300)]
    assert any(ends), "a hopper doing nothing falls and becomes unhealthy"
    ant = make_env("ant_dir")
    ant.reset(seed=0)
    ant.base.data.qpos[2] = 1.5  # torso above the healthy range [0.2, 1.0]
    assert ant.step(np.zeros(8))[2]
    cheetah = make_env("halfcheetah_vel", max_episode_steps=20)
    cheetah.reset(seed=0)
    flags = [cheetah.step(np.zeros(6))[2:4] for _ in range(20)]
    assert not any(t for t, _ in flags) and [tr for _, tr in flags] == [False] * 19 + [True]


def test_fetch_moves_and_reward_by_hand():
    env = make_env("fetch")
    env.reset(seed=0)
    d = env.data
    start = d.xpos[env._ref].copy()
    for t in range(60):
        a = np.full(10, np.sin(0.3 * t))  # all joints together: the box dog hops
        tgt, torso0 = env._target_pos().copy(), d.xpos[env._ref].copy()
        direction = (tgt - torso0) / np.linalg.norm(tgt - torso0)
        obs, r, _, _, info = env.step(a)
        R = d.xmat[env._ref].reshape(3, 3)
        expected = (0.1 * env.dt * d.xpos[env._ref, 2] + 0.1 * (d.xpos[env._ref] - torso0) @ direction
                    + 0.1 * env.dt * R[2, 2] + (direction @ R[:, 0] if info["hit"] else 0.0))
        assert r == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert np.isfinite(obs).all()
    assert np.linalg.norm(d.xpos[env._ref, :2] - start[:2]) > 0.5


def test_fetch_max_target_distance_places_targets_nearer():
    """``max_target_distance`` (a change of the task, scripts/rl_diagnosis/d12_fetch_near.py): every target,
    the first and each one after a hit, lies between the hit distance (2 m) and it, horizontally from the
    torso where it was placed; the default is the faithful 2 + 15 U."""
    assert make_env("fetch").max_target_distance == 17.0

    def radii(env, n):
        out = []
        for s in range(n):
            env.reset(seed=s)
            out.append(np.linalg.norm(env._target_pos()[:2] - env.data.xpos[env._ref, :2]))
            env._new_target()   # as after a hit: placed around the torso's current position
            out.append(np.linalg.norm(env._target_pos()[:2] - env.data.xpos[env._ref, :2]))
        return np.array(out)

    near, far = radii(make_env("fetch", max_target_distance=3.0), 100), radii(make_env("fetch"), 100)
    assert near.min() >= 2.0 and near.max() <= 3.0 and near.max() > 2.9 and near.min() < 2.1
    assert far.max() > 10.0
    for bad in (2.0, 1.5, "5", True, float("nan")):
        with pytest.raises(ValueError, match="max_target_distance must be a number of metres in"):
            make_env("fetch", max_target_distance=bad)


def test_ur5e_geometry_and_scripted_reach():
    env = make_env("ur5e", min_target_radius=0.15)
    env.reset(seed=3)
    m, d = env.model, env.data
    wrist = m.body("wrist_3").id
    d.qpos[:] = 0
    mujoco.mj_forward(m, d)
    np.testing.assert_allclose(d.xpos[wrist], [0, 0.135, 1.08], atol=1e-12)  # straight up, offset 0.135
    env.reset(seed=3)
    jac = np.zeros((3, m.nv))
    hit = False
    for _ in range(1000):  # Jacobian-transpose reaching with gravity compensation
        mujoco.mj_jacBody(m, d, jac, None, wrist)
        tau = jac.T @ (400 * (env._target_pos() - d.xpos[wrist])) + d.qfrc_bias
        before = d.xpos.copy()
        obs, r, _, _, info = env.step(np.clip(tau / 100.0, -1, 1))
        if info["hit"]:
            hit = True
            assert r >= 1.0
            break
    assert hit, "the scripted arm reaches a reachable target"
    # the velocity block after the hit: the target jumped, it did not move (world velocity 0), so it
    # reads minus the wrist's velocity; every other body its own differenced velocity
    n, R = m.nbody, d.xmat[wrist].reshape(3, 3)
    vel = obs[10 + 3 * n:10 + 6 * n].reshape(n, 3)
    ref_v = (d.xpos[wrist] - before[wrist]) / env.dt
    target = m.body("target").id
    np.testing.assert_allclose(vel[target], -ref_v @ R, atol=1e-9)
    arm = m.body("forearm").id
    np.testing.assert_allclose(vel[arm], ((d.xpos[arm] - before[arm]) / env.dt - ref_v) @ R, atol=1e-9)
