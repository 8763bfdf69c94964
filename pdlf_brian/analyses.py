"""Finding and running the analyses in ``analysis/`` (one file each, with NAME and run())."""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from pathlib import Path


def available() -> dict[str, str]:
    """Analysis name -> module name."""
    package = importlib.import_module("pdlf_brian.analysis")
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"pdlf_brian.analysis.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = info.name
    return found


def describe() -> str:
    """One paragraph per analysis: its name, the first line of its docstring, its options and whether
    it takes --baseline (the text of ``pdlf analyze --help``)."""
    lines = []
    for name, module_name in sorted(available().items()):
        module = importlib.import_module(f"pdlf_brian.analysis.{module_name}")
        doc = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        params = inspect.signature(module.run).parameters
        opts = ", ".join(f"{k}={v.default!r}" if v.default is not inspect.Parameter.empty else k
                         for k, v in params.items() if k not in ("run_dir", "out_dir", "baseline"))
        lines.append(f"{name}: {doc}\n    options: {opts or 'none'}"
                     + ("; takes --baseline" if "baseline" in params else ""))
    return "\n".join(lines)


def run_analysis(name: str, run_dir, baseline=None, **options):
    """Run analysis ``name`` on ``run_dir``; returns (summary, output directory)."""
    from .analysis.common import output_dir

    names = available()
    if name not in names:
        raise ValueError(f"unknown analysis {name!r}; choose one of {', '.join(sorted(names))}")
    module = importlib.import_module(f"pdlf_brian.analysis.{names[name]}")
    params = inspect.signature(module.run).parameters
    unknown = sorted(set(options) - set(params))
    if unknown:
        raise ValueError(f"analysis {name!r} has no option(s) {', '.join(unknown)}; "
                         f"options: {', '.join(p for p in params if p not in ('run_dir', 'out_dir', 'baseline'))}")
    options = {key: _check_type(name, key, value, params[key].default) for key, value in options.items()}
    if baseline is not None and "baseline" not in params:
        raise ValueError(f"analysis {name!r} takes no --baseline")
    if not (Path(run_dir) / "config.json").exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no config.json)")
    # an analysis whose options make another experiment names its own folder (lesion's mode=silence)
    folder = module.folder(options) if hasattr(module, "folder") else name
    made = [d for d in (Path(run_dir) / "analysis", Path(run_dir) / "analysis" / folder) if not d.exists()]
    out = output_dir(run_dir, folder)
    kwargs = dict(options)
    if baseline is not None:
        kwargs["baseline"] = baseline
    try:
        return module.run(run_dir, out, **kwargs), out
    except BaseException:  # a refused or failed analysis leaves no empty folder behind
        for d in reversed(made):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        raise


def _check_type(analysis: str, key: str, value, default):
    """``-o key=value`` has the type of the option's default (an integer, a number, a string, a list of
    them), checked before anything is built; returns the value (one item where the default is a list
    becomes a list of one).  Options whose default is None or a bool are checked by the analysis
    itself (their accepted values are not one type: wm-probe's ``distractors=bits``)."""
    if default is inspect.Parameter.empty or default is None or isinstance(default, bool):
        return value

    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)

    def is_number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if is_int(default):
        ok, want = is_int(value), "an integer"
    elif isinstance(default, float):
        ok, want = is_number(value), "a number"
    elif isinstance(default, str):
        ok, want = isinstance(value, str), "a string"
    elif isinstance(default, (list, tuple)) and default:
        each = is_number if is_number(default[0]) else (lambda v: isinstance(v, type(default[0])))
        if each(value):
            value = [value]
        ok = isinstance(value, (list, tuple)) and len(value) > 0 and all(each(v) for v in value)
        want = f"a non-empty list like {list(default)!r} (-o {key}='{json.dumps(list(default))}')"
    else:
        return value
    if not ok:
        raise ValueError(f"analysis {analysis!r}: option {key}={value!r}: expected {want}")
    return value
