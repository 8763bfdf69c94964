"""Permanent injury (Fig 4C): a fraction of hidden neurons is blocked from the start of the test;
the same masks for every agent.  A blocked neuron never spikes; its synapses start at zero and
get no updates (plastic and static agents alike; ``mode=silence`` keeps them instead).

    pdlf analyze lesion --run runs/hc_pdlf --baseline runs/hc_weights -o seeds=5

``-o mode=silence`` keeps the blocked neurons' synapses instead: the neurons mute, their synapses
following the rule (written to DIR/analysis/lesion_silence/).  A kept synapse of a mute neuron carries
nothing (its presynaptic neuron is silent, or its postsynaptic one never spikes); the one way it acts
is through E6, which divides each layer (with ``--normalise post``, each postsynaptic neuron's inputs)
by its largest |w|, kept synapses included.  So a static agent is the same network in both modes, and
a plastic agent's difference between them is E6's part of the lesion.  Kept synapses keep learning
(by the rule's terms that do not need the mute neuron) and may come to hold that max themselves.

Return (mean over the 8 training tasks) vs the blocked fraction, mean and spread over seeds (one
mask per seed).  An episode that ends early (a body that falls) keeps what it had earned; the summary
gives, per fraction, the share of episodes that ran to the end.
"""
from __future__ import annotations

import numpy as np

from ..genome import LESION_MODES
from .common import check_option, finish, load_agents, output_dir, progress, pyplot, rl_evaluator

NAME = "lesion"
FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def masks(n_hidden, fractions, seeds, seed=0):
    """(fractions, seeds, n_hidden) bool: exactly round(f * n_hidden) blocked neurons per mask."""
    rng = np.random.default_rng(seed)
    out = np.zeros((len(fractions), seeds, n_hidden), dtype=bool)
    for i, f in enumerate(fractions):
        for s in range(seeds):
            out[i, s, rng.permutation(n_hidden)[:int(round(f * n_hidden))]] = True
    return out


def default_masks(n_hidden, chosen, seeds):
    """The masks the analysis draws with its default fractions (one after another, its seed 0), at the
    ``chosen`` ones among them: diagnostics that replay some of its lesions get the same neurons."""
    return masks(n_hidden, FRACTIONS, seeds)[[FRACTIONS.index(f) for f in chosen]]


def folder(options) -> str:
    """DIR/analysis/<folder>: the silenced variant has its own, to be compared with the removal, not
    written over it."""
    mode = options.get("mode", "remove")
    check_mode(mode)   # before a folder named after it is made
    return NAME if mode == "remove" else f"{NAME}_{mode}"


def check_mode(mode):
    check_option(NAME, "mode", mode, isinstance(mode, str) and mode in LESION_MODES,
                 "'remove' (the synapses go: the paper's lesion) or 'silence' (the neurons mute, the synapses stay)")


def lesioned_returns(run, mask_set, steps=None, check=None, hooks=(), mode="remove"):
    """(fractions, seeds) mean returns and (fractions,) the share of episodes that ran their full length;
    ``check(network, mask)`` is called after each episode; ``hooks``: more callables ``hook(t, batch)``
    run at every step (e.g. recording the actions: ``scripts/rl_diagnosis/d14_lesion_actions.py``);
    ``mode``: ``remove`` or ``silence`` (:meth:`~pdlf_brian.builder.Controller.set_lesion`)."""
    n_f, seeds, _ = mask_set.shape
    if run.cfg.model != "reference":
        raise ValueError(f"{run.dir}: permanent lesions are implemented for the reference model only")
    ev = rl_evaluator(run, seeds, episode_steps=steps, lesion=True)
    ev.batch.hooks.extend(hooks)
    tasks = list(ev.train_tasks) if ev.train_tasks is not None else [None] * 8
    env_seeds = np.arange(seeds * 8).reshape(seeds, 8) + 2000
    out, running = np.zeros((n_f, seeds)), np.zeros(n_f)
    for i in range(n_f):
        progress(f"lesion: {run.label}: fraction {i + 1}/{n_f}")
        ev.network.set_lesion(mask_set[i][:, None, :], mode)
        r, _ = ev.episode(np.repeat(run.centre[None], seeds, 0), tasks, env_seeds)
        out[i] = r.mean(axis=1)
        running[i] = np.mean(ev.batch.lengths >= ev.batch.episode_steps)
        if check is not None:
            check(ev.network, mask_set[i])
    ev.network.set_lesion(None)
    return out, running


def run(run_dir, out_dir=None, baseline=None, seeds=5, steps=None, fractions=FRACTIONS, mode="remove"):
    check_option(NAME, "seeds", seeds, seeds >= 1, "at least 1")
    check_mode(mode)
    check_option(NAME, "steps", steps, steps is None or (isinstance(steps, int) and steps >= 1),
                 "a number of steps >= 1 (omit it for the run's episode length)")
    check_option(NAME, "fractions", fractions, all(0 <= f < 1 for f in fractions),
                 "fractions of hidden neurons blocked, each in [0, 1)")
    out = out_dir or output_dir(run_dir, folder({"mode": mode}))
    agents = load_agents(NAME, run_dir, baseline, same_episodes=steps is None)
    if len({a.cfg.hidden for a in agents}) != 1:
        raise ValueError("the agents have different hidden sizes: the same masks cannot apply to both")
    mask_set = masks(agents[0].cfg.hidden, fractions, seeds)
    np.save(out / "masks.npy", mask_set)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=120)
    rows, summary = [], {"fractions": list(fractions), "seeds": seeds, "mode": mode, "agents": {}}
    for agent, colour in zip(agents, ["tab:red", "tab:blue"]):
        ret, running = lesioned_returns(agent, mask_set, steps, mode=mode)
        for i, f in enumerate(fractions):
            rows.append({"agent": agent.label, "fraction": f, "mean_return": ret[i].mean(), "sd": ret[i].std()})
        intact = ret[0].mean()
        # a ratio to the intact return means something only where that return is positive (halfcheetah's
        # are negative: a ratio then gave -1 for the intact network itself); the difference always does
        summary["agents"][agent.label] = {"plastic": agent.plastic, "mean": ret.mean(1), "sd": ret.std(1),
                                          "minus_intact": ret.mean(1) - intact, "running_at_end": running,
                                          "relative_to_intact": ret.mean(1) / intact if intact > 0 else None}
        ax.errorbar(fractions, ret.mean(1), yerr=ret.std(1), color=colour, marker="o", ms=3, label=agent.label)
    return finish(plt, fig, out, "lesion.png", "lesion.csv", rows, summary, ax,
                  "fraction of hidden neurons " + ("blocked" if mode == "remove" else "silenced (synapses kept)"),
                  "return (mean over tasks)")
