"""Shared helpers of the fetch/ur5e diagnosis (issue 16 item 3; see README.md here)."""
import numpy as np
import mujoco
from pdlf_brian.tasks import make_env


def trainer_seeds(n=8, gen_seed=0):
    """Seeds drawn the way RLEvaluator._draw draws them (rng.integers(2**31-1, size=K))."""
    return np.random.default_rng(gen_seed).integers(2**31 - 1, size=n)


def hand_reward(env, name, before_ref, d_before, hit):
    """docs/tasks.md formula recomputed from MuJoCo data (after the step, before any target jump)."""
    m, dat = env.model, env.data
    ref = env._ref
    disp = dat.xpos[ref] - before_ref
    dt = m.opt.timestep * env.frame_skip
    if name == "fetch":
        R = dat.xmat[ref].reshape(3, 3)
        z = dat.xpos[ref, 2]
        terms = {"height": 0.1 * dt * z, "progress": 0.1 * float(disp @ d_before),
                 "upright": 0.1 * dt * R[2, 2], "hit": float(d_before @ R[:, 0]) if hit else 0.0}
    else:
        terms = {"progress": 0.1 * float(disp @ d_before), "hit": 1.0 if hit else 0.0}
    return terms


def run_episode(name, policy, seed, steps, check=False, record_obs=False, env_options=None):
    kw = {"max_episode_steps": steps, **(env_options or {})}
    env = make_env(name, **kw)
    obs, _ = env.reset(seed=int(seed))
    rng = np.random.default_rng(int(seed) + 1)
    totals = {}
    ret, hits, maxerr = 0.0, 0, 0.0
    d0 = env._direction()[1]
    dists, obs_log, acts = [], [obs.copy()], []
    for t in range(steps):
        a = policy(env, obs, t, rng)
        acts.append(np.asarray(a, float).copy())
        before = env.data.xpos[env._ref].copy()
        tgt = env.data.mocap_pos[env._mocap].copy()
        diff = tgt - before
        d_before = diff / np.linalg.norm(diff)
        # reproduce the env's hit test and reward by hand: step a copy? cheaper: recompute after step
        obs, r, term, trunc, info = env.step(a)
        # after env.step the target may have jumped; recompute hit from the pre-jump target
        dist_after = np.linalg.norm(tgt - env.data.xpos[env._ref])
        hit = dist_after < env.hit_distance
        terms = hand_reward(env, name, before, d_before, hit)
        hr = sum(terms.values())
        if check:
            maxerr = max(maxerr, abs(hr - r))
        for k, v in terms.items():
            totals[k] = totals.get(k, 0.0) + v
        ret += r
        hits += int(info["hit"])
        dists.append(info["distance"])
        if record_obs:
            obs_log.append(obs.copy())
        if term or trunc:
            break
    out = {"return": ret, "hits": hits, "terms": totals, "d0": d0, "dmin": float(np.min(dists)),
           "dend": dists[-1], "maxerr": maxerr, "acts": np.array(acts), "env": env}
    if record_obs:
        out["obs"] = np.array(obs_log)
    return out
