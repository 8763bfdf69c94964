"""Issue 16 item 5: why does a weight-trained halfcheetah not recover from the temporary injury
(`pdlf analyze injury`) once its weights are restored, while the plastic agent does?  The one
thing the restore cannot give back is the body's state: this records it through the same injury
protocol (the same evaluator, hooks, seeds and tasks as the analysis).

    python scripts/rl_diagnosis/d10_injury_pose.py runs/rl_long/halfcheetah_vel_pdlf_s1 runs/rl_long/halfcheetah_vel_weights_s1

For each run (halfcheetah bodies only): the torso's pitch (qpos[2], rad) and forward speed (m/s) in
every episode (5 seeds x 8 training speeds), summarised over three windows: before the injury (steps
400-499), the injured steps (501-550) and after (steps 800-999); "upside down" is |pitch| > pi/2 at the
window's last step.  Also the mean speed error |v - target| in each window.  One process, about 20 s
per run.
"""
import sys

import numpy as np

from pdlf_brian.analysis import injury
from pdlf_brian.analysis.common import load_run

AT, DURATION, STEPS, SEEDS = 500, 50, 1000, 5
WINDOWS = {"before (400-499)": (400, 500), "injured (501-550)": (501, 551), "after (800-999)": (800, 1000)}


def pose_through_injury(run_dir):
    run = load_run(run_dir)
    if run.cfg.task != "halfcheetah_vel":
        sys.exit(f"{run_dir}: task {run.cfg.task}; this diagnostic reads a halfcheetah's torso (halfcheetah_vel)")
    log = {}

    def record(t, b):
        log[t] = np.array([[e.base.data.qpos[2], e.base.data.qvel[0], e.task] for e in b.envs])

    injury.injure(run, SEEDS, AT, DURATION, STEPS, hooks=[record])   # the analysis's own protocol
    return np.stack([log[t] for t in range(STEPS + 1)])   # (steps + 1, episodes, 3)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for run_dir in sys.argv[1:]:
        x = pose_through_injury(run_dir)
        pitch, speed, target = x[..., 0], x[..., 1], x[..., 2]
        print(f"{run_dir} ({x.shape[1]} episodes)")
        for name, (a, b) in WINDOWS.items():
            flipped = np.mean(np.abs(pitch[b - 1]) > np.pi / 2)
            err = np.abs(speed[a:b] - target[a:b]).mean()
            print(f"  {name:18s} speed {speed[a:b].mean():6.2f} m/s (target {target[a:b].mean():.2f}), "
                  f"|v - target| {err:5.2f}, |pitch| {np.abs(pitch[a:b]).mean():5.2f} rad, "
                  f"upside down at its end {flipped:4.0%}")


if __name__ == "__main__":
    main()
