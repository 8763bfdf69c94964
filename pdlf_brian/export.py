"""``pdlf export --run DIR --out agent.py``: an evolved controller as one plain-Brian2 script.

The script imports only brian2 and numpy.  It holds the model's equations (the
text of ``models/reference.py``), the rule's increment with its operands filled
in, and the evolved coefficients of every synapse as literal numbers (exact:
Python writes floats round-trip).  Run it on recorded inputs::

    python agent.py inputs.npy out.npz      # inputs (T, n_in) -> readout, actions, w1, w2, spikes

It reproduces ``pdlf replay`` of the same genome (tested to 1e-12).  A closed-loop (RL) run's script
also holds what surrounds the network in training: the observation statistics the run froze for its
test (``--observations``: raw observations are normalised with them first) and the map from the
readout to the environment's actions (tanh unless the run's readout was linear, then the action
space's bounds), as :class:`pdlf_brian.closed_loop.EpisodeBatch` applies them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .models import reference as ref_model
from .rules import load_rule

TEMPLATE = '''"""PDLF controller exported by pdlf-brian {version}.

Run directory: {run}
Task {task}; model reference (docs/method.md E1-E6); rule {rule} (sharing {sharing}, topology {topology},
E6 per {normalise});
genome: {which} ({genome_file}), {size} numbers.

    python {script} inputs.npy out.npz
    python {script} --observations observations.npy out.npz     (closed-loop runs: raw observations)

inputs.npy: (T, {n_in}) inputs, one row per step, as the network saw them (normalised observations or
stimuli); with --observations, raw environment observations, normalised here with the run's frozen
statistics (OBS_MEAN, OBS_STD).
out.npz: readout (T, {n_out}), the network's output a; actions (T, {n_out}): what the environment was given
(closed-loop runs: to_actions() below; working memory: the readout itself, bit 1 where it is above 0);
w1 (T, {n_in}, {n_hidden}), w2 (T, {n_hidden}, {n_out}), spikes (T, {n_hidden}), the weights after each step's
update.  Only brian2 and numpy are needed.
"""
import sys

import numpy as np
from brian2 import (Network, NetworkOperation, NeuronGroup, StateMonitor, Synapses, TimedArray, ms,
                    prefs, set_device)

N_IN, N_HIDDEN, N_OUT = {n_in}, {n_hidden}, {n_out}
RECURRENT = {recurrent}
#: E6: 'layer' (the paper: each layer by its max |w|) or 'post' (each postsynaptic neuron by its own; a variant)
NORMALISE = {normalise!r}
NAMESPACE = {namespace}

INPUT_EQS = """{input_eqs}"""
HIDDEN_EQS = """{hidden_eqs}"""
HIDDEN_STEP = """{hidden_step}"""
READOUT_EQS = """{readout_eqs}"""
CURRENTS = {currents}

#: the evolved rule, with its operands filled in per layer
RULE = {rule_code}

#: evolved per-synapse coefficients, each (n_pre, n_post), row-major
COEFFICIENTS = {{
{coefficients}
}}


#: closed-loop runs (None for working memory): the observation statistics frozen for the run's test
#: (docs/method.md section 4; the first len(OBS_MEAN) inputs are normalised, a task value after them is
#: left raw) and the readout -> action map: tanh where SQUASH, then clipped to the action space
inf = float("inf")   # an unbounded action space (Brax actuators) has infinite bounds
OBS_MEAN = {obs_mean}
OBS_STD = {obs_std}
SQUASH = {squash}
ACTION_LOW = {action_low}
ACTION_HIGH = {action_high}


def normalise(observations):
    """Raw observations (T, N_IN) -> the network's inputs: clip((o - mean) / std, -5, 5)."""
    x = np.array(observations, dtype=float)
    n = len(OBS_MEAN)
    x[:, :n] = np.clip((x[:, :n] - np.asarray(OBS_MEAN)) / np.asarray(OBS_STD), -5.0, 5.0)
    return x


def to_actions(readout):
    """The readout (T, N_OUT) -> the actions the environment gets (working memory: the readout)."""
    if ACTION_LOW is None:
        return np.array(readout)
    a = np.tanh(readout) if SQUASH else np.array(readout)
    return np.clip(a, np.asarray(ACTION_LOW), np.asarray(ACTION_HIGH))


def normalise_factory(synapses):
    views = [(s.variables["w"].get_value(), len(s.target)) for s in synapses]

    def normalise():
        for w, n_post in views:
            if NORMALISE == "post":  # each postsynaptic neuron's incoming weights by their own max |w|
                by_post = w.reshape(-1, n_post)   # synapses are pre-major: row i, column j
                m = np.abs(by_post).max(axis=0)
                by_post /= np.where(m > 0, m, 1.0)
                continue
            m = np.abs(w).max()   # E6: W <- W / max|W| (an all-zero layer stays zero)
            if m > 0:
                w /= m
    return normalise


def run(inputs, backend="numpy"):
    inputs = np.asarray(inputs, dtype=float)
    T = inputs.shape[0]
    assert inputs.shape == (T, N_IN), f"inputs must be (T, {{N_IN}})"
    set_device("runtime")
    prefs.codegen.target = backend
    ns = dict(NAMESPACE)
    ns["stimulus"] = TimedArray(inputs, dt=1 * ms)
    inp = NeuronGroup(N_IN, INPUT_EQS, dt=1 * ms, namespace=ns)
    inp.run_regularly("x = stimulus(t, i)", when="start")
    hid = NeuronGroup(N_HIDDEN, HIDDEN_EQS, dt=1 * ms, order=0, namespace=ns)
    hid.run_regularly(HIDDEN_STEP, when="groups", order=0)
    out = NeuronGroup(N_OUT, READOUT_EQS, dt=1 * ms, order=2, namespace=ns)
    layers = [("in", inp, hid)] + ([("rec", hid, hid)] if RECURRENT else []) + [("out", hid, out)]
    synapses = []
    for order, (layer, src, tgt) in enumerate(layers):
        coefs = COEFFICIENTS[layer]
        model = "w : 1\\n" + CURRENTS[layer] + "".join(f"\\n{{c}} : 1 (constant)" for c in coefs if c != "w")
        syn = Synapses(src, tgt, model, dt=1 * ms, namespace=ns)
        syn.connect(i=np.repeat(np.arange(len(src)), len(tgt)), j=np.tile(np.arange(len(tgt)), len(src)))
        for c, values in coefs.items():
            syn.variables[c].get_value()[:] = np.asarray(values, dtype=float).ravel()
        if RULE[layer] is not None:
            syn.run_regularly(RULE[layer], when="synapses", order=order)
        synapses.append(syn)
    objects = [inp, hid, out, *synapses]
    if RULE["in"] is not None:
        objects.append(NetworkOperation(normalise_factory(synapses), dt=1 * ms, when="end", order=0))
    mon = {{"actions": StateMonitor(out, "a", record=True, when="end", order=10),
           "spikes": StateMonitor(hid, "s", record=True, when="end", order=10),
           "w1": StateMonitor(synapses[0], "w", record=True, when="end", order=10),
           "w2": StateMonitor(synapses[-1], "w", record=True, when="end", order=10)}}
    Network(*objects, *mon.values()).run(T * ms, namespace=ns)
    readout = np.asarray(mon["actions"].a).T
    return {{"readout": readout, "actions": to_actions(readout), "spikes": np.asarray(mon["spikes"].s).T,
            "w1": np.asarray(mon["w1"].w).T.reshape(T, N_IN, N_HIDDEN),
            "w2": np.asarray(mon["w2"].w).T.reshape(T, N_HIDDEN, N_OUT)}}


if __name__ == "__main__":
    args = sys.argv[1:]
    raw = args[:1] == ["--observations"]
    if raw:
        args = args[1:]
    if len(args) != 2 or (raw and OBS_MEAN is None):
        sys.exit("usage: python {script} inputs.npy out.npz"
                 + ("" if OBS_MEAN is None else "\\n       python {script} --observations observations.npy out.npz"))
    inputs = np.load(args[0])
    result = run(normalise(inputs) if raw else inputs)
    np.savez(args[1], **result)
    print("wrote", args[1], {{k: v.shape for k, v in result.items()}})
'''


def _literal(a: np.ndarray) -> str:
    return "np.array([" + ", ".join(repr(float(v)) for v in a.ravel()) + f"]).reshape{tuple(a.shape)}"


def export(run_dir, out, which: str = "centre") -> Path:
    """Write the plain-Brian2 script of the run's ``centre`` (default) or ``best`` genome."""
    from . import __version__

    run_dir, out = Path(run_dir), Path(out)
    if which not in ("centre", "best"):
        raise ValueError(f"which must be 'centre' or 'best', got {which!r}")
    if not (run_dir / "config.json").exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no config.json)")
    genome_file = run_dir / f"genome_{which}.npy"
    if not genome_file.exists():
        raise FileNotFoundError(f"{genome_file} not found: the run has not finished (resume it first)")
    from .rundir import read_run_config
    cfg = read_run_config(run_dir, note=lambda line: print(f"pdlf export: {line}", file=sys.stderr))
    if cfg.model != "reference":
        raise ValueError(f"export writes the reference model; this run uses model '{cfg.model}'")
    rule = load_rule(cfg.rule)
    from .weights import for_rule
    init = for_rule(cfg.init_weights, rule)
    if init.kind != "zero":
        # the script starts every weight at zero (the paper); a run that started from drawn weights is
        # another agent, whose draws depend on the trainer's generator
        raise ValueError(f"export writes a controller whose weights start at zero; this run started from "
                         f"initial weights {str(init)!r} (config key 'init_weights')")
    from .evaluate import io_sizes, layout_for
    n_in, n_out = io_sizes(cfg)
    recurrent = cfg.topology == "rec"
    layout = layout_for(cfg)
    from .rundir import load_array
    genome = load_array(genome_file)
    if genome.size != layout.size:
        raise ValueError(f"{genome_file} has {genome.size} numbers; the run's network needs {layout.size}")
    decoded = layout.decode(genome[None])
    coef_lines = []
    for l in layout.layers:
        items = []
        for c in rule.coefficients:
            full = np.broadcast_to(decoded[l.name][c][0], (l.n_pre, l.n_post))
            items.append(f'        "{c}": {_literal(np.ascontiguousarray(full))},')
        coef_lines.append(f'    "{l.name}": {{\n' + "\n".join(items) + "\n    },")
    currents = {"in": ref_model.CURRENT_FF, "rec": ref_model.CURRENT_REC, "out": ref_model.CURRENT_OUT}
    rule_code = {l.name: (f"w += {rule.substituted('DISCRETE', ref_model.RULE_OPERANDS[l.name])}"
                          if rule.plastic else None) for l in layout.layers}
    loop = _closed_loop_parts(cfg, run_dir) if cfg.task != "wm" else {}
    text = TEMPLATE.format(
        obs_mean=loop.get("mean"), obs_std=loop.get("std"), squash=loop.get("squash"),
        action_low=loop.get("low"), action_high=loop.get("high"),
        version=__version__, run=run_dir.resolve(), task=cfg.task_label(), rule=rule.name, sharing=cfg.sharing,
        topology=cfg.topology, normalise=cfg.normalise, which=which, genome_file=genome_file.name, size=layout.size, script=out.name,
        n_in=n_in, n_hidden=cfg.hidden, n_out=n_out, recurrent=recurrent,
        namespace=json.dumps({k: float(v) for k, v in ref_model.NAMESPACE.items()}),
        input_eqs=ref_model.INPUT_EQS, hidden_eqs=ref_model.HIDDEN_EQS, hidden_step=ref_model.HIDDEN_STEP,
        readout_eqs=ref_model.READOUT_EQS, currents=json.dumps({l.name: currents[l.name] for l in layout.layers}),
        rule_code=json.dumps(rule_code).replace("null", "None"), coefficients="\n".join(coef_lines))
    out.write_text(text)
    return out


def _closed_loop_parts(cfg, run_dir: Path) -> dict:
    """What surrounds a closed-loop run's network: its frozen observation statistics and its action
    map (literal lists for the script)."""
    from .closed_loop import ObsNormaliser
    from .tasks import make_env
    stats_file = run_dir / "obs_stats.json"
    if not stats_file.exists():
        raise FileNotFoundError(f"{stats_file} not found: a closed-loop run's script needs the observation "
                                "statistics the run froze for its test")
    state = json.loads(stats_file.read_text())
    env = make_env(cfg.task, max_episode_steps=cfg.episode_steps, actuators=cfg.actuators, **cfg.env_options)
    try:
        norm = ObsNormaliser(env.observation_space.shape[0], raw_last=env.task_kind is not None)
        norm.load_state_dict(state)
        low, high = env.action_space.low, env.action_space.high
    finally:
        env.close()
    plastic = load_rule(cfg.rule).plastic
    return {"mean": [float(v) for v in norm.mean], "std": [float(v) for v in norm.std],
            "squash": not (cfg.action_bounds == "reference" and plastic),
            "low": [float(v) for v in low], "high": [float(v) for v in high]}
