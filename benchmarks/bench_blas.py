"""numpy's OpenBLAS pinned (pdlf_brian.BLAS_PINNED) against its own choices: CMA-ES's cost and its numbers.

    python benchmarks/bench_blas.py --generations 100 --rounds 3

The ES alone, built as pdlf's make_es builds the WM default's (325 dimensions, full covariance,
population 64, its own RandomState), on a fixed fitness with a discrete part (like an accuracy, so the
ranks can flip); each setting in its own process, in alternating rounds.  Prints milliseconds per
generation (ask + tell) and a hash of the final mean: settings with other kernels or thread counts give
other hashes (another machine is another kernel), the pinned one gives the same on every x86-64 machine.
The last line: ratio=<pinned ms / own choice ms>.
"""
import argparse
import os
import platform
import subprocess
import sys

CHILD = r'''
import hashlib, json, sys, time
import numpy as np
import cma
from threadpoolctl import threadpool_info
n, pop, G = 325, 64, int(sys.argv[1])
es = cma.CMAEvolutionStrategy(np.zeros(n), 0.1, {"popsize": pop, "seed": float("nan"),
                              "randn": np.random.RandomState(1).randn, "verbose": -9, "CMA_diagonal": False})
w = np.random.RandomState(7).randn(n)
t0 = time.perf_counter()
for g in range(G):
    X = np.asarray(es.ask())
    f = np.round(np.tanh(X @ w) * 32) / 32 + 1e-3 * (X ** 2).sum(1)
    es.tell(list(X), list(-f))
ms = (time.perf_counter() - t0) / G * 1e3
b = [i for i in threadpool_info() if i["user_api"] == "blas"][0]
print(json.dumps({"ms": ms, "hash": hashlib.sha1(es.mean.tobytes()).hexdigest()[:12],
                  "kernel": b["architecture"], "threads": b["num_threads"]}))
'''


def main():
    import json

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generations", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    settings = {"own choice (kernel for this CPU, threads for its cores)": {},
                "own kernel, 1 thread": {"OPENBLAS_NUM_THREADS": "1"},
                "pinned (pdlf_brian's default)": {"OPENBLAS_NUM_THREADS": "1",
                                                  **({"OPENBLAS_CORETYPE": "Prescott"} if x86 else {})}}
    if x86:
        settings["Haswell kernel (AVX2), 1 thread: another machine"] = {"OPENBLAS_NUM_THREADS": "1",
                                                                        "OPENBLAS_CORETYPE": "Haswell"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    got = {name: [] for name in settings}
    for r in range(a.rounds):
        for name, env in settings.items():
            out = subprocess.run([sys.executable, "-c", CHILD, str(a.generations)], env={**clean, **env},
                                 capture_output=True, text=True, check=True)
            got[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
    print(f"{'setting':58s} {'kernel':10s} threads  ms/gen (median)  final mean's hash")
    med = {}
    for name, runs in got.items():
        med[name] = sorted(x["ms"] for x in runs)[len(runs) // 2]
        hashes = sorted({x["hash"] for x in runs})
        print(f"{name:58s} {runs[0]['kernel']:10s} {runs[0]['threads']:7d}  {med[name]:14.1f}  {', '.join(hashes)}")
    own, pinned = list(settings)[0], list(settings)[2]
    print(f"ratio={med[pinned] / med[own]:.3f}")


if __name__ == "__main__":
    main()
