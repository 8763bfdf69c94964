"""fetch: steered trot (fetch_gait.json) vs zero/random on 16 trainer-style seeds, 200 and 1000 steps."""
import sys, json, numpy as np
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds
from d4_fetch_gait import make_policy

p = json.load(open(os.path.join(HERE, "fetch_gait.json")))
seeds = np.concatenate([trainer_seeds(8, 0), trainer_seeds(8, 1)])
gains = [float(g) for g in sys.argv[1:]] or [0.0, 0.5, 1.0, 2.0]
for steer in gains:
    for steps in (200, 1000):
        pol = make_policy(p, steer=steer)
        res = [run_episode("fetch", pol, s, steps) for s in seeds]
        R = np.array([r["return"] for r in res]); H = np.array([r["hits"] for r in res])
        terms = {k: np.mean([r["terms"][k] for r in res]) for k in res[0]["terms"]}
        upz = np.array([r["env"].data.xmat[r["env"]._ref][8] for r in res])
        print(f"fetch trot steer={steer} T={steps}: return {R.mean():.2f} sd {R.std():.2f} [{R.min():.2f},{R.max():.2f}] "
              f"hits/ep {H.mean():.2f} eps>=1 hit {np.mean(H>0):.2f} terms "
              + " ".join(f"{k}={v:+.2f}" for k, v in terms.items())
              + f" | final up.z<0.5 in {np.mean(upz<0.5):.2f} of eps", flush=True)
