"""The biological controller (models/bio.py), batched like the reference one."""
from __future__ import annotations

import numpy as np
from brian2 import (Network, NetworkOperation, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, TimedArray, defaultclock,
                    ms)

from . import backends
from .genome import GenomeLayout, controller_layers
from .models import bio as bio_model
from .network import block_diagonal, synapse_values
from .rules import Rule
from brian2.utils.stringtools import word_substitute

# Brian2 warns that "v_post += w" next to "w += ..." in one pathway "may depend on the order of
# execution": each synapse writes only its own w, and v_post is a summed-into target, so it does not.
# Only that message, from that logger, is dropped.
import logging  # noqa: E402


class _OrderWarningFilter(logging.Filter):
    def filter(self, record):
        return not record.getMessage().startswith("Came across an abstract code block")


logging.getLogger("brian2.codegen.generators.base").addFilter(_OrderWarningFilter())


def synapse_code(rule: Rule, layer: str) -> dict[str, str]:
    """Model, on_pre and on_post strings of one plastic (or static) layer."""
    coef = [f"{c} : 1 (constant)" for c in rule.coefficients if c != "w"]
    model = bio_model.SYNAPSE_EQS.format(layer=layer) + "\n".join(coef)
    if rule.equations:
        model += "\n" + rule.equations.strip()
    operands = bio_model.RULE_OPERANDS[layer]
    on_pre = [bio_model.TRANSMIT[layer]]
    on_post = []
    if rule.plastic:
        inc = rule.substituted("ON_PRE", operands)
        if inc is not None:
            on_pre.append(f"w += {inc}")
        if rule.pre_updates:
            on_pre += [word_substitute(l.strip(), operands) for l in rule.pre_updates.strip().splitlines()]
        inc = rule.substituted("ON_POST", operands)
        if inc is not None and layer != "out":
            on_post.append(f"w += {inc}")
        if rule.post_updates and layer != "out":
            on_post += [l.strip() for l in rule.post_updates.strip().splitlines()]
    on_pre.append("apre += 1")
    if layer != "out":
        on_post.append("apost += 1")
    regular = []
    if rule.plastic:
        drift = rule.substituted("DRIFT", operands)
        if drift is not None:
            regular.append(f"w += ({drift}) * (norm_dt / tau_drift)")
        regular.append(bio_model.NORMALISE.format(layer=layer))
    return {"model": model, "on_pre": "\n".join(on_pre), "on_post": "\n".join(on_post),
            "regular": "\n".join(regular)}


class BioNetwork:
    """P individuals x B copies of the biological controller in one Network.

    One step (a WM stimulus or an environment step) lasts ``step_ms``; the
    readout is sampled at the end of each step.
    """

    model = "bio"

    def __init__(self, rule: Rule, n_in, n_hidden, n_out, n_individuals, n_copies=1, n_steps=1, *,
                 step_ms=200.0, dt_ms=1.0, recurrent=False, sharing="synapse", backend="cython",
                 record=False, closed_loop=False, name="pdlf_bio", namespace=None, dt_hook=False):
        if not rule.has_events():
            raise ValueError(f"rule '{rule.name}' has no ON_PRE/ON_POST/DRIFT form for the bio model")
        backends.check_backend(backend)
        if backend not in backends.RUNTIME:
            raise ValueError("the bio model runs on the cython and numpy backends in this version")
        self.rule, self.backend, self.record = rule, backend, record
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.P, self.B, self.n_steps = n_individuals, n_copies, n_steps
        self.N = self.P * self.B
        self.closed_loop = closed_loop
        self.dt_hook, self._dt_hook_fn = dt_hook, None
        self.step, self.dt = step_ms * ms, dt_ms * ms
        shapes = controller_layers(2 * n_in, n_hidden, n_out, recurrent)  # push-pull input pairs
        self.layout = GenomeLayout(shapes, rule.coefficients, sharing)
        self._name = name
        self.namespace = dict(bio_model.NAMESPACE, **rule.namespace, **(namespace or {}))
        backends.activate_runtime(backend)
        self._build()

    def _build(self):
        n, N, ns = self._name, self.N, self.namespace
        if not self.closed_loop:
            self.stimulus = TimedArray(np.zeros((self.n_steps, N * self.n_in)), dt=self.step, name=f"{n}_stimulus")
            ns["stimulus"] = self.stimulus
        eqs = bio_model.INPUT_EQS_CLOSED_LOOP if self.closed_loop else bio_model.INPUT_EQS
        self.inp = NeuronGroup(2 * N * self.n_in, eqs, threshold=bio_model.INPUT_THRESHOLD,
                               reset=bio_model.INPUT_RESET, method="euler", dt=self.dt, name=f"{n}_input", namespace=ns)
        idx = np.arange(2 * N * self.n_in)
        # copy k's pre-neurons are contiguous: channel c of copy k -> neurons 2(k n_in + c), +1
        self.inp.channel = idx // 2
        self.inp.polarity = np.where(idx % 2 == 0, 1.0, -1.0)
        self.hid = NeuronGroup(N * self.n_hidden, bio_model.HIDDEN_EQS, threshold=bio_model.HIDDEN_THRESHOLD,
                               reset=bio_model.HIDDEN_RESET, refractory=bio_model.REFRACTORY, method="exact",
                               dt=self.dt, name=f"{n}_hidden", namespace=ns)
        self.out = NeuronGroup(N * self.n_out, bio_model.READOUT_EQS, method="exact", dt=self.dt,
                               name=f"{n}_readout", namespace=ns)
        self.synapses = {}
        for layer, src, tgt in [("in", self.inp, self.hid)] + \
                ([("rec", self.hid, self.hid)] if len(self.layout.layers) == 3 else []) + [("out", self.hid, self.out)]:
            code = synapse_code(self.rule, layer)
            syn = Synapses(src, tgt, code["model"], on_pre=code["on_pre"], on_post=code["on_post"] or None,
                           dt=self.dt, name=f"{n}_syn_{layer}", namespace=ns)
            l = next(x for x in self.layout.layers if x.name == layer)
            i, j = block_diagonal(N, l.n_pre, l.n_post)
            syn.connect(i=i, j=j)
            if code["regular"]:
                # in 'groups' after the summed L1 (order -1): the scaling uses the current weights
                syn.run_regularly(code["regular"], dt=ns["norm_dt"], when="groups", order=1,
                                  name=f"{n}_norm_{layer}")
            self.synapses[layer] = syn
        objects = [self.inp, self.hid, self.out, *self.synapses.values()]
        if self.dt_hook:  # analyses: set_dt_hook(f) calls f() at the end of every time step
            objects.append(NetworkOperation(self._run_dt_hook, dt=self.dt, when="end", name=f"{n}_dt_hook"))
        if self.closed_loop:
            # at the start of every step (t = k * step_ms): read y, step the environments, write x
            objects.append(NetworkOperation(self._loop_step, dt=self.step, when="start", name=f"{n}_environment_step"))
        else:
            self.readout_monitor = StateMonitor(self.out, "y", record=True, dt=self.step, when="end",
                                                name=f"{n}_readout_monitor")
            objects.append(self.readout_monitor)
        self.monitors = {}
        if self.record:
            from brian2 import SpikeMonitor
            self.monitors["hidden_spikes"] = SpikeMonitor(self.hid, name=f"{n}_hidden_spikes")
            for layer, syn in self.synapses.items():
                self.monitors[f"w_{layer}"] = StateMonitor(syn, "w", record=True, dt=self.step, when="end",
                                                           name=f"{n}_mon_w_{layer}")
            objects += list(self.monitors.values())
        self.net = Network(*objects, name=f"{n}_network")
        self.net.store("initial")

    def set_genomes(self, genomes):
        for layer, c, values in synapse_values(self.layout, genomes, self.B):
            self.synapses[layer].variables[c].get_value()[:] = values

    def set_dt_hook(self, fn) -> None:
        if not self.dt_hook:
            raise RuntimeError("build the network with dt_hook=True to install a per-time-step hook")
        self._dt_hook_fn = fn

    def _run_dt_hook(self):
        if self._dt_hook_fn is not None:
            self._dt_hook_fn()

    def synapse_array(self, layer: str, var: str = "w") -> np.ndarray:
        """Live (P, B, n_pre, n_post) view of a synaptic variable."""
        l = next(x for x in self.layout.layers if x.name == layer)
        return self.synapses[layer].variables[var].get_value().reshape(self.P, self.B, l.n_pre, l.n_post)

    def finite_weights(self) -> np.ndarray:
        """(P, B): True where every weight of the copy is finite (False: the rule diverged)."""
        ok = np.ones(self.N, dtype=bool)
        for syn in self.synapses.values():
            ok &= np.all(np.isfinite(syn.variables["w"].get_value().reshape(self.N, -1)), axis=1)
        return ok.reshape(self.P, self.B)

    def run_open_loop(self, genomes, inputs) -> np.ndarray:
        """inputs (T, P, B, n_in) -> readout at the end of each step (T, P, B, n_out)."""
        inputs = np.asarray(inputs, dtype=float)
        expected = (self.n_steps, self.P, self.B, self.n_in)
        if inputs.shape != expected:
            raise ValueError(f"inputs must have shape {expected} (T, P, B, n_in); got {inputs.shape}")
        backends.activate_runtime(self.backend)
        self.net.restore("initial")
        self.set_genomes(genomes)
        self.stimulus.values[:] = inputs.reshape(self.n_steps, -1)
        # one extra dt, so that the monitor (every step, from t = 0) also samples the end of the last step
        self.net.run(self.n_steps * self.step + self.dt, namespace=self.namespace)
        y = np.asarray(self.readout_monitor.y).T[1:self.n_steps + 1]
        return y.reshape(self.n_steps, self.P, self.B, self.n_out)


    def run_closed_loop(self, genomes, controller, n_steps=None) -> int:
        """As :meth:`ReferenceNetwork.run_closed_loop`; one environment step = ``step_ms`` of simulation.

        The readout handed to ``controller.step`` is y at the end of the step's last time step.
        """
        if not self.closed_loop:
            raise RuntimeError("build the network with closed_loop=True for run_closed_loop")
        n_steps = self.n_steps if n_steps is None else n_steps
        backends.activate_runtime(self.backend)
        self.net.restore("initial")
        self.set_genomes(genomes)
        x = self.inp.variables["x"].get_value()
        # input neuron 2 (k n_in + c) + {0, 1} encodes channel c of copy k
        self._x = x.reshape(self.P, self.B, self.n_in, 2)
        self._y = self.out.variables["y"].get_value().reshape(self.P, self.B, self.n_out)
        self._x[:] = np.asarray(controller.first())[..., None]
        self._controller, self._steps = controller, 0
        self.net.run(n_steps * self.step + self.dt, namespace=self.namespace)
        return self._steps

    def _loop_step(self):
        if self.net.t < self.step * 0.5:  # t = 0: the first inputs are already in place
            return
        self._steps += 1
        x = self._controller.step(self._y)
        if x is None:
            self.net.stop()
        else:
            self._x[:] = np.asarray(x)[..., None]


def _forced_spikes_run(rule: Rule, coefficients: dict, n: int, pre_idx, pre_ms, post_idx, post_ms, tail_ms,
                       namespace, backend) -> np.ndarray:
    """Final weights of ``n`` independent input synapses (the package's own synapse code) whose pre
    and post spikes happen at the given times (ms).  Each post spike is forced by a strong
    non-plastic drive one step earlier; drift and normalisation are off (``norm_dt`` beyond the end)."""
    backends.activate_runtime(backend)
    ns = dict(bio_model.NAMESPACE, **rule.namespace, **(namespace or {}))
    dt = defaultclock.dt
    duration = float(max(np.max(pre_ms, initial=0), np.max(post_ms, initial=0)) + tail_ms) * ms
    ns["norm_dt"] = duration * 2
    pre = SpikeGeneratorGroup(n, pre_idx, np.asarray(pre_ms) * ms)
    driver = SpikeGeneratorGroup(n, post_idx, np.asarray(post_ms) * ms - dt)
    post = NeuronGroup(n, bio_model.HIDDEN_EQS, threshold=bio_model.HIDDEN_THRESHOLD, reset=bio_model.HIDDEN_RESET,
                       refractory=bio_model.REFRACTORY, method="exact", namespace=ns)
    kick = Synapses(driver, post, on_pre="v_post += 10", namespace=ns)
    kick.connect(j="i")
    code = synapse_code(rule, "in")
    syn = Synapses(pre, post, code["model"], on_pre=code["on_pre"].replace(bio_model.TRANSMIT["in"], "v_post += 0"),
                   on_post=code["on_post"] or None, namespace=ns)
    syn.connect(j="i")
    for c, v in coefficients.items():
        setattr(syn, c, v)
    Network(pre, driver, post, kick, syn).run(duration, namespace=ns)
    return np.asarray(syn.w[:]).copy()


def pair_weight_change(rule: Rule, coefficients: dict, delta_ms, t0_ms=50.0, tail_ms=100.0, namespace=None,
                       backend="numpy") -> np.ndarray:
    """Weight change of one input synapse after one pre and one post spike, for each ``delta_ms``
    = t_post - t_pre (one independent synapse per value), simulated in Brian2."""
    delta = np.atleast_1d(np.asarray(delta_ms, dtype=float))
    n = len(delta)
    t_pre = np.full(n, t0_ms) + np.where(delta < 0, -delta, 0.0)
    return _forced_spikes_run(rule, coefficients, n, np.arange(n), t_pre, np.arange(n), t_pre + delta, tail_ms,
                              namespace, backend)


def spikes_weight_change(rule: Rule, coefficients: dict, pre_ms, post_ms, tail_ms=100.0, namespace=None,
                         backend="numpy") -> float:
    """Weight change of one input synapse for given pre and post spike times (ms), simulated in Brian2.

    As :func:`pair_weight_change`, for any spike trains (triplets, bursts); keep the post spikes
    >= 3 ms apart (refractory period).
    """
    pre_ms, post_ms = np.sort(np.atleast_1d(pre_ms)).astype(float), np.sort(np.atleast_1d(post_ms)).astype(float)
    return float(_forced_spikes_run(rule, coefficients, 1, np.zeros(len(pre_ms), dtype=int), pre_ms,
                                    np.zeros(len(post_ms), dtype=int), post_ms, tail_ms, namespace, backend)[0])
