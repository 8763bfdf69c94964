"""Cost of the per-evaluation divergence check (Controller.finite_copies) against one WM evaluation,
reference and biological model, population 32 + 1 x 16 sequences on Cython.

    python benchmarks/bench_finite_check.py
"""
import time, numpy as np
from pdlf_brian.config import Config
from pdlf_brian.evaluate import WMEvaluator
for model, extra in (("reference", {}), ("bio", dict(model="bio"))):
    cfg = Config(task="wm", pop=32, sequences=16, backend="cython", **extra); cfg.validate()
    ev = WMEvaluator(cfg, 33)
    g = np.random.default_rng(0).normal(0, 0.1, (33, ev.layout.size))
    ev.evaluate(g, np.random.default_rng(1))
    t0 = time.perf_counter(); ev.evaluate(g, np.random.default_rng(2)); te = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20): ev.network.finite_copies()
    tf = (time.perf_counter() - t0) / 20
    print(model, f"evaluation {te:.3f} s, finite_copies {tf*1e3:.2f} ms, ratio {tf/te:.4f}")
