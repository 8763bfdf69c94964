"""2b/3. ur5e: privileged Jacobian-transpose + gravity-compensation controller vs zero/random;
reachability of targets (offline IK), hits at 200 and 1000 steps."""
import sys, numpy as np, mujoco
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds

KP, KD = float(sys.argv[1]) if len(sys.argv) > 1 else 400.0, float(sys.argv[2]) if len(sys.argv) > 2 else 0.0

def jt(env, obs, t, rng):
    m, d = env.model, env.data
    e = d.mocap_pos[env._mocap] - d.xpos[env._ref]
    jacp = np.zeros((3, m.nv))
    mujoco.mj_jacBody(m, d, jacp, None, env._ref)
    tau = jacp.T @ (KP * e) - KD * d.qvel + d.qfrc_bias     # qfrc_bias: gravity + Coriolis
    return np.clip(tau / m.actuator_gear[:, 0], -1, 1)

def ik_min_distance(env, target, tries=20, rng=np.random.default_rng(0)):
    """Closest the wrist_3 origin can come to the target (damped least squares from random starts)."""
    m = env.model; d = mujoco.MjData(m); d.mocap_pos[:] = env.data.mocap_pos
    best = np.inf
    for _ in range(tries):
        d.qpos[:] = rng.uniform(-np.pi, np.pi, m.nq)
        for _ in range(200):
            mujoco.mj_kinematics(m, d); mujoco.mj_comPos(m, d)
            e = target - d.xpos[env._ref]
            J = np.zeros((3, m.nv)); mujoco.mj_jacBody(m, d, J, None, env._ref)
            d.qpos[:] += J.T @ np.linalg.solve(J @ J.T + 1e-4 * np.eye(3), e)
        mujoco.mj_kinematics(m, d)
        best = min(best, np.linalg.norm(target - d.xpos[env._ref]))
    return best

seeds = np.concatenate([trainer_seeds(8, 0), trainer_seeds(8, 1)])
for mtr in (None, 0.15):
    for steps in (200, 1000):
        res = [run_episode("ur5e", jt, s, steps, env_options=None if mtr is None else {"min_target_radius": mtr}) for s in seeds]
        R = np.array([r["return"] for r in res]); H = np.array([r["hits"] for r in res])
        sat = np.mean([np.mean(np.abs(r["acts"]) >= 0.999) for r in res])
        prog = np.mean([r["terms"]["progress"] for r in res])
        print(f"ur5e JT(kp={KP}) min_r={mtr} T={steps}: return {R.mean():.3f} sd {R.std():.3f} "
              f"[{R.min():.3f},{R.max():.3f}] hits/ep {H.mean():.2f} eps with >=1 hit {np.mean(H>0):.2f} "
              f"progress term {prog:.3f}; saturated action fraction {sat:.2f}; dmin mean {np.mean([r['dmin'] for r in res]):.3f}")

# time to first hit and reachability of the first target per seed
from pdlf_brian.tasks import make_env
first, reach, radii = [], [], []
for s in seeds:
    env = make_env("ur5e", max_episode_steps=1000); env.reset(seed=int(s))
    tgt = env.data.mocap_pos[env._mocap].copy(); radii.append(np.hypot(*tgt[:2]))
    reach.append(ik_min_distance(env, tgt, tries=5))
    t_hit = None
    for t in range(1000):
        _, _, _, _, info = env.step(jt(env, None, t, None))
        if info["hit"]: t_hit = t + 1; break
    first.append(t_hit)
print("first target radius, IK min distance, JT steps-to-first-hit:")
for r, m_, f in zip(radii, reach, first):
    print(f"  r={r:.3f}  ik_min={m_:.4f}  first_hit_step={f}")
u = np.random.default_rng(1).uniform(size=100000); r = 0.02 + 0.5 * u
print(f"fraction of targets with horizontal radius < 0.135: {np.mean(r < 0.135):.3f}")
