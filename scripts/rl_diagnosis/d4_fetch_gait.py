"""2b/3. fetch: a privileged trot (joint-position CPG + PD) found by a small random search for forward
speed, then steered towards the target by left/right stride asymmetry. Returns at 200/1000 steps."""
import sys, time, json, numpy as np, mujoco
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds
from pdlf_brian.tasks import make_env

env0 = make_env("fetch", max_episode_steps=200); env0.reset(seed=0)
M = env0.model
JN = [M.joint(M.actuator_trnid[k, 0]).name for k in range(M.nu)]
QADR = np.array([M.jnt_qposadr[M.actuator_trnid[k, 0]] for k in range(M.nu)])
DADR = np.array([M.jnt_dofadr[M.actuator_trnid[k, 0]] for k in range(M.nu)])
HIP = {n: i for i, n in enumerate(JN)}
LEGS = ["front_left", "front_right", "back_left", "back_right"]
LEGPH = {"front_left": 0.0, "back_right": 0.0, "front_right": np.pi, "back_left": np.pi}  # trot
LEFT = {"front_left": 1, "back_left": 1, "front_right": 0, "back_right": 0}

def make_policy(p, steer=0.0, kp=3.0, kd=0.1):
    f, ah, ak, psi, ch, ck = p
    lim = np.deg2rad(60)
    def pol(env, obs, t, rng):
        d = env.data
        s = 0.0
        if steer:
            R = d.xmat[env._ref].reshape(3, 3)
            diff = d.mocap_pos[env._mocap] - d.xpos[env._ref]
            loc = R.T @ diff
            s = np.clip(steer * np.arctan2(loc[1], loc[0]), -1, 1)   # >0: target on the left
        ph = 2 * np.pi * f * t * env.dt
        qt = np.zeros(M.nu)
        for leg in LEGS:
            scale = (1 - s) if LEFT[leg] else (1 + s)
            qt[HIP[leg + "_hip"]] = ch + scale * ah * np.sin(ph + LEGPH[leg])
            qt[HIP[leg + "_knee"]] = ck + scale * ak * np.sin(ph + LEGPH[leg] + psi)
        qt = np.clip(qt, -lim, lim)
        q, qd = d.qpos[QADR], d.qvel[DADR]
        return np.clip(kp * (qt - q) - kd * qd, -1, 1)
    return pol

def forward_score(p, steps=200):
    env = make_env("fetch", max_episode_steps=steps); env.reset(seed=0)
    pol = make_policy(p); x0 = env.data.xpos[env._ref].copy(); up_min = 1.0
    for t in range(steps):
        env.step(pol(env, None, t, None))
        up_min = min(up_min, env.data.xmat[env._ref][8])
    disp = env.data.xpos[env._ref] - x0
    return float(np.hypot(disp[0], disp[1])), float(disp[0]), up_min, float(env.data.xpos[env._ref, 2])

if __name__ == "__main__":
    rng = np.random.default_rng(0)
    t0 = time.time(); best = None
    for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 200):
        p = [rng.uniform(0.5, 3.0), rng.uniform(0, 1.0), rng.uniform(0, 1.0), rng.uniform(-np.pi, np.pi),
             rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)]
        dist, dx, up_min, z = forward_score(p)
        if up_min > 0.7 and dx > 0 and (best is None or dx > best[1]):
            best = (dist, dx, up_min, z, p)
            print(f"  cand {i}: planar displacement {dist:.2f} m in 4 s (dx {dx:+.2f}), min up.z {up_min:.2f}, z {z:.2f}", flush=True)
    print(f"search {time.time() - t0:.0f}s; best params {np.round(best[4], 3).tolist()}")
    json.dump(best[4], open(os.path.join(HERE, "fetch_gait.json"), "w"))
