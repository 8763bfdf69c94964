"""What makes a run directory trustworthy: one process at a time, the model files it ran with, and a
fingerprint of everything that defines its numbers.

* :class:`RunLock` -- an exclusive ``flock`` on ``DIR/.lock`` for as long as a process trains in the
  directory.  The kernel drops it when the process ends, however it ends, so a lock left by a killed
  run never blocks its resume.
* :func:`save_model_files` -- the rule (and, for the biological model, the neuron) as loaded at the
  start of the run, flattened into self-contained files ``DIR/models/rule.py`` and
  ``DIR/models/neuron.py``: ``pdlf train --rule DIR/models/rule.py`` reruns exactly that rule even
  after the original file was edited or moved; ``DIR/models/digests.json`` holds each copy's digest,
  and :func:`check_copies` refuses a copy edited since.
* :func:`fingerprint` -- the science keys of the config and the text of those flattened files; a
  checkpoint carries it and ``--resume`` refuses inputs that differ, naming what changed.
* :func:`environment` -- versions and compile flags, recorded in config.json and result.json.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

MODELS_DIR = "models"
RULE_FILE = "rule.py"
NEURON_FILE = "neuron.py"
#: the config key each copy records
COPIES = {"rule": RULE_FILE, "neuron": NEURON_FILE}
#: the digest of each copy's equations and constants, written with the copies (check_copies)
DIGESTS = "digests.json"


class RunDirError(RuntimeError):
    """A run directory that cannot be used; the message is one line."""


class RunLock:
    """An exclusive lock on a run directory (``DIR/.lock``), held until :meth:`release`."""

    def __init__(self, run_dir: Path):
        import fcntl

        self.path = Path(run_dir) / ".lock"
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(self._fd, 64, 0).decode(errors="replace").strip() or "another process"
            os.close(self._fd)
            self._fd = None
            raise RunDirError(f"run directory {run_dir} is in use by {holder} (another pdlf train); "
                              "wait for it to finish or choose another --out") from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"process {os.getpid()}".encode(), 0)

    def release(self) -> None:
        if self._fd is not None:
            import fcntl
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __del__(self):
        self.release()


def check_writable(run_dir: Path) -> None:
    """One line if ``run_dir`` cannot be a run directory (a file, or not writable), before any work."""
    d = Path(run_dir)
    if str(run_dir) in ("", "."):
        raise RunDirError("--out: give a run directory (an empty --out would write into the current directory)")
    if d.exists() and not d.is_dir():
        raise RunDirError(f"--out {d}: is a file, not a directory")
    probe = d if d.exists() else next((p for p in d.parents if p.exists()), Path("."))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise RunDirError(f"--out {d}: {probe} is not writable")


def model_files(cfg, header: bool = True) -> dict[str, str]:
    """{file name: flattened source} of the rule and (biological model) the neuron of a config.
    Without ``header`` the texts depend only on the equations and constants (for fingerprints)."""
    from .rules import flatten, load_rule

    files = {RULE_FILE: flatten(load_rule(cfg.rule), header)}
    neuron = getattr(cfg, "neuron", None)
    if cfg.model == "bio" and neuron:
        from .neurons import flatten as flatten_neuron, load_neuron
        files[NEURON_FILE] = flatten_neuron(load_neuron(neuron), header)
    return files


def use_run_copies(data: dict, run_dir: Path, always: bool = False, keys=("rule", "neuron")) -> list[str]:
    """In a config dict read from ``run_dir``: replace a rule (or neuron) file path that no longer
    exists by the run's own flattened copy; with ``always`` (analyses, export, replay: a finished run
    is read with the equations it ran with), also a shipped name or a path whose equations or
    constants have changed since the run; an unchanged rule keeps its name, as the run was given it.
    ``keys``: the config keys to consider (a flag that gives another rule leaves the rule alone).
    Returns a note per replacement."""
    notes = []
    for key in keys:
        name = COPIES[key]
        value = data.get(key)
        copy = Path(run_dir) / MODELS_DIR / name
        if not isinstance(value, str) or not copy.is_file():
            continue
        if value.endswith(".py") and not Path(value).is_file():
            notes.append(f"{key} file {value} not found; using the run's copy {copy}")
        elif not value.endswith(".py") and not _known_name(key, value):
            notes.append(f"{key} '{value}' is no longer in models/{'rules' if key == 'rule' else 'neurons'} "
                         f"(renamed or removed?); using the run's copy {copy}")
        elif always and _edited_since(key, value, copy):
            notes.append(f"{key} '{value}' has changed since the run; using the run's copy {copy}")
        else:
            continue
        data[key] = str(copy)
    return notes


def read_run_config(run_dir: Path, note=None):
    """The Config of a finished run, read with the rule and neuron it ran with (``use_run_copies``
    with ``always``); each replacement is passed to ``note`` (a one-line message)."""
    from .config import Config, read_json

    path = Path(run_dir) / "config.json"
    data = read_json(path)
    check_copies(run_dir)
    for line in use_run_copies(data, run_dir, always=True):
        if note is not None:
            note(line)
    return Config.load_dict(data, path)


def _known_name(key: str, value: str) -> bool:
    """Whether a rule or neuron NAME still names a file of models/ (one that imports or not: a broken one
    is reported as such when it is loaded)."""
    if key == "rule":
        from .rules import RuleError as Error, _RULES_PACKAGE as package
    else:
        from .neurons import NeuronError as Error, _PACKAGE as package
    from .modelfiles import resolve
    try:
        resolve(package, value, key, Error)
    except Error as exc:
        return not str(exc).startswith(f"unknown {key} ")
    return True


def _edited_since(key: str, value: str, copy: Path) -> bool:
    """Whether the rule or neuron ``value`` now has other equations or constants than the run's copy."""
    if key == "rule":
        from .rules import flatten, load_rule as load
    else:
        from .neurons import flatten, load_neuron as load
    try:
        return flatten(load(value), False) != flatten(load(str(copy)), False)
    except Exception:  # noqa: BLE001 - a file that no longer loads has changed too
        return True


def write_atomic(path, data) -> None:
    """Write ``data`` (text, or a NumPy array as .npy) to ``path`` through a temporary file and a rename:
    a kill leaves the old file or the new one, never half of one (config.json is read first by --resume)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        tmp.write_text(data)
    else:
        import numpy as np
        with open(tmp, "wb") as f:
            np.save(f, data)
    os.replace(tmp, path)


def save_model_files(run_dir: Path, files: dict[str, str]) -> None:
    """The run's flattened rule and neuron, and the digest of each one's equations and constants
    (``DIGESTS``: what :func:`check_copies` holds the copies to)."""
    d = Path(run_dir) / MODELS_DIR
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        write_atomic(d / name, text)
    write_atomic(d / DIGESTS, json.dumps({name: _copy_digest(d / name) for name in files}, indent=2) + "\n")


def _copy_digest(path: Path) -> str:
    """The digest of a model file copy's text (the copies are written once, at the start of a run)."""
    return digest(Path(path).read_text())


def check_copies(run_dir: Path, keys=("rule", "neuron")) -> None:
    """One RunDirError line if the run's copy of its rule or neuron (``DIR/models/``) was edited or
    removed after the run started: they are the run's record of what it ran, read by --resume, the
    analyses, export and replay.  ``keys``: the config keys whose copies are used (a new run from a
    run's config.json with another --rule does not use the run's rule).  Run directories from before
    the digests were kept are not checked."""
    wanted = {COPIES[key] for key in keys}
    d = Path(run_dir) / MODELS_DIR
    path = d / DIGESTS
    if not path.is_file():
        return
    try:
        saved = json.loads(path.read_text())
        if not isinstance(saved, dict) or not all(isinstance(v, str) for v in saved.values()):
            raise ValueError("not an object of file names and digests")
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{path} cannot be read ({exc}); it holds the digests of the run's model files") from None
    for name, value in saved.items():
        if name not in wanted:
            continue
        if not (d / name).is_file():
            raise RunDirError(f"{d / name} is missing: it is the run's record of what it ran; restore it")
        if _copy_digest(d / name) != value:
            raise RunDirError(f"{d / name} was edited after the run started: it is the run's record of what it "
                              f"ran; restore it, or copy it out and start a new run with it")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: science keys added after runs existed, with the value those runs had implicitly
KEYS_ADDED_LATER = {"env_options": {}, "normalise": "layer", "hold": 1}


def fingerprint(cfg) -> dict:
    """What defines a run's numbers: the config's science keys (without the number of generations,
    which a resume may extend, and without the rule and neuron names: their equations count, through
    the digest of each flattened model file, so a run resumed with ``--rule DIR/models/rule.py``
    matches)."""
    science = cfg.science()
    for key in ("generations", "rule", "neuron"):
        science.pop(key, None)
    for key, before in KEYS_ADDED_LATER.items():  # the value runs from before the key had: left out, so
        if key in science and science[key] == before:  # that their resumes still match
            science.pop(key)
    return {"config": science, "files": {name: digest(text) for name, text in model_files(cfg, False).items()}}


def compare(saved: dict, now: dict, run_dir: Path) -> str | None:
    """None if the fingerprints agree, else one line naming what changed."""
    # a key added later, saved at its implicit value (by a run started before fingerprint() left it out)
    saved = dict(saved, config={k: v for k, v in saved["config"].items()
                                if not (k in KEYS_ADDED_LATER and v == KEYS_ADDED_LATER[k])})
    changed = [f"config key '{k}' ({v!r} -> {now['config'].get(k)!r})"
               for k, v in sorted(saved["config"].items()) if now["config"].get(k) != v]
    changed += [f"config key '{k}' (new)" for k in sorted(set(now["config"]) - set(saved["config"]))]
    for name in sorted(set(saved["files"]) | set(now["files"])):
        if saved["files"].get(name) != now["files"].get(name):
            what = "the rule" if name == RULE_FILE else "the neuron"
            changed.append(f"{what} (its equations or constants differ from {Path(run_dir) / MODELS_DIR / name})")
    if not changed:
        return None
    return ("--resume: the inputs changed since the run started: " + "; ".join(changed)
            + ". Restore them, or start a new run with another --out")


def environment(native: bool) -> dict:
    """Versions of everything that affects the numbers, and the compile flags."""
    from importlib import metadata

    from .backends import compile_flags

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {"python": platform.python_version(), "machine": platform.machine(),
            "pdlf_brian": version("pdlf-brian"), "pdlf_brian_commit": source_commit(),
            "brian2": version("brian2"), "numpy": version("numpy"),
            "cython": version("cython"), "cma": version("cma"), "gymnasium": version("gymnasium"),
            "mujoco": version("mujoco"), "brian2cuda": version("brian2cuda"),
            "compile_flags": " ".join(compile_flags(native)), "native": native, "blas": blas()["description"],
            "executable": sys.executable}


def blas() -> dict:
    """numpy's BLAS as it runs in this process: ``description`` (e.g. 'openblas 0.3.30, kernel Katmai,
    1 thread'), and ``pinned``, False where it is not the kernel and thread count the package pins
    (:data:`pdlf_brian.BLAS_PINNED`: numpy was imported before pdlf_brian, or the environment chose
    otherwise), with ``why``.  Another kernel or thread count gives CMA-ES other numbers."""
    import os

    import numpy  # noqa: F401  (loads the BLAS that threadpoolctl inspects)

    import pdlf_brian

    try:
        from threadpoolctl import threadpool_info
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    except ImportError:  # scikit-learn's dependency, so normally present
        info = []
    if not info:
        return {"description": "unknown (threadpoolctl found no BLAS)", "pinned": False,
                "why": "the BLAS could not be inspected"}
    b = info[0]
    threads = b.get("num_threads")
    description = (f"{b.get('internal_api')} {b.get('version')}, kernel {b.get('architecture')}, "
                   f"{threads} thread{'s' if threads != 1 else ''}")
    why = []
    if b.get("internal_api") != "openblas":
        why.append(f"numpy runs on {b.get('internal_api')}, not OpenBLAS")
    if not pdlf_brian.BLAS_PINNED_IN_TIME:
        why.append("numpy was imported before pdlf_brian")
    for key, value in pdlf_brian.BLAS_PINNED.items():
        if (os.environ.get(key) or "").lower() != value.lower():   # OpenBLAS reads the kernel's name in any case
            why.append(f"{key}={os.environ.get(key)!r} in the environment")
    if threads != 1:
        why.append(f"{threads} BLAS threads")
    return {"description": description, "pinned": not why, "why": "; ".join(why)}


def source_commit() -> str | None:
    """The git commit of the package's source where the package itself is a git checkout (an editable
    install), with '+dirty' where its files (pdlf_brian/, models/, tasks/, analysis/) differ from that
    commit or a new file sits among them; None elsewhere (an installed wheel, even inside another
    project's repository: its version says)."""
    import subprocess
    root = Path(__file__).resolve().parent.parent

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    parts = ["pdlf_brian", "models", "tasks", "analysis"]
    try:
        top = git("rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root \
                or git("ls-files", "--error-unmatch", "pdlf_brian/rundir.py").returncode != 0:
            return None
        head = git("rev-parse", "HEAD").stdout.strip()
        dirty = git("diff", "--quiet", "HEAD", "--", *parts).returncode != 0 \
            or bool(git("ls-files", "--others", "--exclude-standard", "--", *parts).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def load_array(path) -> "np.ndarray":
    """A .npy file of a run directory (numbers only), or one RunDirError line naming the file."""
    import numpy as np
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise RunDirError(f"{path} not found") from None
    except Exception as exc:  # noqa: BLE001 - truncated, pickled or not .npy: one line naming the file
        raise RunDirError(f"{path} cannot be read as an array of numbers ({type(exc).__name__}: {exc})") from None
