"""Loading and validating neuron files (``models/neurons/``) for the biological controller.

A neuron is read from a plain module (format: ``models/neurons/__init__.py``), checked, and returned
as a frozen :class:`Neuron`.  Every problem is one :class:`NeuronError` line naming the file, the
part and the reason, before anything is compiled: the strings are parsed, their names resolved and
their units checked by Brian2 on a two-neuron network (NumPy target: nothing is compiled).
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .modelfiles import (check_keys, check_namespace, equations_problem, error_line, import_file, random_names,
                         resolve, shipped, syntax_problem)

_PACKAGE = "pdlf_brian.models.neurons"
DEFAULT = "lif"
#: every key a neuron file may set (a near miss is refused: ``modelfiles.check_keys``)
NEURON_KEYS = {**{k: (str,) for k in ("NAME", "EQUATIONS", "THRESHOLD", "RESET", "TRANSMIT", "REFRACTORY", "METHOD")},
               "INITIAL": (dict,), "NAMESPACE": (dict,)}
#: names the package gives the hidden neurons (normalisation sums, copy index): a neuron may not define them
PACKAGE_NAMES = {"l1_in", "l1_rec", "l1_out", "copy", "w", "apre", "apost", "y"}


#: Brian2's index names: in the batched network they count every neuron of every individual and copy
BATCH_NAMES = {"i", "j", "N", "N_pre", "N_post", "N_incoming", "N_outgoing"}


class NeuronError(ValueError):
    """A neuron file that cannot be used; the message names the file and the culprit."""


@dataclass(frozen=True)
class Neuron:
    name: str
    source: str
    equations: str
    threshold: str
    reset: str
    transmit: str
    refractory: str | None = None
    method: str = "exact"
    initial: dict = field(default_factory=dict, compare=False, hash=False)
    namespace: dict = field(default_factory=dict, compare=False, hash=False)

    def state_names(self) -> set[str]:
        from brian2 import Equations
        return set(Equations(self.equations).names)

    def defined_names(self) -> set[str]:
        """Everything the neuron's strings may name: its variables and its constants."""
        return self.state_names() | set(self.namespace)

    def random_names(self) -> set[str]:
        """The random functions and noise terms the neuron uses (empty: deterministic)."""
        return random_names([self.equations, self.threshold, self.reset, self.refractory, self.transmit,
                             *(v for v in self.initial.values() if isinstance(v, str))])


def available_neurons() -> dict[str, str]:
    """Neuron names shipped in ``models/neurons`` -> module names."""
    return shipped(_PACKAGE)


def _import_file(path: Path):
    return import_file(path, "neuron", NeuronError)


def load_neuron(name_or_path: str, check: bool = True) -> Neuron:
    """A shipped neuron by name (``lif``) or a neuron file by path (``my_neuron.py``)."""
    path = Path(name_or_path)
    if path.suffix == ".py":
        if not path.is_file():
            raise NeuronError(f"neuron file {path}: no such file")
        module = _import_file(path)
    else:
        module = importlib.import_module(f"{_PACKAGE}.{resolve(_PACKAGE, name_or_path, 'neuron', NeuronError)}")
    return neuron_from_module(module, check=check)


def neuron_from_module(module, check: bool = True) -> Neuron:
    source = getattr(module, "__file__", None) or module.__name__
    where = f"neuron file {source}"
    check_keys(module, NEURON_KEYS, where, NeuronError)
    name = getattr(module, "NAME", None)
    if not isinstance(name, str) or not name:
        raise NeuronError(f"{where}: NAME must be a non-empty string")
    parts = {}
    for key, required in (("EQUATIONS", True), ("THRESHOLD", True), ("RESET", True), ("TRANSMIT", True),
                          ("REFRACTORY", False), ("METHOD", False)):
        value = getattr(module, key, None)
        if value is None and required:
            what = {"THRESHOLD": "no THRESHOLD: a neuron of the biological model must spike "
                                 "(e.g. THRESHOLD = 'v > v_th')",
                    "RESET": "no RESET: say what a spike does to the neuron (e.g. RESET = 'v = v_reset')",
                    "TRANSMIT": "no TRANSMIT: say what a presynaptic spike of weight w does "
                                "(e.g. TRANSMIT = 'v_post += w_scale * w')",
                    "EQUATIONS": "no EQUATIONS"}[key]
            raise NeuronError(f"{where}: {what}")
        if value is not None and not isinstance(value, str):
            raise NeuronError(f"{where}: {key} must be a string")
        parts[key.lower()] = value
    for key in ("INITIAL", "NAMESPACE"):
        value = getattr(module, key, None) or {}
        if not isinstance(value, dict):
            raise NeuronError(f"{where}: {key} must be a dict")
        if key == "NAMESPACE":
            check_namespace(value, where, NeuronError)
        parts[key.lower()] = dict(value)
    neuron = Neuron(name=name, source=source, equations=parts["equations"], threshold=parts["threshold"],
                    reset=parts["reset"], transmit=parts["transmit"], refractory=parts["refractory"],
                    method=parts["method"] or "exact", initial=parts["initial"], namespace=parts["namespace"])
    if check:
        validate(neuron)
    return neuron


def validate(neuron: Neuron) -> None:
    found = problems(neuron)
    if found:
        raise NeuronError(found[0])


def problems(neuron: Neuron) -> list[str]:
    """Every problem of a neuron file, one line each."""
    from brian2 import Equations
    from brian2.core.functions import DEFAULT_FUNCTIONS
    from brian2.core.namespace import DEFAULT_CONSTANTS, DEFAULT_UNITS
    from brian2.utils.stringtools import get_identifiers

    where = f"neuron '{neuron.name}' ({neuron.source})"
    try:
        eqs = Equations(neuron.equations)
    except Exception as exc:
        line = equations_problem(neuron.equations)   # which line, where one alone fails
        return [f"{where}: EQUATIONS: {line or error_line(exc)}"]
    found = []
    for part, text, statements in (("THRESHOLD", neuron.threshold, False), ("RESET", neuron.reset, True),
                                   ("TRANSMIT", neuron.transmit, True), ("REFRACTORY", neuron.refractory, False),
                                   *(("INITIAL", v, False) for v in neuron.initial.values() if isinstance(v, str))):
        why = syntax_problem(text, statements) if text else None
        if why:
            found.append(f"{where}: {part}: {why}")
    if found:
        return found
    shared = sorted(eq.varname for eq in eqs.values() if "shared" in eq.flags)
    if shared:
        found.append(f"{where}: EQUATIONS: {', '.join(shared)} (shared) would be one value for every neuron of "
                     "all individuals and copies, not per network; drop the flag")
    clash = set(eqs.names) & PACKAGE_NAMES
    if clash:
        found.append(f"{where}: EQUATIONS define {', '.join(sorted(clash))}, which the package uses for the "
                     "hidden neurons; rename them")
    known = set(eqs.names) | set(neuron.namespace) | set(DEFAULT_FUNCTIONS) | set(DEFAULT_CONSTANTS) \
        | set(DEFAULT_UNITS) | {"t", "dt", "xi", "lastspike", "not_refractory", "True", "False"}
    used = set()
    texts = {"EQUATIONS": [str(eq.expr) for eq in eqs.values() if eq.expr is not None],
             "THRESHOLD": [neuron.threshold], "RESET": [neuron.reset],
             "REFRACTORY": [neuron.refractory] if neuron.refractory else [],
             "INITIAL": [str(v) for v in neuron.initial.values() if isinstance(v, str)]}
    for part, exprs in texts.items():
        for expr in exprs:
            ids = get_identifiers(expr)
            used |= ids
            batch = ids & BATCH_NAMES
            if batch:
                found.append(f"{where}: {part} {expr!r}: {', '.join(sorted(batch))} count every neuron of all "
                             "individuals and copies, not of one network (no heterogeneity by index)")
            unknown = ids - known - BATCH_NAMES
            if unknown:
                found.append(f"{where}: {part} {expr!r}: unknown name(s) {', '.join(sorted(unknown))} "
                             f"(not a variable of the EQUATIONS, a NAMESPACE constant or a Brian2 unit)")
    transmit_ids = get_identifiers(neuron.transmit)
    used |= transmit_ids
    match = re.match(r"\s*(\w+)\s*(?:[-+*/]|//|\*\*|%)?=(?!=)", neuron.transmit)
    target = match.group(1) if match else ""
    if not target.endswith("_post") or target[:-5] not in eqs.names:
        found.append(f"{where}: TRANSMIT {neuron.transmit!r}: must update a variable of the neuron, written "
                     f"with _post (e.g. 'v_post += w_scale * w'); the EQUATIONS define {', '.join(eqs.names)}")
    if transmit_ids & BATCH_NAMES:
        found.append(f"{where}: TRANSMIT {neuron.transmit!r}: {', '.join(sorted(transmit_ids & BATCH_NAMES))} "
                     "count every neuron of all individuals and copies, not of one network")
    unknown = {x[:-5] if x.endswith("_post") else x for x in transmit_ids} - known - {"w"} - BATCH_NAMES
    if unknown:
        found.append(f"{where}: TRANSMIT {neuron.transmit!r}: unknown name(s) {', '.join(sorted(unknown))}")
    from brian2.stateupdaters.base import StateUpdateMethod
    if isinstance(neuron.method, str) and neuron.method not in StateUpdateMethod.stateupdaters:
        found.append(f"{where}: METHOD {neuron.method!r}: not a Brian2 integration method; one of "
                     f"{', '.join(sorted(StateUpdateMethod.stateupdaters))}")
    for var in neuron.initial:
        if var not in eqs.names:
            found.append(f"{where}: INITIAL sets {var!r}, which the EQUATIONS do not define")
    unused = sorted(set(neuron.namespace) - used)
    if unused:
        found.append(f"{where}: NAMESPACE constant(s) never used (misspelt?): {', '.join(unused)}")
    if found:
        return found
    try:
        _units(neuron)
    except NeuronError as exc:
        found.append(str(exc))
    return found


def _units(neuron: Neuron) -> None:
    """Brian2's own checks (units, method, threshold and reset code, the synaptic input) on a
    two-neuron network with the NumPy target: nothing is compiled."""
    from brian2 import prefs, set_device

    import logging

    where = f"neuron '{neuron.name}' ({neuron.source})"
    set_device("runtime")
    target = prefs.codegen.target
    prefs.codegen.target = "numpy"
    ns = dict(neuron.namespace)
    brian_logger = logging.getLogger("brian2")
    level = brian_logger.level
    brian_logger.setLevel(logging.ERROR)  # a check object that failed is deleted unrun: Brian2 warns, we say why
    try:
        problem = _build_check(neuron, where, ns)
        if problem:
            import gc
            gc.collect()   # the failed check's objects go now, while Brian2's unused-object warning is off
    finally:
        prefs.codegen.target = target
        brian_logger.setLevel(level)
    if problem:
        raise NeuronError(problem)


def _build_check(neuron: Neuron, where: str, ns: dict) -> str | None:
    """The first problem Brian2 finds building and running the neuron, or None (its objects are
    local: they are gone when this returns)."""
    from brian2 import Network, NeuronGroup, Synapses

    try:
        group = NeuronGroup(2, neuron.equations, threshold=neuron.threshold, reset=neuron.reset,
                            refractory=neuron.refractory or False, method=neuron.method, namespace=ns,
                            name="pdlf_neuron_check")
    except Exception as exc:  # noqa: BLE001
        return f"{where}: EQUATIONS/THRESHOLD/RESET/METHOD: {error_line(exc)}"
    try:   # the equations' own units first: a wrong unit there would otherwise surface as INITIAL's
        syn = Synapses(group, group, "w : 1", on_pre=neuron.transmit, namespace=ns, name="pdlf_neuron_check_syn")
        syn.connect(i=0, j=1)
        Network(group, syn).run(0 * group.clock.dt, namespace=ns)
    except Exception as exc:  # noqa: BLE001
        return f"{where}: EQUATIONS, THRESHOLD, RESET, TRANSMIT or METHOD (units or code): {error_line(exc)}"
    try:
        for var, value in neuron.initial.items():
            setattr(group, var, value)
    except Exception as exc:  # noqa: BLE001
        return f"{where}: INITIAL: {error_line(exc)}"
    return None


def clashes(neuron: Neuron, rule, model_constants: dict) -> list[str]:
    """Names a neuron and a rule would both define (one line each): a rule's NAMESPACE may not
    silently override the neuron's or the model's constants, a neuron's may not override the model's,
    and a rule's coefficients and variables may not shadow the neuron's."""
    found = []
    where = f"neuron '{neuron.name}' ({neuron.source}) and rule '{rule.name}' ({rule.source})"
    both = set(rule.namespace) & neuron.defined_names()
    if both:
        found.append(f"{where} both define {', '.join(sorted(both))}; rename the rule's constant(s)")
    rule_names = set(rule.coefficients) | rule.defined_names()
    shadow = rule_names & neuron.defined_names()
    if shadow:
        found.append(f"{where}: the rule's coefficient(s) or variable(s) {', '.join(sorted(shadow))} are also "
                     "names of the neuron; rename them in one of the files")
    model = set(rule.namespace) & set(model_constants)
    if model:
        found.append(f"rule '{rule.name}' ({rule.source}): NAMESPACE redefines the biological model's "
                     f"constant(s) {', '.join(sorted(model))} (models/bio.py); rename them")
    model = set(neuron.namespace) & set(model_constants)
    if model:
        found.append(f"neuron '{neuron.name}' ({neuron.source}): NAMESPACE redefines the biological model's "
                     f"constant(s) {', '.join(sorted(model))} (models/bio.py); rename them (to change the "
                     "model's value for one run, pass namespace= to the Controller)")
    return found


def _literal(value) -> str:
    from .rules import _literal as literal
    if isinstance(value, str):
        return repr(value)
    return literal(value)


def flatten(neuron: Neuron, header: bool = True) -> str:
    """A self-contained neuron file with exactly the strings and constants of ``neuron``."""
    lines = [f'"""Neuron {neuron.name!r} as loaded from {neuron.source} (flattened copy: every string and',
             'constant as the run used them).  Use it with --neuron path/to/this/file.py."""'] if header else []
    lines += ["from brian2.units import *  # noqa: F401,F403  (units of NAMESPACE)", "",
              f"NAME = {neuron.name!r}", f"EQUATIONS = {neuron.equations!r}", f"THRESHOLD = {neuron.threshold!r}",
              f"RESET = {neuron.reset!r}", f"REFRACTORY = {neuron.refractory!r}", f"METHOD = {neuron.method!r}",
              f"TRANSMIT = {neuron.transmit!r}"]
    if neuron.initial:
        lines.append("INITIAL = {" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in sorted(neuron.initial.items()))
                     + "}")
    if neuron.namespace:
        lines.append("NAMESPACE = {" + ", ".join(f"{k!r}: {_literal(v)}"
                                                 for k, v in sorted(neuron.namespace.items())) + "}")
    return "\n".join(lines) + "\n"
