"""Recall by serial position of finished WM runs' centres, held schedules included (wm-probe refuses those).

    python scripts/wm_positions.py runs/wm_knobs/hold2 runs/wm_knobs/hold2_s1 runs/wm_knobs/hold2_s2

Each run's centre answers 512 sequences drawn from ``--seed`` (the same sequences for every run of the same
Len), one network copy each; the line gives the mean and the accuracy at positions 1..Len.  The sequences are
not the final test's, so the mean differs from result.json's centre by the sampling error.
"""
import argparse
from pathlib import Path

import numpy as np

from pdlf_brian.analysis.common import load_run
from pdlf_brian.analysis.wm_probe import recall
from pdlf_brian.tasks.wm import CopyTask


def main():
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+")
    p.add_argument("--sequences", type=int, default=512)
    p.add_argument("--seed", type=int, default=12345)
    a = p.parse_args()
    for d in a.runs:
        if not (Path(d) / "config.json").exists():   # e.g. a log file beside the runs that a glob matched
            print(f"{d}: skipped, not a run directory", flush=True)
            continue
        run = load_run(d)
        if run.cfg.task != "wm":
            raise SystemExit(f"{d}: not a WM run")
        bits = CopyTask.from_config(run.cfg).sample(np.random.default_rng(a.seed), a.sequences)
        mean, by_position = recall(run, bits)   # wm-probe's own recall: its probes refuse held runs, this does not
        print(f"{d}: mean {mean:.3f}; by position " + " ".join(f"{x:.2f}" for x in by_position), flush=True)


if __name__ == "__main__":
    main()
