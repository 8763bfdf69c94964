"""Loading, composing and validating plasticity rules (files in ``models/rules``).

A rule is read from a plain module (see ``models/rules/__init__.py`` for the
format), checked, and returned as a frozen :class:`Rule`.  All checks happen
here, before any network is built, and every problem is reported as one
:class:`RuleError` line that names the rule file, the form and the reason.
"""
from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import brian2.units
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.core.namespace import DEFAULT_CONSTANTS
from brian2.utils.stringtools import get_identifiers, word_substitute

from .modelfiles import check_keys, check_namespace, import_file, random_names, resolve, shipped, syntax_problem


class RuleError(ValueError):
    """A rule that cannot be used; the message names the file and the culprit."""


#: Which names each form of a rule may use besides its coefficients.
OPERANDS = {
    "DISCRETE": {"pre", "post", "w"},
    "ON_PRE": {"apre", "apost", "w"},
    "ON_POST": {"apre", "apost", "w"},
    "DRIFT": {"w"},
}
FORMS = tuple(OPERANDS)
#: every key a rule file may set (a near miss is refused: ``modelfiles.check_keys``)
RULE_KEYS = {**{k: (str,) for k in ("NAME", *FORMS, "EQUATIONS", "PRE_UPDATES", "POST_UPDATES", "BEFORE_TRANSMIT",
                                    "EFFICACY", "INIT_WEIGHTS")},
             "COEFFICIENTS": (tuple, list), "SYNAPTIC_STATE": (tuple, list), "STATIC": (bool,), "NAMESPACE": (dict,)}
#: names Brian2 or the package gives a meaning in every synapse: a coefficient may not take them
RESERVED = {"t", "dt", "i", "j", "N", "xi", "lastupdate", "delay", "N_incoming", "N_outgoing", "N_pre", "N_post",
            "t_in_timesteps", "copy", "not_refractory", "lastspike"}
_BUILTINS = set(DEFAULT_FUNCTIONS) | set(DEFAULT_CONSTANTS) | {"True", "False"}


@functools.lru_cache(maxsize=None)
def model_variables(model: str) -> frozenset:
    """The variables of a model's input, hidden and readout groups (``models/reference.py``,
    ``models/bio.py``): every synapse sees them as ``name_pre``/``name_post`` and as ``name``, so a
    coefficient or a rule variable of that name is refused by Brian2 ("has the same name as a synaptic
    variable")."""
    from brian2 import Equations
    from .models import bio, reference
    m = reference if model == "reference" else bio
    names = set()
    for key in ("INPUT_EQS", "INPUT_EQS_CLOSED_LOOP", "HIDDEN_EQS", "HIDDEN_EXTRA", "READOUT_EQS"):
        if getattr(m, key, None):
            names |= set(Equations(getattr(m, key)).names)
    return frozenset(names)


#: the longest expression quoted in an error message (a generated 5,000-term rule is 95 KB)
_QUOTE = 120


def _quote(expr: str) -> str:
    """An expression for an error message: quoted, and shortened if long."""
    text = " ".join(str(expr).split())
    if len(text) > _QUOTE:
        text = f"{text[:_QUOTE - 20]} ... ({len(text):,} characters)"
    return repr(text)
_UNITS = set(brian2.units.__all__)  # ms, mV, ... may appear (and are unit-checked)
_RULES_PACKAGE = "pdlf_brian.models.rules"


#: the Rule fields that hold Brian2 code: what a flattened copy writes and what is searched for noise
CODE_FIELDS = ("discrete", "on_pre", "on_post", "drift", "equations", "pre_updates", "post_updates",
               "before_transmit", "efficacy")


@dataclass(frozen=True)
class Rule:
    name: str
    coefficients: tuple[str, ...]
    source: str
    discrete: str | None = None
    on_pre: str | None = None
    on_post: str | None = None
    drift: str | None = None
    static: bool = False
    #: biological model only: extra synaptic equations (own traces, per-synapse time constants)
    equations: str | None = None
    #: biological model only: statements run after the weight increment at a pre/post spike
    pre_updates: str | None = None
    post_updates: str | None = None
    #: biological model only, short-term plasticity: statements run at a presynaptic spike before the
    #: transmission (facilitation), and the efficacy the spike transmits instead of w (e.g. w * u * x)
    before_transmit: str | None = None
    efficacy: str | None = None
    #: constants (with units) the rule's strings use
    namespace: dict = field(default_factory=dict, compare=False, hash=False)
    #: the initial weights the rule's paper used (pdlf_brian.weights), None: all zero
    init_weights: str | None = None
    #: event-driven variables of EQUATIONS that hold synaptic efficacy (short-term plasticity's u, x),
    #: not a trace of recent spikes: the delay wipe of the WM probes keeps them (it zeroes the traces)
    synaptic_state: tuple[str, ...] = ()

    def traces(self) -> list[str]:
        """The rule's own spike traces: the event-driven variables of EQUATIONS that are not
        SYNAPTIC_STATE (triplet's r2, o2; bcm's pbar).  The package's apre/apost are not included."""
        if not self.equations:
            return []
        from brian2 import Equations
        return [eq.varname for eq in Equations(self.equations).values()
                if "event-driven" in eq.flags and eq.varname not in self.synaptic_state]

    def defined_names(self) -> set[str]:
        """Variables the rule's EQUATIONS define (usable in ON_PRE/ON_POST/DRIFT and the updates)."""
        if not self.equations:
            return set()
        from brian2 import Equations
        return set(Equations(self.equations).names)

    def random_names(self) -> set[str]:
        """The random functions and noise terms the rule uses (empty: deterministic)."""
        return random_names([getattr(self, key) for key in CODE_FIELDS])

    @property
    def plastic(self) -> bool:
        return not self.static

    def has_discrete(self) -> bool:
        return self.static or self.discrete is not None

    def has_events(self) -> bool:
        return self.static or any(f is not None for f in (self.on_pre, self.on_post, self.drift,
                                                          self.efficacy, self.before_transmit))

    def substituted(self, form: str, operands: dict[str, str]) -> str | None:
        """The expression of ``form`` with its operands renamed (``pre`` -> ``x_pre``...)."""
        expr = getattr(self, form.lower())
        return None if expr is None else word_substitute(expr, operands)


def compose(*terms: str | None) -> str | None:
    """Sum of rule terms (``None`` terms are absent); ``None`` when all are absent."""
    present = [t for t in terms if t is not None]
    if not present:
        return None
    return " + ".join(f"({t})" for t in present)


def available_rules() -> dict[str, str]:
    """Rule names shipped in ``models/rules`` -> module names."""
    return shipped(_RULES_PACKAGE)


def _import_file(path: Path):
    return import_file(path, "rule", RuleError)


def load_rule(name_or_path: str, check: bool = True) -> Rule:
    """A shipped rule by name (``scp+pdp``) or a rule file by path (``my_rule.py``)."""
    path = Path(name_or_path)
    if path.suffix == ".py":
        if not path.is_file():
            raise RuleError(f"rule file {path}: no such file")
        module = _import_file(path)
    else:
        module_name = resolve(_RULES_PACKAGE, name_or_path, "rule", RuleError)
        try:
            module = importlib.import_module(f"{_RULES_PACKAGE}.{module_name}")
        except SyntaxError as exc:
            raise RuleError(f"rule file {exc.filename}: line {exc.lineno}: syntax error: {exc.msg}") from None
    return rule_from_module(module, check=check)


def rule_from_module(module, check: bool = True) -> Rule:
    source = getattr(module, "__file__", None) or module.__name__
    where = f"rule file {source}"
    check_keys(module, RULE_KEYS, where, RuleError)
    name = getattr(module, "NAME", None)
    coefficients = getattr(module, "COEFFICIENTS", None)
    if not isinstance(name, str) or not name:
        raise RuleError(f"{where}: NAME must be a non-empty string")
    if not isinstance(coefficients, (list, tuple)):
        raise RuleError(f"{where}: COEFFICIENTS must be a list of names, e.g. ('eta', 'A'), "
                        f"got {type(coefficients).__name__} {coefficients!r:.40}")
    coefficients = tuple(coefficients)
    static = bool(getattr(module, "STATIC", False))
    for c in coefficients:
        if not isinstance(c, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", c):
            raise RuleError(f"{where}: coefficient {c!r} is not a valid variable name")
        if c == "w" and not static:
            raise RuleError(f"{where}: coefficient 'w' is the weight itself; a plastic rule's weights start at "
                            "the initial weights, only a STATIC rule (the weight-trained baseline) may evolve 'w'")
        if c in RESERVED or c.endswith(("_pre", "_post")):
            raise RuleError(f"{where}: coefficient '{c}' is a name Brian2 or the package reserves "
                            f"({', '.join(sorted(RESERVED))}, and *_pre/*_post); rename it")
        if c in _BUILTINS or any(c in ops for ops in OPERANDS.values()) and c != "w":
            raise RuleError(f"{where}: coefficient '{c}' clashes with a built-in or operand name")
    if len(set(coefficients)) != len(coefficients):
        raise RuleError(f"{where}: COEFFICIENTS has duplicates: {coefficients}")
    forms = {}
    for form in FORMS:
        expr = getattr(module, form, None)
        if expr is not None and not isinstance(expr, str):
            raise RuleError(f"{where}: {form} must be a string expression or None")
        forms[form.lower()] = expr
    extra = {}
    for key in ("EQUATIONS", "PRE_UPDATES", "POST_UPDATES", "BEFORE_TRANSMIT", "EFFICACY"):
        value = getattr(module, key, None)
        if value is not None and not isinstance(value, str):
            raise RuleError(f"{where}: {key} must be a string or None")
        if value is not None and key != "EQUATIONS" and "#" in value:
            # comments of statement lists, which the generated spike code does not take
            value = "\n".join(l.split("#", 1)[0].rstrip() for l in value.splitlines() if l.split("#", 1)[0].strip())
        extra[key.lower()] = value
    namespace = getattr(module, "NAMESPACE", None) or {}
    if not isinstance(namespace, dict):
        raise RuleError(f"{where}: NAMESPACE must be a dict of constants")
    check_namespace(namespace, where, RuleError)
    if not coefficients and not static:
        raise RuleError(f"{where}: COEFFICIENTS is empty: a plastic rule needs at least one coefficient for the "
                        "evolution strategy to evolve")
    init = getattr(module, "INIT_WEIGHTS", None)
    if init is not None:
        from .weights import InitWeightsError, InitialWeights
        try:
            InitialWeights.parse(init)
        except InitWeightsError as exc:
            raise RuleError(f"{where}: INIT_WEIGHTS: {exc}") from None
    state = getattr(module, "SYNAPTIC_STATE", ()) or ()
    if isinstance(state, str) or not all(isinstance(v, str) for v in state):
        raise RuleError(f"{where}: SYNAPTIC_STATE must be a tuple of variable names, e.g. ('u_f', 'x_d'), "
                        f"got {state!r:.40}")
    rule = Rule(name=name, coefficients=coefficients, source=source, static=static, namespace=dict(namespace),
                init_weights=init, synaptic_state=tuple(state), **forms, **extra)
    if check:
        validate(rule)
    return rule


def validate(rule: Rule) -> None:
    """Raise the first of :func:`problems` as a one-line :class:`RuleError`."""
    found = problems(rule)
    if found:
        raise RuleError(found[0])


def problems(rule: Rule) -> list[str]:
    """Every problem of a rule, one line each: syntax, identifiers, coefficient use, units."""
    try:
        return _problems(rule)
    except RecursionError:  # sympy and Brian2's parser recurse per term
        return [f"rule '{rule.name}' ({rule.source}): an expression is too deeply nested to parse "
                f"(thousands of terms?); write it with fewer terms or as a sum of subexpressions in EQUATIONS"]


def _problems(rule: Rule) -> list[str]:
    where = f"rule '{rule.name}' ({rule.source})"
    if rule.static:
        if rule.coefficients != ("w",):
            return [f"{where}: a STATIC rule has exactly one coefficient, 'w' (the weights)"]
        return []
    if not rule.has_discrete() and not rule.has_events():
        return [f"{where}: gives none of {', '.join(FORMS)} (or EFFICACY / BEFORE_TRANSMIT)"]
    from brian2.parsing.sympytools import str_to_sympy

    found, used, parsed = [], set(), []
    defined = set()
    if rule.equations:
        try:
            defined = rule.defined_names()
        except Exception as exc:
            from .modelfiles import error_line
            found.append(f"{where}: EQUATIONS: {error_line(exc)} (each line: 'dx/dt = -x / tau : 1 (event-driven)' "
                         "or 'name = expression : unit')")
        used |= get_identifiers(rule.equations)
    known_bio = set(rule.coefficients) | defined | set(rule.namespace) | {"apre", "apost", "w"}
    for model, supported in (("reference", rule.has_discrete()), ("bio", rule.has_events())):
        taken = sorted(set(rule.coefficients) & model_variables(model)) if supported else []
        if taken:
            found.append(f"{where}: coefficient(s) {', '.join(taken)}: the {model} model's neurons have variables "
                         f"of that name ({', '.join(sorted(model_variables(model)))}); rename them")
    taken = sorted(defined & model_variables("bio"))
    if taken:
        found.append(f"{where}: EQUATIONS define {', '.join(taken)}: the bio model's neurons have variables of that "
                     f"name ({', '.join(sorted(model_variables('bio')))}); rename them (e.g. {taken[0]}_syn)")
    if rule.equations and not found:
        from brian2 import Equations
        eqs = Equations(rule.equations)
        reserved = {"w", "apre", "apost", "lastupdate", "tau_apre", "tau_apost"}
        event_driven = {eq.varname for eq in eqs.values() if "event-driven" in eq.flags}
        stray = sorted(set(rule.synaptic_state) - event_driven)
        if stray:
            found.append(f"{where}: SYNAPTIC_STATE names {', '.join(stray)}, which EQUATIONS do not define as "
                         "event-driven variables")
        clash = (set(eqs.names) & reserved) - {"tau_apre", "tau_apost"}
        if clash:
            found.append(f"{where}: EQUATIONS redefine the package's synaptic variable(s) {', '.join(sorted(clash))}")
        for eq in eqs.values():
            unknown = (get_identifiers(str(eq.expr)) if eq.expr is not None else set()) \
                - known_bio - _BUILTINS - _UNITS - {"t", "dt", "tau_apre", "tau_apost"}
            if unknown:
                found.append(f"{where}: EQUATIONS, '{eq.varname}': unknown identifier(s) {', '.join(sorted(unknown))}")
    if rule.efficacy is not None and syntax_problem(rule.efficacy):
        found.append(f"{where}: EFFICACY: {syntax_problem(rule.efficacy)}")
    elif rule.efficacy is not None:
        unknown = get_identifiers(rule.efficacy) - known_bio - _BUILTINS - _UNITS
        if unknown:
            found.append(f"{where}: EFFICACY = {_quote(rule.efficacy)}: unknown identifier(s) {', '.join(sorted(unknown))}")
        used |= get_identifiers(rule.efficacy)
    for key in ("PRE_UPDATES", "POST_UPDATES", "BEFORE_TRANSMIT"):
        code = getattr(rule, key.lower())
        if not code:
            continue
        # one statement per line, or several separated by ';', and comments, as Brian2 allows
        for line in (part for l in code.strip().splitlines() for part in l.split("#", 1)[0].split(";")):
            if not line.strip():
                continue
            m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|\*=|/=|=)\s*(.+)", line)
            if not m:
                found.append(f"{where}: {key}: {line.strip()!r}: not a statement 'variable (+)= expression'")
                continue
            target, _, expr = m.groups()
            why = syntax_problem(expr, with_line=False)
            if why:
                found.append(f"{where}: {key}: {line.strip()!r}: {why}")
                continue
            if target not in defined:
                found.append(f"{where}: {key}: {line.strip()!r}: writes '{target}', which the rule's EQUATIONS "
                             f"do not define (a pathway may only update the rule's own variables)")
            unknown = get_identifiers(expr) - known_bio - _BUILTINS - _UNITS
            if unknown:
                found.append(f"{where}: {key}: {line.strip()!r}: unknown identifier(s) {', '.join(sorted(unknown))}")
            used |= get_identifiers(expr)
    for form in FORMS:
        expr = getattr(rule, form.lower())
        if expr is None:
            continue
        try:
            symbolic = str_to_sympy(expr)
        except RecursionError:
            raise
        except Exception as exc:
            hint = ""
            if re.search(r"(?<![=<>!])=(?!=)", expr):
                hint = (f" ({form} is an expression, the weight increment, not a statement: "
                        f"write 'eta * apost', not 'w += eta * apost')")
            elif "^" in expr:
                hint = " (powers are written **, as in Python: apost**2)"
            found.append(f"{where}: {form} = {_quote(expr)}: syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}{hint}")
            used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr))   # not also 'declared but unused'
            continue
        import sympy
        if symbolic.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            found.append(f"{where}: {form} = {_quote(expr)}: divides by zero whatever the operands "
                         f"(it simplifies to {str(symbolic)[:60]}); every genome would diverge")
            used |= get_identifiers(expr)
            continue
        identifiers = get_identifiers(expr)
        allowed = OPERANDS[form] | (defined | set(rule.namespace) if form != "DISCRETE" else set())
        unknown = identifiers - set(rule.coefficients) - allowed - _BUILTINS - _UNITS
        if unknown:
            found.append(
                f"{where}: {form} = {_quote(expr)}: unknown identifier(s) {', '.join(sorted(unknown))} "
                f"(allowed: coefficients {', '.join(rule.coefficients)}; operands {', '.join(sorted(allowed))})"
            )
        else:
            parsed.append(form)
        used |= identifiers
    unused = [c for c in rule.coefficients if c not in used]
    if unused:
        found.append(f"{where}: coefficient(s) declared but unused: {', '.join(unused)}")
    for form in parsed:
        try:
            _check_units(rule, where, form)
        except RuleError as exc:
            found.append(str(exc))
    return found


def _check_units(rule: Rule, where: str, only: str) -> None:
    """The form ``only`` must be a dimensionless weight increment (Brian2's own unit check)."""
    from brian2 import DimensionMismatchError, get_dimensions
    from brian2.core.variables import Constant
    from brian2.parsing.expressions import parse_expression_dimensions

    variables = dict(DEFAULT_FUNCTIONS)
    for n in (*rule.coefficients, "pre", "post", "w", "apre", "apost"):
        variables[n] = Constant(n, 1.0)
    if rule.equations:
        from brian2 import Equations
        try:
            eqs = Equations(rule.equations).values()
        except Exception:  # reported as an EQUATIONS problem; the forms are checked without its variables
            eqs = []
        for eq in eqs:
            variables[eq.varname] = Constant(eq.varname, 1.0, dimensions=eq.dim)
    for n, v in rule.namespace.items():
        variables[n] = Constant(n, float(v), dimensions=get_dimensions(v))
    for n, v in DEFAULT_CONSTANTS.items():
        variables[n] = v
    for form in (only,):
        expr = getattr(rule, form.lower())
        for n in (get_identifiers(expr) & _UNITS) - set(variables):
            unit = getattr(brian2.units, n)
            if isinstance(unit, brian2.units.Quantity):
                variables[n] = Constant(n, float(unit), dimensions=get_dimensions(unit))
        try:
            dim = parse_expression_dimensions(expr, variables)
        except DimensionMismatchError as exc:
            raise RuleError(f"{where}: {form} = {_quote(expr)}: unit mismatch: {exc}".splitlines()[0]) from None
        except Exception as exc:
            raise RuleError(f"{where}: {form} = {_quote(expr)}: {type(exc).__name__}: {exc}".splitlines()[0]) from None
        if not getattr(dim, "is_dimensionless", dim == 1):
            raise RuleError(
                f"{where}: {form} = {_quote(expr)}: unit mismatch: the increment has units of {dim}, "
                "but a weight increment must be dimensionless"
            )


def _literal(value) -> str:
    """Python source for a NAMESPACE value (a number or a Brian2 quantity)."""
    from brian2 import Quantity, get_dimensions

    if isinstance(value, Quantity) and not get_dimensions(value).is_dimensionless:
        text = repr(value)  # e.g. '20. * msecond': valid with brian2.units' names in scope
        if float(eval(text, _unit_names())) == float(value):
            return text
        # Brian2's display rounds some values (946 * ms is 0.9460000000000001 s, shown '0.946 * second'):
        # the exact value in the base unit, so that a flattened copy runs with the very same constant
        from brian2 import get_unit
        return f"{float(value)!r} * {get_unit(get_dimensions(value))!r}"
    return repr(float(value))


@functools.cache
def _unit_names() -> dict:
    import brian2.units as units
    return {k: getattr(units, k) for k in dir(units) if not k.startswith("_")}


def flatten(rule: Rule, header: bool = True) -> str:
    """A self-contained rule file with exactly the strings and constants of ``rule`` (no imports of
    other rule files): what a run directory keeps.  Without ``header`` (the docstring naming where it
    was loaded from) the text depends only on the rule: what a resume compares."""
    lines = [f'"""Rule {rule.name!r} as loaded from {rule.source} (flattened copy: every form and',
             'constant as the run used them).  Use it with --rule path/to/this/file.py."""'] if header else []
    lines += ["from brian2.units import *  # noqa: F401,F403  (units of NAMESPACE)", "",
              f"NAME = {rule.name!r}", f"COEFFICIENTS = {tuple(rule.coefficients)!r}"]
    if rule.static:
        lines.append("STATIC = True")
    for key in CODE_FIELDS:
        value = getattr(rule, key)
        if value is not None:
            lines.append(f"{key.upper()} = {value!r}")
    if rule.init_weights is not None:
        lines.append(f"INIT_WEIGHTS = {rule.init_weights!r}")
    if rule.synaptic_state:
        lines.append(f"SYNAPTIC_STATE = {tuple(rule.synaptic_state)!r}")
    if rule.namespace:
        items = ", ".join(f"{k!r}: {_literal(v)}" for k, v in sorted(rule.namespace.items()))
        lines.append(f"NAMESPACE = {{{items}}}")
    return "\n".join(lines) + "\n"


def slow_equations(rule) -> list[str]:
    """Subexpressions of a rule's EQUATIONS flagged '(constant over dt)' that need not be: Brian2 then
    stores and recomputes them for every synapse at every time step (a stdp with its time constants so
    flagged spent 77 % of its run there: docs/benchmarks.md).  The flag is needed only for expressions
    that call a stateful function (rand, randn)."""
    out = []
    for line in (rule.equations or "").splitlines():
        code = line.split("#")[0]
        if "constant over dt" in code and not re.search(r"\brandn?\s*\(", code):
            name = code.split("=")[0].strip()
            out.append(f"rule '{rule.name}' ({rule.source}): EQUATIONS line '{code.strip()}': the flag "
                       f"'(constant over dt)' makes Brian2 recompute '{name}' for every synapse at every time "
                       f"step; without it, '{name}' is computed only where it is used (e.g. at spikes). "
                       f"Drop the flag unless the expression calls rand() or randn()")
    return out


def silent_start(rule: Rule, zero_weights: bool) -> str | None:
    """Why no term of ``rule`` can ever move a weight when every weight starts at zero (a warning
    naming the rule), or None.  With zero weights no hidden neuron fires, so a term acts only if it
    is non-zero without a postsynaptic spike or trace (post, apost, the readout) and without a weight:
    the presynaptic input, a constant, or a drift."""
    if not zero_weights or rule.static:
        return None
    from brian2.parsing.sympytools import str_to_sympy
    import sympy

    def vanishes(expr, zero):
        if expr is None:
            return True
        try:
            sym = str_to_sympy(expr)
        except Exception:
            return False
        subs = {s: 0 for s in sym.free_symbols if s.name in zero}
        return sympy.simplify(sym.subs(subs)) == 0

    quiet = {"post", "apost", "w"}
    if rule.has_discrete() and not rule.has_events():
        dead = vanishes(rule.discrete, quiet)
    else:
        dead = vanishes(rule.on_pre, quiet) and vanishes(rule.drift, {"w"})
    if not dead:
        return None
    return (f"rule '{rule.name}' ({rule.source}): no term can move a weight from zero: with every weight 0 the "
            f"hidden neurons never fire, and each of the rule's terms needs a postsynaptic spike or trace or a "
            f"non-zero weight, so the network stays silent and every genome scores the same. Start from other "
            f"weights (--init-weights uniform:0,1, as Song et al. 2000) or add a presynaptic or drift term")
