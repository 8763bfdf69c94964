"""4. Observation scales by block over random-action episodes (200 steps, 8 trainer seeds) and for the
scripted controllers; actuator ranges; fraction of normalised inputs clipped at +-5."""
import sys, json, numpy as np
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import run_episode, trainer_seeds
from pdlf_brian.closed_loop import ObsNormaliser

def rand(env, obs, t, rng): return rng.uniform(-1, 1, env.action_space.shape)

def blocks(n):
    b = {"forward": (0, 3), "up": (3, 6), "distance": (6, 7), "direction": (7, 10),
         "rel_pos": (10, 10 + 3 * n), "vel": (10 + 3 * n, 10 + 6 * n), "contact": (10 + 6 * n, 10 + 7 * n)}
    return b

def report(name, pol, label, steps=200):
    res = [run_episode(name, pol, s, steps, record_obs=True) for s in trainer_seeds(8)]
    env = res[0]["env"]; m = env.model; n = m.nbody
    O = np.concatenate([r["obs"] for r in res])
    print(f"== {name} {label}: {O.shape[0]} observations, {O.shape[1]} numbers")
    for k, (a, b) in blocks(n).items():
        x = O[:, a:b]; sd = x.std(axis=0)
        print(f"  {k:9s} min {x.min():+9.3f} max {x.max():+9.3f} std(per-dim) median {np.median(sd):8.3f} max {sd.max():8.3f}; "
              f"dims with std<1e-9: {int(np.sum(sd < 1e-9))}")
    names = [m.body(i).name for i in range(n)]
    va, vb = blocks(n)["vel"]; V = np.abs(O[:, va:vb]).reshape(-1, n, 3).max(axis=(0, 2))
    print("  max |vel| per body: " + ", ".join(f"{nm}={v:.1f}" for nm, v in zip(names, V)))
    ca, cb = blocks(n)["contact"]; C = O[:, ca:cb].mean(axis=0)
    print("  contact rate per body: " + ", ".join(f"{nm}={c:.2f}" for nm, c in zip(names, C)))
    norm = ObsNormaliser(O.shape[1], raw_last=False); norm.update(O)
    X = norm(O); print(f"  after the trainer's normaliser fitted on these: fraction of inputs at +-5: {np.mean(np.abs(X) >= 5):.4f}")
    return env

for name in ("fetch", "ur5e"):
    env = report(name, rand, "uniform random actions")
    m = env.model
    print(f"  actuators: ctrlrange {m.actuator_ctrlrange.min()}..{m.actuator_ctrlrange.max()}, gear {np.unique(m.actuator_gear[:, 0])}, "
          f"joint damping {np.unique(m.dof_damping[m.dof_damping > 0])}, max steady joint speed gear/damping = "
          f"{m.actuator_gear[0, 0] / m.dof_damping[-1]:.1f} rad/s; total mass {m.body_mass.sum():.1f} kg")

from d4_fetch_gait import make_policy
report("fetch", make_policy(json.load(open(os.path.join(HERE, "fetch_gait.json"))), steer=1.0), "scripted trot (with hits: target jumps)", 1000)
