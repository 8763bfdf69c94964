"""``pdlf check-rule FILE``: every problem of a rule file, one line each, before any run.

1. The file is imported (a Python syntax error is one line with its line number).
2. Every form is checked on its own: expression syntax, unknown identifiers,
   units (Brian2's dimension check); then coefficients declared but unused.
3. If the text is clean, the rule is built in Brian2 on a tiny network for each
   model it supports (reference: DISCRETE; bio: ON_PRE/ON_POST/DRIFT) and run a few
   steps with random coefficients at three scales: what Brian2 itself refuses (code
   generation, a pathway writing a variable that does not exist) is reported as one
   line; weights that become non-finite for every coefficient set are a problem, for
   some of them a warning.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .modelfiles import error_line
from .rules import RuleError, _import_file, load_rule, problems, rule_from_module, silent_start, slow_equations


def check_rule(path_or_name: str, neuron: str = "lif") -> tuple[list[str], list[str]]:
    """(problems, notes): problems are one-line strings naming the file, the form and the reason.  For the
    bio model the rule is also checked against ``neuron`` and the model's constants (names both define)."""
    path = Path(path_or_name)
    try:
        if path.suffix == ".py":
            if not path.is_file():
                return [f"rule file {path}: no such file"], []
            module = _import_file(path)
            if not hasattr(module, "COEFFICIENTS") and hasattr(module, "THRESHOLD"):
                return [f"rule file {path}: has THRESHOLD and no COEFFICIENTS: a neuron file? "
                        f"check it with: pdlf check-neuron {path}"], []
            rule = rule_from_module(module, check=False)
        else:
            rule = load_rule(path_or_name, check=False)
    except RuleError as exc:
        return [str(exc)], []
    found = problems(rule)
    if found:
        return found, []
    bio_clash = []
    if rule.has_events():
        from .models import bio as bio_model
        from .neurons import NeuronError, clashes, load_neuron
        try:
            bio_clash = [f"{c} (pdlf train --model bio refuses it with neuron {neuron!r})"
                         for c in clashes(load_neuron(neuron), rule, bio_model.NAMESPACE)]
        except NeuronError as exc:
            bio_clash = [str(exc)]
    notes = []
    for model, ok in (("reference", rule.has_discrete()), ("bio", rule.has_events())):
        if not ok:
            notes.append(f"{model} model: not supported by this rule (no "
                         f"{'DISCRETE' if model == 'reference' else 'ON_PRE/ON_POST/DRIFT'} form)")
            continue
        if model == "bio" and bio_clash:   # what train refuses for the bio model; the reference build stands
            found += bio_clash
            continue
        try:
            finite = _tiny_runs(rule, model)
        except Exception as exc:  # Brian2 refused the generated code
            msg = error_line(exc)
            found.append(f"rule '{rule.name}' ({rule.source}): Brian2 cannot build it for the {model} model: {msg}")
            continue
        where = f"rule '{rule.name}' ({rule.source})"
        if not any(finite):
            found.append(f"{where}: {model} model: the weights became non-finite (inf or NaN) for every set of "
                         f"coefficients tried (small and large): every genome would diverge and get the worst "
                         f"fitness (a division by a quantity that is zero, or an exponential that overflows?)")
        elif not all(finite):
            notes.append(f"{model} model: built and ran in Brian2; warning: the weights became non-finite for "
                         f"{finite.count(False)} of {len(finite)} random coefficient sets: such genomes diverge "
                         f"and get the worst fitness")
        else:
            notes.append(f"{model} model: built and ran in Brian2 (weights finite for every coefficient set tried)")
    from .weights import for_rule
    warning = silent_start(rule, for_rule(None, rule).is_zero)
    if warning:
        notes.append(f"warning: {warning}")
    notes += [f"warning: {w}" for w in slow_equations(rule)]
    return found, notes



def check_neuron(path_or_name: str) -> tuple[list[str], list[str]]:
    """``pdlf check-neuron``: (problems, notes) of a neuron file or a shipped neuron's name.  Its strings'
    syntax, names and units, and Brian2's build of a two-neuron network on the NumPy target (nothing
    compiled); then, as a note, which shipped rules it clashes with (names both define)."""
    from .modelfiles import import_file
    from .neurons import NeuronError, clashes, load_neuron, neuron_from_module
    from .neurons import problems as neuron_problems
    from .rules import available_rules

    path = Path(path_or_name)
    try:
        if path.suffix == ".py":
            if not path.is_file():
                return [f"neuron file {path}: no such file"], []
            module = import_file(path, "neuron", NeuronError)
            if hasattr(module, "COEFFICIENTS") and not hasattr(module, "THRESHOLD"):
                return [f"neuron file {path}: has COEFFICIENTS and no THRESHOLD: a rule file? "
                        f"check it with: pdlf check-rule {path}"], []
            neuron = neuron_from_module(module, check=False)
        else:
            neuron = load_neuron(path_or_name, check=False)
    except NeuronError as exc:
        return [str(exc)], []
    found = neuron_problems(neuron)
    if found:
        return found, []
    notes = [f"built and ran in Brian2 (NumPy target; names it defines: {', '.join(sorted(neuron.defined_names()))})"]
    from .models import bio as bio_model
    clash = set(neuron.namespace) & set(bio_model.NAMESPACE)
    if clash:
        return [f"neuron '{neuron.name}' ({neuron.source}): NAMESPACE redefines the biological model's "
                f"constant(s) {', '.join(sorted(clash))} (models/bio.py); rename them"], []
    refused = []
    for name in sorted(available_rules()):
        try:
            rule = load_rule(name)
        except RuleError:
            continue
        if rule.has_events() and clashes(neuron, rule, bio_model.NAMESPACE):
            refused.append(name)
    if refused:
        notes.append(f"warning: clashes with rule(s) {', '.join(refused)} (names both define): "
                     f"pdlf train refuses those pairs")
    return [], notes


def build_problem(rule, model: str) -> str | None:
    """One line if Brian2 cannot build and run ``rule`` on a tiny ``model`` network (units of EQUATIONS and
    of the pathway statements, a subexpression written to ...: what only Brian2's build sees); None if
    it can.  ``pdlf train`` asks this of a user's rule file before it writes the run directory."""
    try:
        _tiny_runs(rule, model, scales=SCALES[:1])
    except Exception as exc:  # noqa: BLE001 - whatever Brian2 refused, said in one line
        return f"rule '{rule.name}' ({rule.source}): Brian2 cannot build it for the {model} model: {error_line(exc)}"
    return None


def build_problem_cached(rule, model: str) -> str | None:
    """:func:`build_problem`, remembered: a rule text that built on ``model`` once (with this package's
    code, every .py file of it and of its models, as it is now, and Brian2's version) is not built again, so ``pdlf train`` checks every rule, shipped or
    user-added, by name or by path, and pays the 1-3 s of the tiny build once per rule text.  Only
    successes are kept (``$XDG_CACHE_HOME/pdlf-brian/rule-builds``, or ``~/.cache/...``)."""
    import hashlib
    import os

    import brian2

    from . import __version__
    from . import models as models_package
    from .rules import flatten

    code = hashlib.sha256()   # the package's own code as it is now (a commit id misses uncommitted edits)
    for folder in [Path(__file__).parent, *map(Path, models_package.__path__)]:
        for path in sorted(folder.rglob("*.py")):
            code.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    key = hashlib.sha256("\n".join([flatten(rule, header=False), model, __version__, code.hexdigest(),
                                     brian2.__version__]).encode()).hexdigest()[:24]
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pdlf-brian" / "rule-builds"
    if (folder / key).exists():
        return None
    problem = build_problem(rule, model)
    if problem is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / key).touch()
        except OSError:   # a read-only home: check again next time
            pass
    return problem


#: coefficient scales of the tiny runs: near the ES's start (sigma0 0.1) and far from it
SCALES = (0.05, 0.5, 2.0)


def _tiny_runs(rule, model, scales=SCALES) -> list[bool]:
    """Whether each tiny run (one per coefficient scale, two genomes each) stayed finite."""
    import logging
    import warnings

    from brian2 import set_device

    set_device("runtime")
    rng = np.random.default_rng(0)
    brian_logger = logging.getLogger("brian2")
    level = brian_logger.level
    brian_logger.setLevel(logging.ERROR)  # 'invalid values' warnings: what we measure here
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            from .builder import Controller
            from .weights import for_rule
            steps = 5 if model == "reference" else 3
            net = Controller(model, rule, 3, 4, 2, 2, 1, steps, recurrent=True, backend="numpy", step_ms=20.0,
                             init_weights=for_rule(None, rule), name="pdlf_check")
            x = rng.uniform(-1, 1, (steps, 2, 1, 3))
            finite = []
            for scale in scales:
                out = net.run_open_loop(rng.normal(0, scale, (2, net.layout.size)), x, rng)
                ok = np.isfinite(out).reshape(out.shape[0], 2, -1).all(axis=(0, 2)) & net.finite_weights()[:, 0]
                finite += [bool(v) for v in ok]
    finally:
        brian_logger.setLevel(level)
    return finite
