"""Issue 16 item 3: does fetch give an ES something to climb when its targets are placed nearer?
(``max_target_distance``: targets at 2 + (D - 2) U metres instead of the faithful 2 + 15 U; a change
of the task, reported as one.)  The same controllers as d2/d5 (zero action, uniform random actions,
the scripted trot not steered and steered to the target) on the 16 trainer-style seeds, 200-step
episodes, for D = 17 (faithful), 5 and 3.  An ES can climb where a target-blind controller (the
unsteered trot walks straight ahead) already earns more than standing still, and a steered one more
again.

    python scripts/rl_diagnosis/d12_fetch_near.py            # about 2 minutes, one process
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds  # noqa: E402
from d4_fetch_gait import make_policy  # noqa: E402

STEPS = 200
gait = json.load(open(os.path.join(HERE, "fetch_gait.json")))
seeds = np.concatenate([trainer_seeds(8, 0), trainer_seeds(8, 1)])
controllers = {
    "zero action": lambda env, obs, t, rng: np.zeros(env.action_space.shape),
    "uniform random": lambda env, obs, t, rng: rng.uniform(-1, 1, env.action_space.shape),
    "trot, not steered": make_policy(gait, steer=0.0),
    "trot, steered": make_policy(gait, steer=1.0),
}
print(f"fetch, {STEPS}-step episodes, {len(seeds)} seeds: return mean ± sd [min, max], hits per episode")
for far in (17.0, 5.0, 3.0):
    print(f"max_target_distance={far:g} m (targets at 2 + {far - 2:g} U m){' (faithful)' if far == 17 else ''}")
    for name, pol in controllers.items():
        res = [run_episode("fetch", pol, s, STEPS, env_options={"max_target_distance": far}) for s in seeds]
        R = np.array([r["return"] for r in res])
        H = np.array([r["hits"] for r in res])
        print(f"  {name:18s} {R.mean():6.2f} ± {R.std():4.2f} [{R.min():5.2f}, {R.max():5.2f}]  hits {H.mean():.2f}",
              flush=True)
