"""Training runs: determinism, checkpoint/resume, divergent genomes."""
import csv
import json
import pickle

import numpy as np
import pytest

from pdlf_brian.config import Config, ConfigError
from pdlf_brian.evolve import CHECKPOINT, PREVIOUS, Trainer, load_checkpoint

TINY = dict(hidden=4, length=3, latency=1, sequences=4, test_sequences=8, pop=4, sigma0=0.5)


def progress(run):
    with open(run / "progress.csv") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def test_run_directory_contents(tmp_path):
    result = Trainer(Config(generations=3, seed=1, **TINY), tmp_path / "r", quiet=True).run()
    run = tmp_path / "r"
    for name in ("config.json", "progress.csv", "result.json", CHECKPOINT, "centres.npy",
                 "genome_centre.npy", "genome_best.npy", "figures/learning_curve.png", "genome_layout.json",
                 "models/rule.py"):
        assert (run / name).exists(), name
    saved = json.loads((run / "result.json").read_text())
    for key in ("task", "model", "rule", "seed", "generations", "score_centre", "score_best", "wall_seconds"):
        assert key in saved
    assert saved == result and 0 <= result["score_centre"] <= 1
    assert len(progress(run)) == 3 and np.load(run / "centres.npy").shape[0] == 3
    # centres.npy's last row is the final centre (each row: the centre after its generation's update)
    np.testing.assert_array_equal(np.load(run / "centres.npy")[-1], np.load(run / "genome_centre.npy").astype(np.float32))
    stored = Config.load(run / "config.json")
    assert stored.science() == Config(generations=3, seed=1, **TINY).validate().science()
    # the versions and compile flags of the run, in config.json and result.json (issue 13)
    import brian2
    for env in (stored.environment, saved["environment"]):
        assert env["brian2"] == brian2.__version__ and env["numpy"] == np.__version__
        assert "-march=native" not in env["compile_flags"] and "-ffast-math" not in env["compile_flags"]
        assert env["native"] is False


def test_same_seed_same_result_and_other_seed_differs(tmp_path):
    a = Trainer(Config(generations=3, seed=7, **TINY), tmp_path / "a", quiet=True).run()
    b = Trainer(Config(generations=3, seed=7, **TINY), tmp_path / "b", quiet=True).run()
    c = Trainer(Config(generations=3, seed=8, **TINY), tmp_path / "c", quiet=True).run()
    assert progress(tmp_path / "a") == progress(tmp_path / "b")
    np.testing.assert_array_equal(np.load(tmp_path / "a/genome_centre.npy"), np.load(tmp_path / "b/genome_centre.npy"))
    assert a["score_centre"] == b["score_centre"]
    assert progress(tmp_path / "a") != progress(tmp_path / "c")


def test_resume_continues_identically(tmp_path):
    Trainer(Config(generations=4, seed=3, **TINY), tmp_path / "full", quiet=True).run()
    Trainer(Config(generations=2, seed=3, **TINY), tmp_path / "part", quiet=True).run()
    # the finished 2-generation run is extended to the full length
    Trainer(Config(**{**TINY, "generations": 4, "seed": 3}), tmp_path / "part", resume=True, quiet=True).run()
    assert progress(tmp_path / "full") == progress(tmp_path / "part")
    np.testing.assert_array_equal(np.load(tmp_path / "full/genome_centre.npy"),
                                  np.load(tmp_path / "part/genome_centre.npy"))


def test_resume_refuses_a_different_experiment_and_new_run_refuses_overwrite(tmp_path):
    Trainer(Config(generations=1, seed=3, **TINY), tmp_path / "r", quiet=True).run()
    with pytest.raises(ConfigError, match=r"inputs changed since the run started: config key 'seed' \(3 -> 4\)"):
        Trainer(Config(generations=1, seed=4, **TINY), tmp_path / "r", resume=True, quiet=True)
    with pytest.raises(ConfigError, match="already holds a run"):
        Trainer(Config(generations=1, seed=3, **TINY), tmp_path / "r", quiet=True)
    Trainer(Config(generations=2, seed=3, **TINY), tmp_path / "r", resume=True, quiet=True).run()
    with pytest.raises(ConfigError, match="already done 2; give --generations 2 or more"):
        Trainer(Config(generations=1, seed=3, **TINY), tmp_path / "r", resume=True, quiet=True)


def test_corrupt_checkpoint_falls_back_to_previous(tmp_path):
    Trainer(Config(generations=2, seed=3, **TINY), tmp_path / "r", quiet=True).run()
    (tmp_path / "r" / CHECKPOINT).write_bytes(b"\x80\x04truncated")
    state = load_checkpoint(tmp_path / "r")
    assert state["generation"] == 1  # the previous generation's checkpoint
    (tmp_path / "r" / PREVIOUS).write_bytes(b"")
    with pytest.raises(Exception, match="unreadable"):
        load_checkpoint(tmp_path / "r")


def test_divergent_genome_gets_finite_worst_fitness():
    from pdlf_brian.evaluate import WMEvaluator
    cfg = Config(generations=1, **TINY)
    ev = WMEvaluator(cfg, 3)
    good = np.zeros(ev.layout.size)
    huge = np.full(ev.layout.size, 1e300)  # eta * dW overflows to inf -> NaN weights
    acc, fit, diverged = ev.evaluate(np.vstack([good, huge, good]), np.random.default_rng(0))
    assert list(diverged) == [False, True, False]
    assert np.isfinite(fit).all() and fit[1] == -2.0 and fit[1] < fit[0]


@pytest.mark.parametrize("model,backend", [("reference", "numpy"), ("bio", "numpy"), ("bio", "cpp")])
def test_a_genome_whose_input_weights_diverge_is_scored_as_diverged(model, backend):
    """Only the input layer's rule overflows: its weights become NaN and the hidden layer falls silent,
    which left the readout finite (0) and the copy scored near chance instead of -2.  A standalone run
    writes back no weights: there the NaN is found in the neurons' state."""
    from pdlf_brian.evaluate import WMEvaluator
    extra = dict(model="bio", stimulus_ms=20.0) if model == "bio" else {}
    extra["backend"] = backend
    cfg = Config(generations=1, **{**TINY, **extra})
    ev = WMEvaluator(cfg, 2)
    g = np.zeros((2, ev.layout.size))
    for layer, _, where, _ in ev.layout.blocks():                     # the input layer's coefficients only
        if layer == "in":
            g[1, where] = 1e300
    acc, fit, diverged = ev.evaluate(g, np.random.default_rng(0))
    assert list(diverged) == [False, True]
    assert fit[1] == -2.0 and acc[1] == 0.0 and np.isfinite(fit[0])


@pytest.mark.parametrize("backend", ["numpy", "cpp"])
def test_a_non_finite_genome_is_scored_as_diverged(backend):
    """A NaN or infinite coefficient is a diverged individual on every device.  A standalone run does not
    write its coefficients back (they are its input; half of the neurons' arrays at the WM shape):
    the genome itself is checked, and the run's results hold the neurons' state, not the coefficients."""
    from pdlf_brian.evaluate import WMEvaluator
    ev = WMEvaluator(Config(generations=1, **{**TINY, "backend": backend}), 3)
    g = np.zeros((3, ev.layout.size))
    g[1, 0], g[2, -1] = np.nan, np.inf
    acc, fit, diverged = ev.evaluate(g, np.random.default_rng(0))
    assert list(diverged) == [False, True, True] and np.isfinite(fit).all()
    if backend == "cpp":
        written = {f.name for f in (ev.network.directory / "code" / "results").iterdir()}
        hidden = ev.network.hid.name
        assert any(f.startswith(f"_array_{hidden}_u_") for f in written)        # the membranes: checked
        assert not any(f.startswith(f"_array_{hidden}_eta_") for f in written)  # the coefficients: not written


@pytest.mark.parametrize("after", [1, 3])
def test_sigkill_then_resume_loses_nothing(tmp_path, after):
    """A run killed with SIGKILL (no chance to clean up) and resumed ends like an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time

    flags = ["--task", "wm", "--hidden", "4", "--len", "3", "--lat", "1", "--sequences", "4",
             "--test-sequences", "8", "--pop", "4", "--sigma0", "0.5", "--generations", "6", "--seed", "5",
             "--backend", "numpy", "--quiet"]  # numpy: another process, where cython would compile (conftest.py)
    cli = [sys.executable, "-m", "pdlf_brian.cli", "train", *flags]
    subprocess.run([*cli, "--out", str(tmp_path / "full")], check=True, timeout=300)
    part = tmp_path / "part"
    proc = subprocess.Popen([*cli, "--out", str(part)])
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if (part / "progress.csv").exists() and len(progress(part)) >= after:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (part / "result.json").exists(), "killed before the end"
    subprocess.run([*cli, "--out", str(part), "--resume"], check=True, timeout=300)
    assert progress(part) == progress(tmp_path / "full")
    np.testing.assert_array_equal(np.load(part / "genome_centre.npy"), np.load(tmp_path / "full/genome_centre.npy"))


from hypothesis import given, settings, strategies as st  # noqa: E402

_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 2000), st.floats(allow_nan=True),
                    st.text(max_size=8), st.sampled_from(["wm", "ant_dir", "cython", "bio", "post", "ff", "scp"]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(Config().to_dict()) + ["popsize", "lenght"]), _VALUES, max_size=6))
def test_config_parser_accepts_valid_or_names_the_key(data):
    """Any JSON-ish dict: a validated Config, or a ConfigError naming a key; never another exception."""
    try:
        cfg = Config.from_dict(data)
    except ConfigError as exc:
        msg = str(exc)
        assert "config key" in msg or "unknown config key" in msg
        assert any(k in msg for k in data) or "'topology'" in msg or "'hidden'" in msg or "'generations'" in msg
        return
    assert cfg.pop >= 2 and cfg.generations >= 1 and cfg.sigma0 > 0 and cfg.hidden >= 1


def test_pycma_warnings_become_one_line_and_a_count_per_generation(tmp_path, monkeypatch, capsys):
    """pycma warns with numbers in the message, so Python printed every one (128 times in one WM run,
    through --quiet): now one note per kind on stderr and a count per generation in events.log.  Other
    libraries' warnings raised inside ask/tell still reach Python's filters."""
    import warnings

    import cma
    from cma.transformations import DiagonalDecoding

    tell = cma.CMAEvolutionStrategy.tell

    def noisy_tell(self, *args, **kwargs):
        decoding = DiagonalDecoding(3)
        for k in range(2):   # pycma's own warning, its numbers different every time
            decoding.update(np.full((2, 3), 8.0 + k + self.countiter), np.array([0.5, 0.5]))
        warnings.warn("not pycma's", RuntimeWarning)
        return tell(self, *args, **kwargs)

    monkeypatch.setattr(cma.CMAEvolutionStrategy, "tell", noisy_tell)
    with pytest.warns(RuntimeWarning, match="not pycma's"), warnings.catch_warnings():
        warnings.filterwarnings("error", message="elements of z2")  # one that escapes the run fails the test
        Trainer(Config(generations=3, seed=1, **TINY), tmp_path / "r", quiet=True).run()
    err = capsys.readouterr().err
    assert err.count("z2[k]") == 1 and "events.log" in err
    lines = [l for l in (tmp_path / "r" / "events.log").read_text().splitlines() if "z2" in l]
    assert lines == [f"generation {g}: CMA-ES (pycma) warned 2x: elements of z2[k] are larger than 55"
                     for g in range(3)]
    # a resume (here an extension) does not say the note again: the kinds said are in the checkpoint
    with pytest.warns(RuntimeWarning, match="not pycma's"):
        Trainer(Config(generations=5, seed=1, **TINY), tmp_path / "r", quiet=True, resume=True).run()
    assert "z2[k]" not in capsys.readouterr().err
    lines = [l for l in (tmp_path / "r" / "events.log").read_text().splitlines() if "z2" in l]
    assert len(lines) == 5
