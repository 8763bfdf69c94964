"""The smoke subset CI also runs on a newer interpreter (Python 3.12 / 3.13, with the newest Brian2 each
allows): train (and resume), replay, check-rule, one analysis, the version line.  Every step runs the
real command line on a tiny problem."""
import json
import sys

import numpy as np
import pytest

from pdlf_brian.cli import main

pytestmark = pytest.mark.cython  # the user's default path, compiled (conftest.py)

TINY = ["--task", "wm", "--hidden", "4", "--len", "3", "--lat", "1", "--sequences", "4", "--test-sequences", "8",
        "--pop", "4", "--quiet"]


def test_version_names_the_package_brian2_and_python(capsys):
    import brian2
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert out.startswith("pdlf-brian ") and f"brian2 {brian2.__version__}" in out
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in out


def test_train_resume_and_analyse(tmp_path):
    run = tmp_path / "run"
    assert main(["train", *TINY, "--generations", "2", "--out", str(run)]) == 0
    assert main(["train", "--out", str(run), "--resume", "--generations", "3", "--quiet"]) == 0
    result = json.loads((run / "result.json").read_text())
    assert result["generations"] == 3 and 0 <= result["score_centre"] <= 1
    assert main(["analyze", "wm-probe", "--run", str(run), "-o", "sequences=8", "-o", "examples=3"]) == 0
    summary = json.loads((run / "analysis" / "wm-probe" / "summary.json").read_text())
    assert 0 <= summary["zeroing"][next(iter(summary["zeroing"]))]["accuracy"] <= 1


def test_bio_train_runs(tmp_path):
    run = tmp_path / "bio"
    assert main(["train", *TINY, "--model", "bio", "--stimulus-ms", "20", "--generations", "1",
                 "--out", str(run)]) == 0
    assert (run / "models" / "neuron.py").exists()


def test_replay_and_check_rule(tmp_path, capsys):
    from pdlf_brian.genome import GenomeLayout
    layout = GenomeLayout([("in", 3, 4), ("out", 4, 1)], ("eta", "A", "B", "C", "D"))
    np.save(tmp_path / "g.npy", np.random.default_rng(0).normal(0, 0.5, layout.size))
    np.save(tmp_path / "x.npy", np.random.default_rng(1).normal(0, 1, (6, 3)))
    assert main(["replay", "--genome", str(tmp_path / "g.npy"), "--inputs", str(tmp_path / "x.npy"),
                 "--hidden", "4", "--outputs", "1", "--out", str(tmp_path / "t.npz")]) == 0
    assert np.load(tmp_path / "t.npz")["w1"].shape == (6, 3, 4)
    assert main(["check-rule", "scp+pdp"]) == 0
    assert "scp+pdp: ok" in capsys.readouterr().out
