"""The engine against an earlier revision of itself, side by side in one run (issue 14's targets).

    python benchmarks/bench_engine.py --old /path/to/worktree-of-f720f09/.venv/bin/python

Measured, at the default WM shape (65 genomes x 32 sequences, Len 8 / Lat 8, rule scp+pdp shared per
postsynaptic neuron, plastic recurrence, hidden 32), in alternating rounds on the same genomes and
sequences (the accuracies are cross-checked):

1. seconds per evaluation of the old revision (a server process running its own code, given by
   ``--old``: a Python whose ``pdlf_brian`` is that revision) and of this one on Cython and cpp, with
   portable and with native compile flags;
2. the cpp_standalone overhead per evaluation: a 1-step evaluation of the same width, against the
   full one;
3. a hand-vectorised NumPy implementation of the same equations (float64), and a FLOP count per
   sequence against one core's measured float64 peak (a single-threaded matrix product);
4. memory: the resident set of a process that builds the network for 1,024 genomes, old and new.

Ratios are printed side by side; the last line is ``ratio=<old seconds / new cython seconds>``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np

SERVER = textwrap.dedent('''
    import json, sys, time, numpy as np
    from pdlf_brian.config import Config
    from pdlf_brian.evaluate import WMEvaluator
    args = json.loads(sys.argv[1])
    cfg = Config(task="wm", pop=args["pop"], sequences=args["sequences"], backend=args["backend"],
                 native=args["native"]) if args["native_key"] else \\
        Config(task="wm", pop=args["pop"], sequences=args["sequences"], backend=args["backend"])
    cfg.validate()
    if args["native_key"]:
        from pdlf_brian.backends import configure_compiler
        configure_compiler(args["native"])
    t0 = time.perf_counter()
    ev = WMEvaluator(cfg, args["pop"] + 1)
    build = time.perf_counter() - t0
    genomes = np.random.default_rng(0).normal(0, 0.1, (args["pop"] + 1, ev.layout.size))
    ev.evaluate(genomes, np.random.default_rng([0, 0]))
    status = open("/proc/self/status").read()
    kib = lambda key: int(status.split(key + ":")[1].split()[0])  # noqa: E731
    print(json.dumps({"ready": build, "rss_mib": kib("VmRSS") / 1024, "peak_mib": kib("VmHWM") / 1024}), flush=True)
    for line in sys.stdin:
        r = int(line)
        t0 = time.perf_counter()
        acc = ev.evaluate(genomes, np.random.default_rng([0, r]))[0]
        print(json.dumps({"seconds": time.perf_counter() - t0, "acc": acc.tolist()}), flush=True)
''')


class Server:
    """One evaluator in its own process: ``python``'s pdlf_brian, a backend, a population."""

    def __init__(self, python, label, backend="cython", pop=64, sequences=32, native=False, native_key=True):
        self.label = label
        args = json.dumps({"pop": pop, "sequences": sequences, "backend": backend, "native": native,
                           "native_key": native_key})
        self.proc = subprocess.Popen([python, "-c", SERVER, args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, cwd="/tmp")
        self.info = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.label}: the server process ended (does its pdlf_brian import?)")
        return json.loads(line)

    def evaluate(self, r):
        self.proc.stdin.write(f"{r}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def numpy_wm(genomes, layout, x, H=32):
    """Hand-vectorised E1-E6 for the WM shape (rec topology): x (T, P, B, 3) -> readout (T, P, B)."""
    d = layout.decode(genomes)
    T, P, B, n_in = x.shape
    W = {l.name: np.zeros((P, B, l.n_pre, l.n_post)) for l in layout.layers}
    c = {name: {k: v[:, None] for k, v in coefs.items()} for name, coefs in d.items()}  # (P, 1, n_pre, n_post)
    u, tr, s = np.zeros((P, B, H)), np.zeros((P, B, H)), np.zeros((P, B, H))
    out = np.empty((T, P, B))

    def update(name, pre, post):
        k = c[name]
        w = W[name]
        w += k["eta"] * (k["A"] * pre[..., :, None] * (post[..., None, :] - k["C"]) + k["B"] * post[..., None, :]
                         + k["D"])
        m = np.abs(w).max(axis=(2, 3), keepdims=True)
        m[m == 0] = 1
        w /= m

    for t in range(T):
        I = np.einsum("pbi,pbih->pbh", x[t], W["in"]) + np.einsum("pbi,pbih->pbh", s, W["rec"])
        u = I + (u - I) / np.e
        s = (u > 0.1).astype(float) - (u < -0.1)
        u[s != 0] = 0
        tr = tr / np.e + (1 - 1 / np.e) * s
        a = np.einsum("pbh,pbho->pbo", s, W["out"])[..., 0]
        update("in", x[t], tr)
        update("rec", tr, tr)
        update("out", tr, a[..., None])
        out[t] = a
    return out


def flop_peak() -> float:
    """One core's float64 FLOP/s: a single-threaded 1,500 x 1,500 matrix product (2 n^3 FLOP)."""
    code = ("import os, time, numpy as np; a = np.random.rand(1500, 1500); b = np.random.rand(1500, 1500); a @ b;"
            "t0 = time.perf_counter(); [a @ b for _ in range(3)]; print(3 * 2 * 1500**3 / (time.perf_counter() - t0))")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout)


def rss_for_1024(python, native_key) -> tuple[float, float]:
    """MiB resident (now, and at the peak) after building the WM network for 1,024 genomes and running one
    evaluation (one process)."""
    s = Server(python, "memory", pop=1023, sequences=32, native_key=native_key)
    s.close()
    return s.info["rss_mib"], s.info["peak_mib"]


def memory_report(old, here):
    (old_rss, old_peak), (new_rss, new_peak) = rss_for_1024(old, False), rss_for_1024(here, True)
    print("| revision | resident after one evaluation (MiB) | peak resident (MiB) |")
    print("|---|---|---|")
    print(f"| old | {old_rss:,.0f} | {old_peak:,.0f} |")
    print(f"| new (cython) | {new_rss:,.0f} | {new_peak:,.0f} |")
    print(f"memory at 1,024 genomes x 32 sequences: new/old = {new_rss / old_rss:.2f} resident, "
          f"{new_peak / old_peak:.2f} at the peak")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="a Python whose pdlf_brian is the earlier revision")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--memory", action="store_true", help="also measure the RSS at 1,024 genomes (minutes)")
    p.add_argument("--memory-only", action="store_true", help="only the RSS at 1,024 genomes (no timings)")
    a = p.parse_args()
    here = sys.executable
    if a.memory_only:
        memory_report(a.old, here)
        return
    servers = [Server(a.old, "old (cython, its native flags)", "cython", native_key=False),
               Server(here, "new cython portable", "cython"),
               Server(here, "new cython native", "cython", native=True),
               Server(here, "new cpp portable", "cpp"),
               Server(here, "new cpp native", "cpp", native=True)]
    times = {s.label: [] for s in servers}
    accs = {}
    for r in range(1, a.rounds + 1):
        for s in servers:
            res = s.evaluate(r)
            times[s.label].append(res["seconds"])
            accs.setdefault(r, {})[s.label] = np.array(res["acc"])
    for r, by in accs.items():
        ref = by[servers[0].label]
        for label, acc in by.items():
            if not np.allclose(acc, ref, atol=0.02):
                print(f"note: round {r}: {label}'s accuracies differ from the old revision's by up to "
                      f"{np.abs(acc - ref).max():.3f} (compile flags change rounding)")
    med = {k: float(np.median(v)) for k, v in times.items()}
    print("| evaluator | build (s) | s per evaluation (median) | speed-up over old |")
    print("|---|---|---|---|")
    for s in servers:
        print(f"| {s.label} | {s.info['ready']:.1f} | {med[s.label]:.3f} | {med[servers[0].label] / med[s.label]:.2f} |")
    for s in servers:
        s.close()

    # cpp_standalone's fixed cost per evaluation: a 1-step run of the same width, against the 24 steps
    from pdlf_brian.builder import Controller
    from pdlf_brian.rules import load_rule
    rule = load_rule("scp+pdp")
    nets = {T: Controller("reference", rule, 3, 32, 1, 65, 32, T, recurrent=True, sharing="post", backend="cpp",
                          name=f"bench_overhead_{T}") for T in (1, 24)}
    g = np.random.default_rng(0).normal(0, 0.1, (65, nets[1].layout.size))
    t = {1: [], 24: []}
    for _ in range(a.rounds):
        for T, net in nets.items():
            x = np.random.default_rng(T).choice([-1.0, 0.0, 1.0], (T, 65, 32, 3))
            t0 = time.perf_counter()
            net.run_open_loop(g, x)
            t[T].append(time.perf_counter() - t0)
    t1, t24 = float(np.median(t[1])), float(np.median(t[24]))
    fixed = t1 - t24 / 24
    print(f"cpp_standalone: 24-step evaluation {t24:.3f} s, 1-step {t1:.3f} s: fixed cost per evaluation "
          f"~{fixed:.3f} s = {100 * fixed / t24:.0f} % of the evaluation")

    # NumPy and FLOPs
    from pdlf_brian.config import Config
    from pdlf_brian.evaluate import layout_for
    from pdlf_brian.tasks.wm import CopyTask
    cfg = Config(task="wm").validate()
    layout = layout_for(cfg)
    task = CopyTask(8, 8)
    genomes = np.random.default_rng(0).normal(0, 0.1, (65, layout.size))
    x = np.broadcast_to(task.inputs(task.sample(np.random.default_rng(1), 32))[:, None], (24, 65, 32, 3))
    t0 = time.perf_counter()
    numpy_wm(genomes, layout, x)
    t_np = time.perf_counter() - t0
    synapses = sum(l.n_pre * l.n_post for l in layout.layers)
    flop = 24 * (synapses * (2 + 9 + 3) + 32 * 12)  # per sequence: currents, rule, E6; neurons
    peak = flop_peak()
    new = med["new cython portable"]
    print(f"NumPy (hand-vectorised, float64): {t_np:.3f} s per evaluation; ratio numpy/new-cython = {t_np / new:.2f}")
    print(f"FLOP per sequence ~{flop / 1e6:.2f} M; one core's float64 peak {peak / 1e9:.1f} GFLOP/s; new cython "
          f"reaches {65 * 32 * flop / new / peak * 100:.1f} % of it, cpp {65 * 32 * flop / med['new cpp portable'] / peak * 100:.1f} %")
    if a.memory:
        memory_report(a.old, here)
    print(f"ratio={med[servers[0].label] / new:.3f}")


if __name__ == "__main__":
    main()
