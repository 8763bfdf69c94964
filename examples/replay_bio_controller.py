"""Load an evolved biological controller and watch it work: a spike raster of one sequence.

The controller is rebuilt from its run directory (its config, and the flattened rule and neuron files in
DIR/models/), its evolved coefficients (genome_centre.npy) are written into the network, and one
working-memory sequence is played: input spikes, hidden spikes and the readout over time in ms, and the
weights onto one hidden neuron over the trial.

    python examples/replay_bio_controller.py --run runs/example_bio_wm
    python examples/replay_bio_controller.py --quick     # trains a tiny run first (seconds)

The replay runs on Brian2's Cython runtime (it reaches into the network between steps): the first replay of
a network shape compiles its code, about 2 minutes on 2 cores; Brian2 caches it, so later ones take seconds.
"""
import argparse
import subprocess
import sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import StateMonitor, ms

from pdlf_brian.analysis.common import load_run
from pdlf_brian.builder import Controller
from pdlf_brian.rules import load_rule
from pdlf_brian.tasks.wm import CopyTask
from pdlf_brian.weights import for_rule

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--run", default="runs/example_bio_wm", help="a finished bio WM run directory")
parser.add_argument("--quick", action="store_true", help="train a tiny run first, then replay it")
parser.add_argument("--out", default=None, help="figure (default RUN/replay_raster.png)")
args = parser.parse_args()
if args.quick:
    args.run = "runs/example_replay_quick"
    if not (Path(args.run) / "result.json").exists():
        subprocess.run([sys.executable, "-m", "pdlf_brian.cli", "train", "--task", "wm", "--model", "bio",
                        "--len", "3", "--lat", "1", "--stimulus-ms", "50", "--hidden", "8", "--pop", "4",
                        "--generations", "2", "--sequences", "4", "--test-sequences", "8", "--backend", "numpy",
                        "--quiet", "--out", args.run], check=True)

run = load_run(args.run)
cfg, rule = run.cfg, load_rule(run.cfg.rule)
task = CopyTask.from_config(cfg)
net = Controller("bio", rule, task.n_in, cfg.hidden, task.n_out, 1, 1, task.n_steps, recurrent=cfg.topology == "rec",
                 sharing=cfg.sharing, neuron=cfg.neuron, step_ms=cfg.stimulus_ms, dt_ms=cfg.dt_ms, record=True,
                 init_weights=for_rule(cfg.init_weights, rule), backend="numpy" if args.quick else "cython",
                 channel_kinds=task.channel_kinds)
# the input synapses onto hidden neuron 0: synapse (pre, post) is number pre * n_hidden + post
w_onto_0 = StateMonitor(net.synapses["in"], "w", record=np.arange(0, 2 * task.n_in * cfg.hidden, cfg.hidden),
                        dt=5 * ms, name="w_onto_hidden_0")
net.net.add(w_onto_0)
bits = np.random.default_rng(3).integers(0, 2, (1, task.length))
y = net.run_open_loop(run.centre[None], task.inputs(bits)[:, None], np.random.default_rng(0))[:, 0, 0, 0]

step = cfg.stimulus_ms
inp, hid = net.monitors["input_spikes"], net.monitors["hidden_spikes"]
fig, axes = plt.subplots(4, 1, figsize=(8, 8), dpi=120, sharex=True, gridspec_kw={"height_ratios": [1, 2, 1, 1.2]})
axes[0].plot(inp.t / ms, inp.i, "|", color="tab:green")
axes[0].set_yticks(range(2 * task.n_in), [f"{c}{s}" for c in task.channel_names for s in "+-"], fontsize=6)
axes[0].set_ylabel("input neuron\n(channel, +/-)")
axes[1].plot(hid.t / ms, hid.i, "|", color="k", ms=3)
axes[1].set_ylabel("hidden neuron")
axes[1].set_ylim(-0.5, cfg.hidden - 0.5)
axes[2].plot((np.arange(task.n_steps) + 1) * step, y, "o-", color="tab:red", ms=3)
axes[2].axhline(task.threshold, color="k", lw=0.5, ls="--")   # the answer is 1 above it
axes[2].set_ylabel("readout y")
names = [f"{c}{s}" for c in task.channel_names for s in "+-"]
colours = plt.get_cmap("tab20" if len(names) > 10 else "tab10")   # one colour per input neuron (22 at Len 8)
for k, trace in enumerate(w_onto_0.w):
    axes[3].plot(w_onto_0.t / ms, trace, lw=1, color=colours(k % colours.N), ls="-" if k < colours.N else "--",
                 label=names[k])
axes[3].set_ylabel("w onto hidden 0")
axes[3].set_xlabel("time (ms)")
axes[3].legend(fontsize=6, ncol=6)
L, D = task.length, task.latency
for ax in axes:
    ax.axvspan(0, L * step, color="tab:blue", alpha=0.08)
    ax.axvspan((L + D) * step, task.n_steps * step, color="tab:orange", alpha=0.08)
answer = "".join("1" if a else "0" for a in task.answers(y))
axes[0].set_title(f"sequence {''.join(map(str, bits[0]))}, recalled {answer} (sample blue, recall orange)", fontsize=9)
fig.tight_layout()
out = args.out or f"{args.run}/replay_raster.png"
fig.savefig(out)
print(f"sequence {''.join(map(str, bits[0]))} recalled as {answer}; figure: {out}")
