"""Where a biological WM generation spends its time: Brian2's profiler, per code object.

    python benchmarks/profile_bio_wm.py                       # random genomes around zero (sigma 0.1)
    python benchmarks/profile_bio_wm.py --run runs/some_bio_run   # that run's evolved centre in every copy

The default bio WM protocol's shape (config.BIO_WM_DEFAULTS: Len 8 / Lat 8, 24 stimuli x 200 ms at
dt = 1 ms, 33 genomes x 16 sequences, position context, feed-forward, hidden 32), on the Cython
runtime, where Brian2 times every code object (`Network.run(profile=True)`); the compiled C++
program runs the same generated loops without the per-step Python between them.  Prints the share
of each code object, grouped by what it does, and the rest (Brian2's Python scheduling loop and our
setup) as the difference to the wall-clock time of the evaluation.
"""
from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict

import numpy as np

from pdlf_brian.config import Config
from pdlf_brian.evaluate import WMEvaluator


def kind(name: str) -> str:
    """What a profiled object does, from its name (pdlf_brian's names first, then Brian2's suffixes)."""
    for key, label in (("scale_sum", "synaptic scaling 1: the rule's drift and the sum of |w| per neuron (every norm_dt)"),
                       ("scale_reset", "synaptic scaling 0: reset the sums (every norm_dt)"),
                       ("_scale_", "synaptic scaling 2: rescale the weights (every norm_dt)"),
                       ("_pre", "spike events: on_pre (the rule at a presynaptic spike, transmission)"),
                       ("_post", "spike events: on_post (the rule at a postsynaptic spike)"),
                       ("stateupdater", "state updates (neurons, input phases, readout)"),
                       ("thresholder", "thresholds"), ("resetter", "resets"),
                       ("snapshot", "the readout value the rule reads (every dt)"),
                       ("monitor", "monitors")):
        if key in name:
            return label
    return "other (Brian2 bookkeeping of a group): " + name


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", help="a bio WM run directory: profile its evolved centre (default: random genomes)")
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    if a.run:
        from pdlf_brian.analysis.common import load_run
        run = load_run(a.run)
        cfg = run.cfg
        cfg.backend = "cython"
    else:
        run = None
        cfg = Config(task="wm", model="bio", backend="cython")
    cfg.validate()
    t0 = time.perf_counter()
    ev = WMEvaluator(cfg, cfg.pop + 1)
    print(f"build {time.perf_counter() - t0:.1f} s; shape {cfg.pop + 1} genomes x {cfg.sequences} sequences, "
          f"Len {cfg.length} / Lat {cfg.latency}, {ev.task.n_steps} stimuli x {cfg.stimulus_ms:g} ms", flush=True)
    genomes = (np.repeat(run.centre[None], cfg.pop + 1, axis=0) if run is not None else
               np.random.default_rng(0).normal(0, 0.1, (cfg.pop + 1, ev.layout.size)))
    t0 = time.perf_counter()
    ev.evaluate(genomes, np.random.default_rng(0))       # compiles the code objects (cached afterwards)
    print(f"first evaluation (compiles) {time.perf_counter() - t0:.1f} s", flush=True)
    net = ev.network.net
    net.run = functools.partial(net.run, profile=True)
    per_kind, names, wall = defaultdict(float), defaultdict(set), 0.0
    for r in range(a.rounds):
        t0 = time.perf_counter()
        acc = ev.evaluate(genomes, np.random.default_rng(r + 1))[0]
        wall += time.perf_counter() - t0
        for name, t in net.profiling_info:
            per_kind[kind(name)] += float(t)
            names[kind(name)].add(name.removeprefix(ev.network.name + "_"))
    total = sum(per_kind.values())
    print(f"\n{a.rounds} evaluations, {wall / a.rounds:.2f} s each (recall {np.mean(acc):.3f}); "
          f"code objects {total / a.rounds:.2f} s each\n")
    print("| where | s per evaluation | share of the wall-clock time | Brian2 objects |")
    print("|---|---|---|---|")
    for label, t in sorted(per_kind.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {t / a.rounds:.3f} | {100 * t / wall:.0f} % | {', '.join(sorted(names[label]))} |")
    rest = wall - total
    print(f"| Python between code objects (Brian2's loop), setup and scoring | {rest / a.rounds:.3f} | "
          f"{100 * rest / wall:.0f} % | |")


if __name__ == "__main__":
    main()
