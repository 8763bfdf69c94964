"""What cpp_standalone's fixed cost per evaluation is made of.  Reference WM network at the default
shape (65 genomes x 32 sequences, hidden 32, plastic recurrence, scp+pdp per postsynaptic neuron).

    python benchmarks/bench_standalone_writes.py --rounds 7

1. The evaluation: a 1-step and a 24-step evaluation of the same width, with the last run's results
   removed first (the package's way since 2026-12-02) or overwritten by the program (Brian2's way),
   in blocks of evaluations of one program; the fixed cost is t(1) - t(24) / 24.
2. Inside the compiled program: a copy of its main() with timestamps (start and array loading, synapse
   creation, one step, writing the results), run alternately with the last run's results left in
   place (Brian2's way: the program overwrites them) and removed first (the package's way since
   2026-12-02), in blocks of runs in one mode.  Prints ratio=<total ms overwriting / total ms with fresh files> last.
"""
import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from pdlf_brian.builder import Controller
from pdlf_brian.rules import load_rule

PHASES = ("start and loading arrays", "creating the synapses", "simulating 1 step", "writing the results", "total")


def timed_copy(code_dir: Path) -> Path:
    """A copy of the compiled program whose main() prints a timestamp between its phases."""
    work = Path(tempfile.mkdtemp()) / "code"
    shutil.copytree(code_dir, work)
    main = (work / "main.cpp").read_text()
    stamp = ('std::cerr << "@{} " << std::fixed << std::setprecision(6) << std::chrono::duration<double>('
             'std::chrono::steady_clock::now().time_since_epoch()).count() << std::endl;')
    main = main.replace("#include <iostream>", "#include <iostream>\n#include <iomanip>\n#include <chrono>", 1)
    main = main.replace("\tbrian_start();", "\t" + stamp.format("begin") + "\n\tbrian_start();")
    creates = re.findall(r"^\s*_run_\w+_synapses_create_generator_codeobject\(\);$", main, re.M)
    main = main.replace(creates[0], stamp.format("arrays") + "\n" + creates[0])
    main = main.replace(creates[-1], creates[-1] + "\n" + stamp.format("created"))
    main = re.sub(r"(\n\s*\w+_network\.run\()", "\n" + stamp.format("ready") + r"\1", main, count=1)
    main = main.replace("\tbrian_end();", "\t" + stamp.format("ran") + "\n\tbrian_end();\n\t" + stamp.format("ended"))
    (work / "main.cpp").write_text(main)
    subprocess.run(["make"], cwd=work, check=True, capture_output=True)
    return work


def run_phases(work: Path, fresh: bool) -> dict:
    if fresh:
        for f in (work / "results").glob("*"):
            f.unlink()
    out = subprocess.run(["./main", "--results_dir", "results/"], cwd=work, capture_output=True, text=True).stderr
    t = {k: float(v) for k, v in re.findall(r"@(\w+) (\S+)", out)}
    return dict(zip(PHASES, (t["arrays"] - t["begin"], t["created"] - t["arrays"], t["ran"] - t["ready"],
                             t["ended"] - t["ran"], t["ended"] - t["begin"])))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=7)
    a = p.parse_args()
    nets = {}
    for fresh in (False, True):
        for T in (1, 24):
            nets[fresh, T] = Controller("reference", load_rule("scp+pdp"), 3, 32, 1, 65, 32, T, recurrent=True,
                                        sharing="post", backend="cpp", name=f"bench_writes_{int(fresh)}_{T}")
            nets[fresh, T]._fresh_results = fresh
    g = np.random.default_rng(0).normal(0, 0.1, (65, nets[True, 1].layout.size))
    x = {T: np.random.default_rng(T).choice([-1.0, 0.0, 1.0], (T, 65, 32, 3)) for T in (1, 24)}
    t = {key: [] for key in nets}
    for _ in range(3):  # blocks of evaluations of one program
        for key, net in nets.items():
            net.run_open_loop(g, x[key[1]])  # not counted: the first after another program's block
            for _ in range(max(1, a.rounds // 3)):
                t0 = time.perf_counter()
                net.run_open_loop(g, x[key[1]])
                t[key].append(time.perf_counter() - t0)
    print("| evaluation (median s) | 24 steps | 1 step | fixed cost | share of the evaluation |")
    print("|---|---|---|---|---|")
    for fresh, label in ((False, "results overwritten (Brian2)"), (True, "results removed first (pdlf)")):
        t1, t24 = float(np.median(t[fresh, 1])), float(np.median(t[fresh, 24]))
        fixed = t1 - t24 / 24
        print(f"| {label} | {t24:.3f} | {t1:.3f} | {fixed:.3f} | {100 * fixed / t24:.0f} % |")

    work = timed_copy(nets[True, 1].directory / "code")
    rows = {False: [], True: []}
    for _ in range(3):  # blocks of runs in one mode (in steady state every run finds the last one's files)
        for fresh in (False, True):
            run_phases(work, fresh)  # the block's first run finds the other mode's files: not counted
            rows[fresh] += [run_phases(work, fresh) for _ in range(max(a.rounds, 5))]
    med = {fresh: {k: 1e3 * float(np.median([r[k] for r in rows[fresh]])) for k in PHASES} for fresh in rows}
    print()
    print("| inside the 1-step program (median ms) | " + " | ".join(PHASES) + " |")
    print("|---|" + "---|" * len(PHASES))
    for fresh, label in ((False, "results overwritten (Brian2)"), (True, "results removed first (pdlf)")):
        print(f"| {label} | " + " | ".join(f"{med[fresh][k]:.1f}" for k in PHASES) + " |")
    shutil.rmtree(work.parent, ignore_errors=True)
    print(f"ratio={med[False]['total'] / med[True]['total']:.3f}")


if __name__ == "__main__":
    main()
