"""Issue 16 item 2: what does an ant_dir centre do in its episodes?  The rule shared per postsynaptic
neuron settled at a return of about 100 for 90 generations (docs/results.md); a standing ant earns 200
(Ant-v5's survival reward, 1 per healthy step) and one that walks earns more.  This plays each run's
final centre through the trainer's own evaluator (statistics frozen, the run's episode length) on the
8 training directions and records, per episode: its length (Ant-v5 ends it when the torso's height
leaves [0.2, 1.0] m), the torso's height, the distance walked along the commanded direction, and the
reward's terms summed (progress along the direction, survival, control cost, contact cost).

    python scripts/rl_diagnosis/d11_ant_episode.py runs/rl_share/ant_dir_pdlf_s0 runs/rl_share/ant_dir_pdlf_post_s0
    python scripts/rl_diagnosis/d11_ant_episode.py --figure docs/figures/ant_actions.png RUN [RUN ...]

One process, about a minute per run (2 seeds x 8 directions x 200 steps).  ``--figure``: each run's 8
actions (the joint torques' commands, |a| <= 1) through its first episode, one panel per run.
"""
import sys

import numpy as np

from pdlf_brian.analysis.common import load_run, rl_evaluator

SEEDS = 2


def play(run_dir):
    run = load_run(run_dir)
    if run.cfg.task != "ant_dir":
        sys.exit(f"{run_dir}: task {run.cfg.task}; this diagnostic reads an ant's torso (ant_dir)")
    ev = rl_evaluator(run, SEEDS)
    log = []

    def record(t, b):
        # the torso's position; the control and contact costs of the step just taken (Ant-v5's own terms,
        # from the action it applied, data.ctrl); and the mean |action| (the readout is tanh-bounded to 1)
        log.append(np.array([[e.base.data.qpos[0], e.base.data.qpos[1], e.base.data.qpos[2], b.alive[k],
                              e.base.control_cost(e.base.data.ctrl), e.base.contact_cost,
                              np.abs(e.base.data.ctrl).mean(), np.mean(np.abs(e.base.data.ctrl) > 0.9),
                              *e.base.data.ctrl]
                             for k, e in enumerate(b.envs)]))

    ev.batch.hooks.append(record)
    tasks = list(ev.train_tasks)
    seeds = np.arange(SEEDS * 8).reshape(SEEDS, 8) + 1000
    returns, _ = ev.episode(np.repeat(run.centre[None], SEEDS, 0), tasks, seeds)
    x = np.stack(log)            # (steps + 1, episodes, [x, y, z, alive, ctrl cost, contact cost, |a|,
    #                                                 share of actions with |a| > 0.9])
    rewards = np.array(ev.batch.rewards_log)          # (steps, episodes)
    return run, tasks, returns.ravel(), ev.batch.lengths.copy(), x, rewards


def main():
    args = sys.argv[1:]
    figure = None
    if args[:1] == ["--figure"]:
        figure, args = args[1], args[2:]
    if not args:
        sys.exit(__doc__)
    panels = []
    for run_dir in args:
        run, tasks, returns, lengths, x, rewards = play(run_dir)
        panels.append((run, x[:, 0, 8:], returns[0], np.degrees(tasks[0])))
        steps = run.cfg.episode_steps
        print(f"{run_dir}: sharing {run.cfg.sharing}, rule {run.cfg.rule}, {len(returns)} episodes of up to "
              f"{steps} steps; mean return {returns.mean():.1f}")
        print("  direction  return  length  walked along it (m)  torso height min/end (m)  "
              "control cost  contact cost  mean |action|")
        for k, ret in enumerate(returns):
            th = tasks[k % 8]
            n = lengths[k]
            walked = (x[n, k, 0] - x[0, k, 0]) * np.cos(th) + (x[n, k, 1] - x[0, k, 1]) * np.sin(th)
            z = x[: n + 1, k, 2]
            ctrl, contact, act = x[1:n + 1, k, 4].sum(), x[1:n + 1, k, 5].sum(), x[1:n + 1, k, 6].mean()
            print(f"  {np.degrees(th):7.1f}  {ret:7.1f}  {n:6d}  {walked:10.2f}  {z.min():12.2f} / {z[-1]:.2f}"
                  f"  {ctrl:12.1f}  {contact:12.2f}  {act:8.2f}")
        full = lengths >= steps
        print(f"  episodes that lasted all {steps} steps: {full.sum()} of {len(full)}; "
              f"return of those {returns[full].mean() if full.any() else float('nan'):.1f}, "
              f"of the others {returns[~full].mean() if (~full).any() else float('nan'):.1f} "
              f"(mean length {lengths[~full].mean() if (~full).any() else float('nan'):.0f})")
        ctrl = np.array([x[1:lengths[k] + 1, k, 4].sum() for k in range(len(returns))])
        act = np.mean([x[1:lengths[k] + 1, k, 6].mean() for k in range(len(returns))])
        sat = np.mean([x[1:lengths[k] + 1, k, 7].mean() for k in range(len(returns))])
        print(f"  control cost per episode {ctrl.mean():.1f}; mean |action| {act:.2f}, "
              f"actions at |a| > 0.9: {sat:.1%}")
    if figure:
        plot(panels, figure)


def plot(panels, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pdlf_brian.tasks import make_env

    env = make_env("ant_dir")
    m = env.base.model
    joints = [m.joint(m.actuator_trnid[k, 0]).name for k in range(m.nu)]
    dt = env.base.dt
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 2.3 * len(panels)), dpi=120, sharex=True,
                             squeeze=False, layout="constrained")
    for ax, (run, acts, ret, direction) in zip(axes[:, 0], panels):
        t = np.arange(1, len(acts)) * dt
        for k, name in enumerate(joints):
            ax.plot(t, acts[1:, k], lw=0.9, label=name)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("action (|a| <= 1)", fontsize=9)
        how = (f"sharing {run.cfg.sharing}, E6 per {run.cfg.normalise}" if run.plastic
               else "weights trained (static)")
        ax.set_title(f"{run.dir.name}: {how}; direction {direction:.0f} deg, return {ret:.1f}", fontsize=9)
    axes[-1, 0].set_xlabel("time (s)", fontsize=9)
    axes[0, 0].legend(fontsize=7, ncol=4, loc="lower right")
    fig.savefig(path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
