"""Speed of the reference controller, measured side by side in one process.

    python benchmarks/bench_reference.py            (prints a table and the ratios)

1. Brian2 reference controller (Cython runtime) vs a hand-vectorised NumPy implementation of the
   same equations (E1-E6), P = 64 controllers of the ant_dir shape (28-128-8), 200 steps, open loop.
2. Working-memory evaluations (Len 8 / Lat 8, P = 33 individuals x 32 sequences, the default
   training batch) per second: Cython runtime vs cpp_standalone; cpp compile time; per-evaluation
   overhead (an evaluation of a 1-step network of the same width).
Interleaved repetitions; the median of each is reported.
"""
import argparse
import time

import numpy as np

from pdlf_brian.config import Config
from pdlf_brian.evaluate import WMEvaluator
from pdlf_brian.network import ReferenceNetwork
from pdlf_brian.rules import load_rule
from pdlf_brian.standalone import StandaloneReference


def numpy_controller(genomes, layout, x):
    """Hand-vectorised E1-E6 over P controllers: x (T, P, n_in) -> actions (T, P, n_out)."""
    d = layout.decode(genomes)
    c1, c2 = d["in"], d["out"]
    T, P, n_in = x.shape
    H, n_out = c1["eta"].shape[2], c2["eta"].shape[2]
    W1, W2 = np.zeros((P, n_in, H)), np.zeros((P, H, n_out))
    u, tr = np.zeros((P, H)), np.zeros((P, H))
    out = np.empty((T, P, n_out))

    def update(W, c, pre, post):
        W += c["eta"] * (c["A"] * pre[:, :, None] * (post[:, None, :] - c["C"]) + c["B"] * post[:, None, :] + c["D"])
        m = np.abs(W).max(axis=(1, 2), keepdims=True)
        m[m == 0] = 1
        W /= m

    for t in range(T):
        I = np.einsum("pi,pih->ph", x[t], W1)
        u = I + (u - I) / np.e
        s = (u > 0.1).astype(float) - (u < -0.1)
        u[s != 0] = 0
        tr = tr / np.e + (1 - 1 / np.e) * s
        a = np.einsum("ph,pho->po", s, W2)
        update(W1, c1, x[t], tr)
        update(W2, c2, tr, a)
        out[t] = a
    return out


def timed(f, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    rule = load_rule("scp+pdp")

    # 1. controller vs NumPy, P = 64, ant_dir shape
    P, T = 64, 200
    net = ReferenceNetwork(rule, 28, 128, 8, P, 1, T, backend="cython", name="bench_ctrl")
    g = rng.normal(0, 0.3, (P, net.layout.size))
    x = rng.normal(0, 1, (T, P, 1, 28))
    net.run_open_loop(g, x)  # compile
    got = net.run_open_loop(g, x)[:, :, 0]
    want = numpy_controller(g, net.layout, x[:, :, 0])
    assert np.allclose(got, want, atol=1e-9), "the two implementations disagree"
    t_b, t_n = [], []
    for _ in range(a.reps):
        t_b.append(timed(lambda: net.run_open_loop(g, x), 1))
        t_n.append(timed(lambda: numpy_controller(g, net.layout, x[:, :, 0]), 1))
    tb, tn = np.median(t_b), np.median(t_n)
    print(f"controller 28-128-8, P={P}, {T} steps: brian2-cython {P*T/tb:,.0f} controller-steps/s, "
          f"numpy {P*T/tn:,.0f} controller-steps/s, ratio brian2/numpy = {tn/tb:.2f}")

    # 2. WM evaluations: cython vs cpp_standalone
    cfg = Config(length=8, latency=8, hidden=32, topology="rec", sharing="layer", pop=32, sequences=32)
    ev_cy = WMEvaluator(cfg, cfg.pop + 1)
    t0 = time.perf_counter()
    ev_cpp_net = StandaloneReference(rule, 3, 32, 1, cfg.pop + 1, cfg.sequences, 24, recurrent=True,
                                     sharing="layer", backend="cpp", name="bench_wm")
    compile_s = time.perf_counter() - t0
    gw = rng.normal(0, 0.5, (cfg.pop + 1, ev_cy.layout.size))
    xw = np.broadcast_to(ev_cy.task.inputs(ev_cy.task.sample(rng, 32))[:, None], (24, cfg.pop + 1, 32, 3))
    ev_cy.network.run_open_loop(gw, xw)
    a_cy = ev_cy.network.run_open_loop(gw, xw)
    a_cpp = ev_cpp_net.run_open_loop(gw, xw)
    assert np.allclose(a_cy, a_cpp, atol=1e-9), "cython and cpp disagree"
    one_cy = ReferenceNetwork(rule, 3, 32, 1, cfg.pop + 1, cfg.sequences, 1, recurrent=True, sharing="layer",
                              name="bench_one")
    one_cpp = StandaloneReference(rule, 3, 32, 1, cfg.pop + 1, cfg.sequences, 1, recurrent=True, sharing="layer",
                                  backend="cpp", name="bench_one_cpp")
    x1 = xw[:1]
    one_cy.run_open_loop(gw, x1)
    rows = {"cython": [], "cpp": [], "cython_1step": [], "cpp_1step": []}
    for _ in range(a.reps):
        rows["cython"].append(timed(lambda: ev_cy.network.run_open_loop(gw, xw), 1))
        rows["cpp"].append(timed(lambda: ev_cpp_net.run_open_loop(gw, xw), 1))
        rows["cython_1step"].append(timed(lambda: one_cy.run_open_loop(gw, x1), 1))
        rows["cpp_1step"].append(timed(lambda: one_cpp.run_open_loop(gw, x1), 1))
    med = {k: float(np.median(v)) for k, v in rows.items()}
    n_eval = (cfg.pop + 1) * cfg.sequences
    print(f"WM Len 8/Lat 8 (24 steps), {cfg.pop + 1} individuals x {cfg.sequences} sequences, rec H=32:")
    print(f"  cython: {med['cython']*1e3:.0f} ms per batch = {n_eval/med['cython']:,.0f} sequence-evaluations/s; "
          f"per-batch overhead (1-step run) {med['cython_1step']*1e3:.0f} ms")
    print(f"  cpp_standalone: {med['cpp']*1e3:.0f} ms per batch = {n_eval/med['cpp']:,.0f} sequence-evaluations/s; "
          f"per-batch overhead (1-step run) {med['cpp_1step']*1e3:.0f} ms; compile {compile_s:.1f} s")
    print(f"ratio cpp/cython throughput = {med['cython']/med['cpp']:.2f}")


if __name__ == "__main__":
    main()
