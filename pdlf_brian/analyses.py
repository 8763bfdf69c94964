"""Finding and running the analyses in ``analysis/`` (one file each, with NAME and run())."""
from __future__ import annotations

import importlib
import inspect
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
    if baseline is not None and "baseline" not in params:
        raise ValueError(f"analysis {name!r} takes no --baseline")
    if not (Path(run_dir) / "config.json").exists():
        raise FileNotFoundError(f"{run_dir} is not a run directory (no config.json)")
    out = output_dir(run_dir, name)
    kwargs = dict(options)
    if baseline is not None:
        kwargs["baseline"] = baseline
    return module.run(run_dir, out, **kwargs), out
