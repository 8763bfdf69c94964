"""Recall by serial position of finished WM runs' centres, held schedules included (wm-probe refuses those).

    python scripts/wm_positions.py runs/wm_knobs/hold2 runs/wm_knobs/hold2_s1 runs/wm_knobs/hold2_s2

Each run's centre answers 512 sequences drawn from ``--seed`` (the same sequences for every run of the same
Len), one network copy each; the line gives the mean and the accuracy at positions 1..Len.  The sequences are
not the final test's, so the mean differs from result.json's centre by the sampling error.
"""
import argparse
import dataclasses
from pathlib import Path

import numpy as np

from pdlf_brian.analysis.common import load_run
from pdlf_brian.evaluate import WMEvaluator


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
        ev = WMEvaluator(dataclasses.replace(run.cfg, sequences=a.sequences, workers=1), 1)
        bits = ev.task.sample(np.random.default_rng(a.seed), a.sequences)
        readout = ev.network.run_open_loop(run.centre[None], ev.task.inputs(bits)[:, None])[..., 0]
        acc = (ev.task.answers(readout)[:, 0, :] == (bits.T == 1)).mean(axis=1)
        print(f"{d}: mean {acc.mean():.3f}; by position " + " ".join(f"{x:.2f}" for x in acc), flush=True)


if __name__ == "__main__":
    main()
