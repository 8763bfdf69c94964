"""1. Per-step reward recomputed by hand from MuJoCo data vs env reward; zero/random baselines."""
import sys, numpy as np
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, hand_reward, trainer_seeds
from pdlf_brian.tasks import make_env

def zero(env, obs, t, rng): return np.zeros(env.action_space.shape)
def rand(env, obs, t, rng): return rng.uniform(-1, 1, env.action_space.shape)

for name in ("fetch", "ur5e"):
    env = make_env(name, max_episode_steps=200)
    env.reset(seed=123)
    rng = np.random.default_rng(0)
    print(f"== {name}: first 5 random-action steps, env reward vs docs/tasks.md formula by hand")
    for t in range(5):
        before = env.data.xpos[env._ref].copy(); tgt = env.data.mocap_pos[env._mocap].copy()
        d = (tgt - before) / np.linalg.norm(tgt - before)
        _, r, *_ , info = env.step(rng.uniform(-1, 1, env.action_space.shape))
        hit = np.linalg.norm(tgt - env.data.xpos[env._ref]) < env.hit_distance
        terms = hand_reward(env, name, before, d, hit)
        print(f"  t={t} env={r:+.6f} hand={sum(terms.values()):+.6f} " + " ".join(f"{k}={v:+.5f}" for k, v in terms.items()))
    for pol in (zero, rand):
        errs = [run_episode(name, pol, s, 200, check=True)["maxerr"] for s in trainer_seeds(4)]
        print(f"  {pol.__name__}: max |env - hand| over 4 x 200 steps = {max(errs):.2e}")
