"""Weight changes of the biological rules for given spike times, simulated in Brian2 with the
package's own synapse code (the pair-timing window of Fig 3E-F, and the tests against closed forms)."""
from __future__ import annotations

import numpy as np
from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, Synapses, defaultclock, ms

from . import backends
from .rules import Rule


def _forced_spikes_run(rule: Rule, coefficients: dict, n: int, pre_idx, pre_ms, post_idx, post_ms, tail_ms,
                       namespace, backend, neuron=None) -> np.ndarray:
    """Final weights of ``n`` independent input synapses whose pre and post spikes happen at the given
    times (ms).  Each post spike is forced by a strong non-plastic input one step earlier (the neuron's
    own TRANSMIT with weight 1000); the plastic synapse transmits nothing (its TRANSMIT times 0), and
    drift and scaling are off (``norm_dt`` beyond the end)."""
    from .builder import BioFamily

    backends.activate_runtime(backend)
    family = BioFamily(neuron=neuron, namespace=namespace)
    nrn = family.neuron
    ns = dict(family.namespace, **rule.namespace)
    dt = defaultclock.dt
    duration = float(max(np.max(pre_ms, initial=0), np.max(post_ms, initial=0)) + tail_ms) * ms
    ns["norm_dt"] = duration * 2
    pre = SpikeGeneratorGroup(n, pre_idx, np.asarray(pre_ms) * ms)
    driver = SpikeGeneratorGroup(n, post_idx, np.asarray(post_ms) * ms - dt)
    post = NeuronGroup(n, nrn.equations + family.model.HIDDEN_EXTRA, threshold=nrn.threshold, reset=nrn.reset,
                       refractory=nrn.refractory or False, method=nrn.method, namespace=ns)
    for var, value in nrn.initial.items():
        setattr(post, var, value)
    kick = Synapses(driver, post, "w : 1", on_pre=nrn.transmit, namespace=ns)
    kick.connect(j="i")
    kick.w = 1000.0
    extra = "\n".join(f"{c} : 1 (constant)" for c in rule.coefficients if c != "w")
    code = family.synapse_strings(rule, "in", extra, {c: c for c in rule.coefficients})
    # the transmission is kept with zero effect: on_pre then writes a postsynaptic variable, as in the
    # controller, and Brian2 generates the same kind of pathway code (with the NumPy target, a pathway
    # that writes no postsynaptic variable evaluates the rule's subexpressions of event-driven
    # variables, as BCM's threshold, before their update: a different, not the network's, result)
    line = family.transmit(rule, "in", {c: c for c in rule.coefficients})
    target, _, expr = line.partition("+=")
    on_pre = code["on_pre"].replace(line, f"{target.strip()} += 0 * ({expr.strip()})")
    syn = Synapses(pre, post, code["model"], on_pre=on_pre, on_post=code["on_post"], namespace=ns)
    syn.connect(j="i")
    for c, v in coefficients.items():
        setattr(syn, c, v)
    Network(pre, driver, post, kick, syn).run(duration, namespace=ns)
    return np.asarray(syn.w[:]).copy()


def pair_weight_change(rule: Rule, coefficients: dict, delta_ms, t0_ms=50.0, tail_ms=100.0, namespace=None,
                       backend="numpy", neuron=None) -> np.ndarray:
    """Weight change of one input synapse after one pre and one post spike, for each ``delta_ms``
    = t_post - t_pre (one independent synapse per value), simulated in Brian2."""
    delta = np.atleast_1d(np.asarray(delta_ms, dtype=float))
    n = len(delta)
    t_pre = np.full(n, t0_ms) + np.where(delta < 0, -delta, 0.0)
    return _forced_spikes_run(rule, coefficients, n, np.arange(n), t_pre, np.arange(n), t_pre + delta, tail_ms,
                              namespace, backend, neuron)


def spikes_weight_change(rule: Rule, coefficients: dict, pre_ms, post_ms, tail_ms=100.0, namespace=None,
                         backend="numpy", neuron=None) -> float:
    """Weight change of one input synapse for given pre and post spike times (ms), simulated in Brian2.

    As :func:`pair_weight_change`, for any spike trains (triplets, bursts); keep the post spikes
    >= 3 ms apart (refractory period).
    """
    pre_ms, post_ms = np.sort(np.atleast_1d(pre_ms)).astype(float), np.sort(np.atleast_1d(post_ms)).astype(float)
    return float(_forced_spikes_run(rule, coefficients, 1, np.zeros(len(pre_ms), dtype=int), pre_ms,
                                    np.zeros(len(post_ms), dtype=int), post_ms, tail_ms, namespace, backend,
                                    neuron)[0])
