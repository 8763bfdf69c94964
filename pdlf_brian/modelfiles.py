"""What rule files and neuron files share: finding the shipped ones, and importing a user's file with
one-line errors (``kind`` is 'rule' or 'neuron'; ``error`` the exception class to raise)."""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path


def _scan(package_name: str) -> dict[str, list[str]]:
    """The files of a models package that import: their ``NAME`` (or module name) -> module names (more
    than one where files share a NAME)."""
    package = importlib.import_module(package_name)
    found: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{package_name}.{info.name}")
        except Exception:
            continue
        name = getattr(module, "NAME", None)
        found.setdefault(name if isinstance(name, str) and name else info.name, []).append(info.name)
    return found


def shipped(package_name: str) -> dict[str, str]:
    """The files of a models package: their ``NAME`` (or module name) -> module name.  A file that does
    not import is left out, so that one broken file does not hide the others; so is a NAME that two
    files give (:func:`resolve` says which)."""
    return {name: mods[0] for name, mods in _scan(package_name).items() if len(mods) == 1}


def unlisted(package_name: str, kind: str) -> list[str]:
    """One line per file of a models package that :func:`shipped` leaves out: a file that does not import
    (with why), or one of several files that give the same NAME."""
    lines = []
    for name, mods in _scan(package_name).items():
        if len(mods) > 1:
            lines.append(f"{', '.join(m + '.py' for m in mods)}: {len(mods)} files give NAME = {name!r}")
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            why = broken(package_name, info.name, kind)
            if why:
                lines.append(why)
    return lines


def resolve(package_name: str, name: str, kind: str, error: type[Exception]) -> str:
    """The module of a models package's ``kind`` file called ``name`` (its NAME, or its file name
    without .py), or one ``error`` line: two files with that NAME, a file that does not import, or an
    unknown name with the list of known ones."""
    package = importlib.import_module(package_name)
    scan = _scan(package_name)
    folder = Path(package.__path__[0])
    if len(scan.get(name, [])) > 1:
        files = ", ".join(f"{folder / m}.py" for m in scan[name])
        raise error(f"{kind} '{name}': {len(scan[name])} files give NAME = {name!r} ({files}); give each file "
                    f"its own NAME (or ask for one by its file name)")
    if name in scan:
        return scan[name][0]
    modules = {m for mods in scan.values() for m in mods}
    if name in modules:
        return name
    why = broken(package_name, name, kind)
    if why:
        raise error(why)
    known = ", ".join(sorted(shipped(package_name)))
    raise error(f"unknown {kind} '{name}'; available: {known} (or a path to a {kind} file ending in .py)")


def broken(package_name: str, name: str, kind: str) -> str | None:
    """Why the file of ``name`` in a models package does not import (one line), or None: a shipped or
    user-added file with an error is then reported as that error, not as an unknown name."""
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in (name, name.replace("+", "_")):
            continue
        path = Path(info.module_finder.path) / f"{info.name}.py"
        try:
            importlib.import_module(f"{package_name}.{info.name}")
        except SyntaxError as exc:
            return f"{kind} file {exc.filename or path}: line {exc.lineno}: syntax error: {exc.msg}"
        except Exception as exc:  # noqa: BLE001 - any import error, reported in one line
            return f"{kind} file {path}: cannot be imported: {type(exc).__name__}: {exc}"
    return None


def import_file(path: Path, kind: str, error: type[Exception]):
    """Execute a user's ``kind`` file as a module; a syntax or import error is one line naming the file."""
    spec = importlib.util.spec_from_file_location(f"pdlf_user_{kind}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise error(f"{kind} file {path}: line {exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        raise error(f"{kind} file {path}: cannot be imported: {type(exc).__name__}: {exc}") from None
    return module


def syntax_problem(text: str, statements: bool = False, with_line: bool = True) -> str | None:
    """Why a Brian2 expression (``statements``: code, ``variable (op)= expression`` per line or between
    ``;``, ``#`` comments allowed) is not valid syntax, naming the line (``'v >= 30mV': invalid decimal literal``), or
    None (``with_line=False``: the reason alone).  Brian2's own parser says only 'invalid syntax
    (<unknown>, line 1)', naming no string."""
    import ast
    import re

    # statements: one per line, or several on a line separated by ';', as Brian2 takes them
    lines = [part for l in text.splitlines() for part in l.split("#", 1)[0].split(";")] if statements else [text]
    for line in lines:
        if not line.strip():
            continue
        expr = line
        if statements:
            m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|\*=|/=|=)\s*(.*)", line)
            if not m:
                why = "not a statement 'variable (+)= expression'"
                return f"{line.strip()!r}: {why}" if with_line else why
            expr = m.group(3)
        try:
            ast.parse(expr.strip(), mode="eval")
        except SyntaxError as exc:
            return f"{line.strip()!r}: syntax error: {exc.msg}" if with_line else f"syntax error: {exc.msg}"
    return None


def equations_problem(text: str) -> str | None:
    """The first line of a Brian2 EQUATIONS string that Brian2 cannot parse, with Brian2's reason, or None
    (Brian2's own error for the whole string does not say which line)."""
    from brian2 import Equations

    for line in text.splitlines():
        code = line.split("#", 1)[0].strip()
        if not code:
            continue
        try:
            Equations(code)
        except Exception as exc:  # noqa: BLE001 - whatever the parser refused, said in one line
            return f"{code!r}: {error_line(exc)}"
    return None


def check_keys(module, known: dict[str, tuple[type, ...]], where: str, error: type[Exception]) -> None:
    """An upper-case name of a rule or neuron file that looks like a misspelt key (``PRE_UPDATE`` for
    ``PRE_UPDATES``, ``INITIALS`` for ``INITIAL``) is one line naming it: the package would otherwise
    ignore it and run something else.  ``known``: each key and the types its value may have.  A name is
    a near miss only where its spelling is close to a key the file does not set and its value has that
    key's type; the file's own constants (``A_PRE = 0.005``, ``V_RESET = 0.0``, ``BASE_EQUATIONS``
    beside ``EQUATIONS``) are left alone."""
    import difflib
    import re

    names = vars(module)
    unset = [k for k in known if k not in names]
    for name, value in names.items():
        if name in known or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            continue
        close = [k for k in difflib.get_close_matches(name, unset, n=3, cutoff=0.7) if isinstance(value, known[k])]
        if close:
            raise error(f"{where}: unknown key {name}: did you mean {close[0]}? (the keys this file may set: "
                        f"{', '.join(known)}; rename a constant of your own that is not a key)")


def check_namespace(namespace: dict, where: str, error: type[Exception]) -> None:
    """Every NAMESPACE value of a rule or neuron file is a number or a scalar Brian2 quantity (a string
    such as "20*ms" is one line naming the key, not an unresolved identifier later)."""
    import numbers

    from brian2.units import Quantity
    for key, value in namespace.items():
        if not (isinstance(value, numbers.Real) and not isinstance(value, bool)
                or isinstance(value, Quantity) and value.ndim == 0):
            raise error(f"{where}: NAMESPACE[{key!r}]: must be a number or a Brian2 quantity such as 20 * ms, "
                        f"got {type(value).__name__} {value!r:.40}")


#: lines of Brian2's error messages that say where, not what
_BOILERPLATE = ("Error encountered with object", "An error occurred", "The object was created here",
                "Object was created here", "(most recent call only", "File ", "Parsing failed")


def error_line(exc: BaseException) -> str:
    """The line of an exception that says what went wrong: Brian2 wraps the cause (a unit mismatch, an
    unknown variable) in an error naming the object, with the cause as ``__cause__``; the innermost
    cause's first informative line, with its type."""
    chain, seen = [exc], {id(exc)}
    while True:
        nxt = chain[-1].__cause__ or chain[-1].__context__
        if nxt is None or id(nxt) in seen:
            break
        chain.append(nxt)
        seen.add(id(nxt))
    for e in reversed(chain):   # the innermost cause first
        lines = [l.strip() for l in str(e).splitlines() if l.strip()]
        useful = [l for l in lines if not l.startswith(_BOILERPLATE) and set(l) - set("^ ")]
        if useful:
            return f"{type(e).__name__}: {useful[-1] if str(e).startswith('Parsing failed') else useful[0]}"
    return type(exc).__name__


#: Brian2's random functions: a rule or neuron whose strings call them (or use the noise term ``xi``)
#: is stochastic, and the package seeds Brian2's generator from the run's seed before every evaluation
RANDOM_FUNCTIONS = frozenset({"rand", "randn", "poisson"})


def random_names(texts) -> set[str]:
    """The random functions and noise terms (``xi``, ``xi_1``...) that Brian2 strings use."""
    from brian2.utils.stringtools import get_identifiers
    found = set()
    for text in texts:
        if text:
            found |= {x for x in get_identifiers(str(text))
                      if x in RANDOM_FUNCTIONS or x == "xi" or x.startswith("xi_")}
    return found


def model_noise(rule, neuron=None) -> list[str]:
    """The random functions and noise terms of a rule and of the neuron it runs with (None: the
    reference model, whose neurons are fixed and deterministic), sorted; empty: deterministic."""
    return sorted(rule.random_names() | (neuron.random_names() if neuron is not None else set()))
