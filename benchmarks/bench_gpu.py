"""WM generation time on a GPU (brian2cuda) against cpp_standalone on the same machine's CPUs.

    python benchmarks/bench_gpu.py --pop 1024 --sequences 32            (needs a GPU and .[cuda])
    python benchmarks/bench_gpu.py --pop 8 --sequences 4 --backends cpp  (a smoke run anywhere)

One generation of the WM task = one evaluation of pop + 1 genomes (the population and the centre)
on a fresh batch of Len 8 / Lat 8 sequences, each sequence in its own copy of the network: the
default protocol of `pdlf train --task wm` (rule scp+pdp shared per postsynaptic neuron, plastic
recurrence, hidden 32). Every backend builds the same network once (the compile time is printed),
is checked against the first backend on the same genomes and inputs (largest readout difference),
then timed on the same genomes, interleaved, the median of --reps generations. The last line is
``ratio=<cpp seconds per generation / cuda seconds per generation>`` when both ran.
"""
import argparse
import subprocess
import time

import numpy as np

from pdlf_brian.config import Config
from pdlf_brian.evaluate import WMEvaluator


def gpu_name() -> str:
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=20).stdout.strip() or "none"
    except (OSError, subprocess.TimeoutExpired):
        return "none (no nvidia-smi)"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pop", type=int, default=1024, help="population; the centre is added")
    p.add_argument("--sequences", type=int, default=32, help="sequences (network copies) per individual")
    p.add_argument("--backends", nargs="+", default=["cpp", "cuda"], choices=["cython", "cpp", "cuda"])
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    n = a.pop + 1
    print(f"GPU: {gpu_name()}; WM Len 8 / Lat 8, {n} individuals x {a.sequences} sequences "
          f"= {n * a.sequences:,} network copies")

    evaluators, build_s = {}, {}
    for backend in a.backends:
        cfg = Config(task="wm", backend=backend, pop=a.pop, sequences=a.sequences)
        t0 = time.perf_counter()
        try:
            evaluators[backend] = WMEvaluator(cfg, n)
        except ValueError as exc:  # e.g. cuda without a GPU: say so and measure the rest
            print(f"{backend}: not measured: {exc}")
            continue
        build_s[backend] = time.perf_counter() - t0
        print(f"{backend}: built (generated and compiled) in {build_s[backend]:.1f} s", flush=True)
    if not evaluators:
        raise SystemExit("no backend could be built")

    first = next(iter(evaluators.values()))
    genomes = np.random.default_rng(0).normal(0, 0.1, (n, first.layout.size))
    x = first.task.inputs(first.task.sample(np.random.default_rng(1), a.sequences))
    x = np.broadcast_to(x[:, None], (x.shape[0], n) + x.shape[1:])
    reference = first.network.run_open_loop(genomes, x)
    for backend, ev in evaluators.items():
        diff = float(np.nanmax(np.abs(ev.network.run_open_loop(genomes, x) - reference)))
        print(f"{backend}: largest readout difference from {a.backends[0]}: {diff:.2e}")

    seconds = {b: [] for b in evaluators}
    for rep in range(a.reps):
        for backend, ev in evaluators.items():
            t0 = time.perf_counter()
            ev.evaluate(genomes, np.random.default_rng([2, rep]))
            seconds[backend].append(time.perf_counter() - t0)
    print("| backend | build s | s per generation (median) | sequence evaluations / s |")
    print("|---|---|---|---|")
    med = {b: float(np.median(s)) for b, s in seconds.items()}
    for b, m in med.items():
        print(f"| {b} | {build_s[b]:.1f} | {m:.3f} | {n * a.sequences / m:,.0f} |")
    if "cpp" in med and "cuda" in med:
        print(f"ratio={med['cpp'] / med['cuda']:.2f}")


if __name__ == "__main__":
    main()
