"""4. What the generation-0 population's controllers emit: actions of P=4 genomes ~ N(0, sigma0=0.1) and of the
zero centre, on fetch/ur5e, 200-step episodes (numpy backend, K=2 tasks), both arms."""
import sys, time, numpy as np
import os
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pdlf_brian.config import Config
from pdlf_brian.evaluate import RLEvaluator

task = sys.argv[1]; rule = sys.argv[2]; SIG = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1
cfg = Config(task=task, rule=rule, backend="numpy", pop=5, tasks_per_eval=2, episode_steps=200)
t0 = time.time()
ev = RLEvaluator(cfg, 5)
acts = []
ev.batch.hooks.append(lambda t, b: acts.append(b.last_actions.copy()) if hasattr(b, "last_actions") else None)
orig = ev.batch.actions
def rec(readout):
    a = orig(readout); acts.append(a.copy()); return a
ev.batch.actions = rec
rng = np.random.default_rng(0)
G = np.vstack([np.zeros(ev.layout.size), SIG * rng.standard_normal((4, ev.layout.size))])
tasks, seeds = [None, None], rng.integers(2**31 - 1, size=2)
ret, div = ev.episode(G, tasks, seeds, learn_stats=True)
A = np.array(acts)  # (T, N, n_act), N = P*K
print(f"{task} {rule}: genome size {ev.layout.size}, built+ran in {time.time()-t0:.0f}s")
for p in range(5):
    a = A[:, p * 2:(p + 1) * 2]
    print(f"  genome {p} ({'centre' if p == 0 else f'sigma {SIG}'}): returns {np.round(ret[p], 3)} |a| mean {np.abs(a).mean():.3f} "
          f"max {np.abs(a).max():.3f} frac |a|>0.99 {np.mean(np.abs(a) > 0.99):.3f}")
