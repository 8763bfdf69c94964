"""Every example in examples/ runs with --quick (as a user would: a fresh working directory) and writes its
figure.  (The synaptic-theory example has its own test with its key numbers.)"""
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIGURES = {"evolve_bio_wm.py": "runs/example_bio_wm/evolution.png",
           "stdp_vs_pdlf.py": "runs/example_stdp_vs_pdlf/stdp_vs_pdlf.png",
           "replay_bio_controller.py": "runs/example_replay_quick/replay_raster.png"}


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs_quick_and_draws_its_figure(tmp_path, script):
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), "--quick"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / FIGURES[script]).stat().st_size > 10_000


def test_every_example_is_tested():
    tested = set(FIGURES) | {"synaptic_theory_wm.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} <= tested
