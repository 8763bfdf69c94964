"""The reference controller through cpp_standalone (and cuda_standalone).

Compiled once per shape; every evaluation runs the same binary with new
coefficients and inputs passed as ``run_args`` (no recompilation, no Python
inside the loop).

E6's per-copy max-normalisation is a reduction over synapses, which Brian2
has no statement for.  It is written as three tiny C++ functions in a header
(``maxnorm.h``) shared by all generated code objects: a per-copy reset at the
start of a step, a running max |w| while the rule updates the weights, and the
division at the end of the step.  Everything else is the same Brian2 code as
the runtime network (``models/reference.py``), and the tests check both
against the NumPy E1-E6.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import Network, NeuronGroup, StateMonitor, Synapses, get_device, set_device
from brian2.core.functions import implementation
from brian2.units.fundamentalunits import check_units

from . import backends
from .genome import GenomeLayout, controller_layers
from .models import reference as ref_model
from .network import STEP, block_diagonal, reference_neurons, reshape_recorded, synapse_values
from .rules import Rule

MAXNORM_H = r"""
#pragma once
#include <cmath>
#include <vector>
// One running max |w| per (layer, copy) slot, shared by every code object of the program.
inline std::vector<double>& pdlf_maxbuf() { static std::vector<double> b; return b; }
inline double pdlf_max_reset(double slot) {
    std::vector<double>& b = pdlf_maxbuf(); size_t k = (size_t)slot;
    if (b.size() <= k) b.resize(k + 1, 0.0);
    b[k] = 0.0; return 0.0;
}
inline double pdlf_max_acc(double slot, double x) {
    std::vector<double>& b = pdlf_maxbuf(); double a = std::fabs(x); size_t k = (size_t)slot;
    if (!(a <= b[k])) b[k] = a;   // a NaN stays NaN, so a diverged copy is seen as diverged
    return x;
}
inline double pdlf_max_get(double slot) {
    double m = pdlf_maxbuf()[(size_t)slot];
    return m == 0.0 ? 1.0 : m;    // the all-zero layer is left at zero
}
"""


#: cuda_standalone: the same three functions as device code.  The running maxima live in one
#: device array shared by all kernels (brian2cuda compiles with -dc, relocatable device code):
#: declared in the header, defined once in maxnorm_cuda.cu.  |w| >= 0, so the bit patterns of the
#: doubles order like their values and atomicMax on them is a float max (a NaN stays above inf).
MAXNORM_CUDA_H = r"""
#pragma once
extern __device__ unsigned long long pdlf_maxbuf_d[];
static __device__ __forceinline__ double pdlf_max_reset(double slot) {
    pdlf_maxbuf_d[(int)slot] = 0ULL; return 0.0;
}
static __device__ __forceinline__ double pdlf_max_acc(double slot, double x) {
    atomicMax(&pdlf_maxbuf_d[(int)slot], (unsigned long long)__double_as_longlong(fabs(x)));
    return x;
}
static __device__ __forceinline__ double pdlf_max_get(double slot) {
    double m = __longlong_as_double((long long)pdlf_maxbuf_d[(int)slot]);
    return m == 0.0 ? 1.0 : m;
}
"""
MAXNORM_CUDA_CU = """#include "maxnorm_cuda.h"
__device__ unsigned long long pdlf_maxbuf_d[{slots}];
"""


def _functions(header_dir: str, backend: str = "cpp"):
    if backend == "cuda":
        kw = dict(headers=['"maxnorm_cuda.h"'], include_dirs=[header_dir],
                  sources=[str(Path(header_dir) / "maxnorm_cuda.cu")])
    else:
        kw = dict(headers=['"maxnorm.h"'], include_dirs=[header_dir])
    target = "cuda" if backend == "cuda" else "cpp"

    @implementation(target, "", **kw)
    @check_units(slot=1, result=1)
    def pdlf_max_reset(slot):
        raise NotImplementedError("standalone devices only (cpp or cuda)")

    @implementation(target, "", **kw)
    @check_units(slot=1, x=1, result=1)
    def pdlf_max_acc(slot, x):
        raise NotImplementedError("standalone devices only (cpp or cuda)")

    @implementation(target, "", **kw)
    @check_units(slot=1, result=1)
    def pdlf_max_get(slot):
        raise NotImplementedError("standalone devices only (cpp or cuda)")

    return {"pdlf_max_reset": pdlf_max_reset, "pdlf_max_acc": pdlf_max_acc, "pdlf_max_get": pdlf_max_get}


class StandaloneReference:
    """Same interface as :class:`ReferenceNetwork`; built and compiled at construction."""

    model = "reference"

    def __init__(self, rule: Rule, n_in, n_hidden, n_out, n_individuals, n_copies=1, n_steps=1, *,
                 recurrent=False, sharing="synapse", backend="cpp", record=False, name="pdlf",
                 directory=None, compile=True):
        if not rule.has_discrete():
            raise ValueError(f"rule '{rule.name}' has no DISCRETE form and cannot drive the reference model")
        if backend not in backends.STANDALONE:
            raise ValueError(f"StandaloneReference needs backend cpp or cuda, got '{backend}'")
        self.rule, self.backend, self.record = rule, backend, record
        self.n_in, self.n_hidden, self.n_out = n_in, n_hidden, n_out
        self.P, self.B, self.n_steps = n_individuals, n_copies, n_steps
        self.N = self.P * self.B
        shapes = controller_layers(n_in, n_hidden, n_out, recurrent)
        self.layout = GenomeLayout(shapes, rule.coefficients, sharing)
        self.directory = Path(directory or tempfile.mkdtemp(prefix=f"pdlf_{backend}_"))
        self._name = name
        self.compile = compile  # False: generate the code only (e.g. CUDA on a machine without nvcc)
        t0 = time.perf_counter()
        self._build()
        self.compile_seconds = time.perf_counter() - t0
        self._runs = 0

    def _build(self):
        n, N = self._name, self.N
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "maxnorm.h").write_text(MAXNORM_H)
        # A fresh device object per network: Brian2's standalone device is otherwise a process-wide
        # singleton that can hold one built project, and several shapes may live in one process.
        if self.backend == "cuda":
            (self.directory / "maxnorm_cuda.h").write_text(MAXNORM_CUDA_H)
            (self.directory / "maxnorm_cuda.cu").write_text(MAXNORM_CUDA_CU.format(slots=len(self.layout.layers) * N))
            DeviceClass = backends.cuda_device_class()
        else:
            from brian2.devices.cpp_standalone.device import CPPStandaloneDevice as DeviceClass
        set_device(DeviceClass(), build_on_run=False, directory=str(self.directory / "code"))
        self.device = get_device()
        ns = dict(ref_model.NAMESPACE, **_functions(str(self.directory), self.backend))
        inp, hid, out, self.stimulus = reference_neurons(self, ns, self.n_steps)
        objects = [inp, hid, out]
        layers = [l.name for l in self.layout.layers]
        if self.rule.plastic:
            copies = NeuronGroup(N, "r : 1", dt=STEP, name=f"{n}_copies", namespace=ns)
            resets = " + ".join(f"pdlf_max_reset({k} * {N} + i)" for k in range(len(layers)))
            copies.run_regularly(f"r = {resets}", when="start", order=1, name=f"{n}_max_reset")
            objects.append(copies)
        src_tgt = {"in": (inp, hid, ref_model.CURRENT_FF), "rec": (hid, hid, ref_model.CURRENT_REC),
                   "out": (hid, out, ref_model.CURRENT_OUT)}
        self.synapses = {}
        for k, layer in enumerate(layers):
            src, tgt, current = src_tgt[layer]
            model = "\n".join(["w : 1", current, "copy : integer (constant)"]
                              + [f"{c} : 1 (constant)" for c in self.rule.coefficients if c != "w"])
            syn = Synapses(src, tgt, model, dt=STEP, name=f"{n}_syn_{layer}", namespace=ns)
            l = self.layout.layers[k]
            i, j = block_diagonal(N, l.n_pre, l.n_post)
            syn.connect(i=i, j=j)
            syn.copy = np.repeat(np.arange(N), l.n_pre * l.n_post)
            if self.rule.plastic:
                inc = self.rule.substituted("DISCRETE", ref_model.RULE_OPERANDS[layer])
                syn.run_regularly(f"w = pdlf_max_acc({k} * {N} + copy, w + {inc})", when="synapses", order=k,
                                  name=f"{n}_rule_{layer}")
                syn.run_regularly(f"w = w / pdlf_max_get({k} * {N} + copy)", when="end", order=0,
                                  name=f"{n}_normalise_{layer}")
            self.synapses[layer] = syn
            objects.append(syn)
        self.readout_monitor = StateMonitor(out, "a", record=True, when="end", order=10, name=f"{n}_readout_monitor")
        objects.append(self.readout_monitor)
        self.monitors = {}
        if self.record:
            self.monitors["s"] = StateMonitor(hid, "s", record=True, when="end", order=10, name=f"{n}_mon_s")
            for layer, syn in self.synapses.items():
                self.monitors[f"w_{layer}"] = StateMonitor(syn, "w", record=True, when="end", order=10,
                                                           name=f"{n}_mon_w_{layer}")
            objects += list(self.monitors.values())
        self.net = Network(*objects, name=f"{n}_network")
        self.net.run(self.n_steps * STEP, namespace=ns)
        self.device.build(directory=str(self.directory / "code"), compile=self.compile, run=False)
        set_device("runtime")  # the compiled program stays usable through self.device

    def run_open_loop(self, genomes, inputs) -> np.ndarray:
        inputs = np.asarray(inputs, dtype=float)
        expected = (self.n_steps, self.P, self.B, self.n_in)
        if inputs.shape != expected:
            raise ValueError(f"inputs must have shape {expected} (T, P, B, n_in); got {inputs.shape}")
        run_args = {self.stimulus: inputs.reshape(self.n_steps, -1)}
        for layer, c, values in synapse_values(self.layout, genomes, self.B):
            run_args[getattr(self.synapses[layer], c)] = values
        self._runs += 1
        self.device.run(directory=str(self.directory / "code"), results_directory="results", run_args=run_args)
        a = np.asarray(self.readout_monitor.a).T
        return a.reshape(self.n_steps, self.P, self.B, self.n_out)

    def recorded(self):
        return reshape_recorded(self.monitors, self.layout, self.n_steps, self.P, self.B, self.n_hidden)
