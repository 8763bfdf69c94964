"""Batched Brian2 networks: P individuals x B copies in one ``Network``.

Every copy is an independent controller (its own neurons, synapses and fast
weights): the synapses are block-diagonal, created with explicit ``i``/``j``
so that copy ``k = p * B + b`` owns a contiguous slice of every array, and a
layer's arrays reshape to ``(P, B, n_pre, n_post)`` row-major.

The network is built once per shape.  Each evaluation restores the stored
initial state, writes the coefficients decoded from the genomes and the inputs,
and makes exactly one ``run()`` call.
"""
from __future__ import annotations

import numpy as np
from brian2 import (Network, NetworkOperation, NeuronGroup, StateMonitor, Synapses,
                    TimedArray, ms)

from . import backends
from .genome import GenomeLayout, controller_layers
from .models import reference as ref_model  # models/ is installed as pdlf_brian.models
from .rules import Rule

STEP = 1 * ms  # one step of the discrete reference model (a label, not physics)


def block_diagonal(n_copies: int, n_pre: int, n_post: int):
    """Pre/post indices of ``n_copies`` all-to-all blocks, copy-major, then pre, then post."""
    k, a, b = np.meshgrid(np.arange(n_copies), np.arange(n_pre), np.arange(n_post), indexing="ij")
    return (k * n_pre + a).ravel(), (k * n_post + b).ravel()


def synapse_values(layout: GenomeLayout, genomes, n_copies: int):
    """(layer, variable, flat per-synapse values) for P genomes, each repeated over B copies."""
    for layer, coefs in layout.decode(genomes).items():
        for c, values in coefs.items():
            P = values.shape[0]
            full = np.broadcast_to(values[:, None], (P, n_copies) + values.shape[1:])
            yield layer, c, np.ascontiguousarray(full).ravel()


def reshape_recorded(monitors: dict, layout: GenomeLayout, T: int, P: int, B: int, n_hidden: int) -> dict:
    """Monitored per-step state -> arrays shaped (T, P, B, ...)."""
    out = {}
    for key, mon in monitors.items():
        values = np.asarray(getattr(mon, key.split("_")[0])).T  # (T, n)
        if key.startswith("w_"):
            l = next(x for x in layout.layers if x.name == key[2:])
            out[key] = values.reshape(T, P, B, l.n_pre, l.n_post)
        else:
            out[key] = values.reshape(T, P, B, n_hidden)
    return out


def reference_neurons(net, ns: dict, stimulus_steps: int | None):
    """The three neuron groups of a batched reference controller (E1-E4), shared by the runtime and
    the standalone networks.  With ``stimulus_steps`` the inputs are read from a TimedArray
    ``stimulus`` (steps x inputs) put into the namespace ``ns``; otherwise they are written from
    outside (a closed loop).  Returns (input, hidden, readout, stimulus or None)."""
    n, N = net._name, net.N
    inp = NeuronGroup(N * net.n_in, ref_model.INPUT_EQS, dt=STEP, name=f"{n}_input", namespace=ns)
    stimulus = None
    if stimulus_steps is not None:
        stimulus = TimedArray(np.zeros((stimulus_steps, N * net.n_in)), dt=STEP, name=f"{n}_stimulus")
        ns["stimulus"] = stimulus
        inp.run_regularly("x = stimulus(t, i)", when="start", name=f"{n}_input_set")
    hid = NeuronGroup(N * net.n_hidden, ref_model.HIDDEN_EQS, dt=STEP, order=0, name=f"{n}_hidden", namespace=ns)
    # the summed currents run in 'groups' at order -1, before this block (E1-E3)
    hid.run_regularly(ref_model.HIDDEN_STEP, when="groups", order=0, name=f"{n}_hidden_step")
    # the readout's summed variable runs at order 1, after the hidden step (E4)
    out = NeuronGroup(N * net.n_out, ref_model.READOUT_EQS, dt=STEP, order=2, name=f"{n}_readout", namespace=ns)
    return inp, hid, out, stimulus


class ReferenceNetwork:
    """The discrete reference controller (METHOD.md E1-E6), batched.

    Parameters
    ----------
    rule : Rule
    n_in, n_hidden, n_out : layer sizes of one controller
    n_individuals : P, the number of genomes evaluated together
    n_copies : B, independent copies per individual (tasks or sequences)
    n_steps : length of an open-loop evaluation (the input TimedArray's length)
    recurrent : add plastic hidden -> hidden synapses (one step delay)
    sharing : genome sharing, see :mod:`pdlf_brian.genome`
    backend : ``cython`` or ``numpy`` (``cpp``: see :class:`StandaloneReference`)
    record : also monitor weights and spikes at every step (for ``pdlf replay``)
    closed_loop : inputs come from a Python controller once per step (an environment),
        see :meth:`run_closed_loop`, instead of a stimulus array
    """

    model = "reference"

    def __init__(self, rule: Rule, n_in: int, n_hidden: int, n_out: int, n_individuals: int,
                 n_copies: int = 1, n_steps: int = 1, *, recurrent: bool = False,
                 sharing: str = "synapse", backend: str = "cython", record: bool = False,
                 closed_loop: bool = False, name: str = "pdlf"):
        if not rule.has_discrete():
            raise ValueError(f"rule '{rule.name}' has no DISCRETE form and cannot drive the reference model")
        for label, value in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out),
                             ("n_individuals", n_individuals), ("n_copies", n_copies), ("n_steps", n_steps)):
            if int(value) != value or value < 1:
                raise ValueError(f"{label} must be a positive integer, got {value!r}")
        backends.check_backend(backend)
        if backend not in backends.RUNTIME:
            raise ValueError(f"ReferenceNetwork is a runtime network; backend '{backend}' "
                             "goes through StandaloneReference")
        self.rule, self.backend, self.record = rule, backend, record
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.P, self.B, self.n_steps = n_individuals, n_copies, n_steps
        self.N = self.P * self.B
        self.recurrent = recurrent
        self.closed_loop = closed_loop
        shapes = controller_layers(n_in, n_hidden, n_out, recurrent)
        self.layout = GenomeLayout(shapes, rule.coefficients, sharing)
        self._name = name
        backends.activate_runtime(backend)
        self._build()

    # ------------------------------------------------------------------ build
    def _synapse_model(self, current: str) -> str:
        lines = ["w : 1", current, "intact : 1 (constant)   # 0: a synapse of a blocked neuron (no updates)"]
        lines += [f"{c} : 1 (constant)" for c in self.rule.coefficients if c != "w"]
        return "\n".join(lines)

    def _build(self):
        n, N = self._name, self.N
        self.namespace = dict(ref_model.NAMESPACE)
        ns = self.namespace
        self.inp, self.hid, self.out, self.stimulus = reference_neurons(
            self, ns, None if self.closed_loop else self.n_steps)
        self.synapses = {}
        pairs = [("in", self.inp, self.hid, ref_model.CURRENT_FF)]
        if self.recurrent:
            pairs.append(("rec", self.hid, self.hid, ref_model.CURRENT_REC))
        pairs.append(("out", self.hid, self.out, ref_model.CURRENT_OUT))
        for order, (layer, src, tgt, current) in enumerate(pairs):
            syn = Synapses(src, tgt, self._synapse_model(current), dt=STEP, name=f"{n}_syn_{layer}",
                           namespace=ns)
            l = next(x for x in self.layout.layers if x.name == layer)
            i, j = block_diagonal(N, l.n_pre, l.n_post)
            syn.connect(i=i, j=j)
            syn.intact = 1.0
            if self.rule.plastic:
                increment = self.rule.substituted("DISCRETE", ref_model.RULE_OPERANDS[layer])
                syn.run_regularly(f"w += intact * ({increment})", when="synapses", order=order,
                                  name=f"{n}_rule_{layer}")
            self.synapses[layer] = syn
        objects = [self.inp, self.hid, self.out, *self.synapses.values()]
        if self.rule.plastic:
            objects.append(NetworkOperation(self._normalise, dt=STEP, when="end", order=0,
                                            name=f"{n}_normalise"))
        if self.closed_loop:
            # after the rule and E6: read a_t, step the environments, write x_{t+1}
            objects.append(NetworkOperation(self._loop_step, dt=STEP, when="end", order=5,
                                            name=f"{n}_environment_step"))
        else:
            self.readout_monitor = StateMonitor(self.out, "a", record=True, when="end", order=10,
                                                name=f"{n}_readout_monitor")
            objects.append(self.readout_monitor)
        self.monitors = {}
        if self.record:
            self.monitors["s"] = StateMonitor(self.hid, "s", record=True, when="end", order=10, name=f"{n}_mon_s")
            self.monitors["tr"] = StateMonitor(self.hid, "tr", record=True, when="end", order=10, name=f"{n}_mon_tr")
            self.monitors["u"] = StateMonitor(self.hid, "u", record=True, when="end", order=10, name=f"{n}_mon_u")
            for layer, syn in self.synapses.items():
                self.monitors[f"w_{layer}"] = StateMonitor(syn, "w", record=True, when="end", order=10,
                                                           name=f"{n}_mon_w_{layer}")
            objects += list(self.monitors.values())
        self.net = Network(*objects, name=f"{n}_network")
        self.net.store("initial")

    # ------------------------------------------------------------ per-step work
    def _weight_views(self):
        return [syn.variables["w"].get_value().reshape(self.N, -1) for syn in self.synapses.values()]

    def _normalise(self):
        """E6, second half: divide each copy's layer by its max |w| (all-zero left alone)."""
        for w in self._views:
            m = np.abs(w).max(axis=1, keepdims=True)
            m[m == 0] = 1.0
            with np.errstate(invalid="ignore"):  # a diverged copy (inf weights) becomes NaN: scored as diverged
                w /= m

    # ------------------------------------------------------------- evaluation
    def reset(self):
        """Back to the stored initial state (zero weights and state, t = 0)."""
        self.net.restore("initial")
        self._views = self._weight_views()

    def set_genomes(self, genomes):
        """Write the coefficients (or, for the ``weights`` rule, the weights) of P genomes."""
        for layer, c, values in synapse_values(self.layout, genomes, self.B):
            self.synapses[layer].variables[c].get_value()[:] = values
        self._apply_lesion()

    _lesion = None

    def set_lesion(self, blocked) -> None:
        """Permanent injury (Fig 4C): ``blocked`` (P, B, n_hidden) True = neuron removed, for the
        following evaluations (None: intact).  A blocked neuron never spikes, its synapses start at
        zero weight and get no updates (``intact = 0``), for plastic and static agents alike."""
        self._lesion = None if blocked is None else np.broadcast_to(
            np.asarray(blocked, dtype=bool), (self.P, self.B, self.n_hidden)).copy()

    def _apply_lesion(self):
        if self._lesion is None:
            return
        b = self._lesion.reshape(self.N, self.n_hidden)
        self.hid.variables["blocked"].get_value()[:] = b.ravel()
        for layer, syn in self.synapses.items():
            l = next(x for x in self.layout.layers if x.name == layer)
            keep = {"in": ~b[:, None, :], "out": ~b[:, :, None], "rec": ~(b[:, :, None] | b[:, None, :])}[layer]
            keep = np.broadcast_to(keep, (self.N, l.n_pre, l.n_post)).ravel()
            syn.variables["intact"].get_value()[:] = keep
            syn.variables["w"].get_value()[:] *= keep

    def synapse_array(self, layer: str, var: str = "w") -> np.ndarray:
        """Live (P, B, n_pre, n_post) view of a synaptic variable."""
        l = next(x for x in self.layout.layers if x.name == layer)
        return self.synapses[layer].variables[var].get_value().reshape(self.P, self.B, l.n_pre, l.n_post)

    def run_open_loop(self, genomes, inputs) -> np.ndarray:
        """One evaluation: inputs (T, P, B, n_in) -> readout (T, P, B, n_out).

        T must equal ``n_steps``.  Exactly one ``Network.run`` call.
        """
        inputs = np.asarray(inputs, dtype=float)
        expected = (self.n_steps, self.P, self.B, self.n_in)
        if inputs.shape != expected:
            raise ValueError(f"inputs must have shape {expected} (T, P, B, n_in); got {inputs.shape}")
        backends.activate_runtime(self.backend)
        self.reset()
        self.set_genomes(genomes)
        self.stimulus.values[:] = inputs.reshape(self.n_steps, -1)
        self.net.run(self.n_steps * STEP, namespace=self.namespace)
        a = np.asarray(self.readout_monitor.a).T  # (T, N * n_out)
        return a.reshape(self.n_steps, self.P, self.B, self.n_out)

    def run_closed_loop(self, genomes, controller, n_steps: int | None = None) -> int:
        """One closed-loop episode batch; returns the number of steps simulated.

        ``controller.first()`` gives the first inputs, shaped (P, B, n_in);
        then once per step, after the readout, the rule and E6,
        ``controller.step(readout)`` gets the readout (P, B, n_out) and returns
        the next inputs, or None when every copy is done (the run stops there).
        Exactly one ``Network.run`` call.
        """
        if not self.closed_loop:
            raise RuntimeError("build the network with closed_loop=True for run_closed_loop")
        n_steps = self.n_steps if n_steps is None else n_steps
        backends.activate_runtime(self.backend)
        self.reset()
        self.set_genomes(genomes)
        self._x = self.inp.variables["x"].get_value().reshape(self.P, self.B, self.n_in)
        self._a = self.out.variables["a"].get_value().reshape(self.P, self.B, self.n_out)
        self._x[:] = controller.first()
        self._controller, self._steps = controller, 0
        self.net.run(n_steps * STEP, namespace=self.namespace)
        return self._steps

    def _loop_step(self):
        self._steps += 1
        x = self._controller.step(self._a)
        if x is None:
            self.net.stop()
        else:
            self._x[:] = x

    def finite_weights(self) -> np.ndarray:
        """(P, B): True where every weight of the copy is finite (False: the rule diverged)."""
        ok = np.ones(self.N, dtype=bool)
        for syn in self.synapses.values():
            ok &= np.all(np.isfinite(syn.variables["w"].get_value().reshape(self.N, -1)), axis=1)
        return ok.reshape(self.P, self.B)

    def recorded(self) -> dict[str, np.ndarray]:
        """After a recorded run: per-step state, shaped (T, P, B, ...)."""
        if not self.record:
            raise RuntimeError("build the network with record=True to record weights and spikes")
        return reshape_recorded(self.monitors, self.layout, self.n_steps, self.P, self.B, self.n_hidden)
