"""2a. Zero and uniform-random actions: returns at 200 and 1000 steps, by reward term (16 trainer-style seeds)."""
import sys, numpy as np
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds

def zero(env, obs, t, rng): return np.zeros(env.action_space.shape)
def rand(env, obs, t, rng): return rng.uniform(-1, 1, env.action_space.shape)

seeds = np.concatenate([trainer_seeds(8, 0), trainer_seeds(8, 1)])
for name in ("fetch", "ur5e"):
    for steps in (200, 1000):
        for pol in (zero, rand):
            res = [run_episode(name, pol, s, steps) for s in seeds]
            R = np.array([r["return"] for r in res])
            terms = {k: np.mean([r["terms"][k] for r in res]) for k in res[0]["terms"]}
            hits = np.array([r["hits"] for r in res])
            z = np.mean([r["env"].data.xpos[r["env"]._ref, 2] for r in res])
            up = np.mean([r["env"].data.xmat[r["env"]._ref].reshape(3, 3)[2, 2] for r in res])
            print(f"{name:5s} T={steps:4d} {pol.__name__:4s} return {R.mean():+.3f} sd {R.std():.3f} "
                  f"[{R.min():+.3f},{R.max():+.3f}] hits/ep {hits.mean():.2f} (eps with hit {np.mean(hits>0):.2f}) "
                  f"terms " + " ".join(f"{k}={v:+.3f}" for k, v in terms.items())
                  + f" | d0 {np.mean([r['d0'] for r in res]):.2f} dmin {np.mean([r['dmin'] for r in res]):.2f}"
                  + f" final z {z:.3f} up.z {up:.3f}")
