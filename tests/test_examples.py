"""Every example in examples/ runs with --quick (as a user would: a fresh working directory) and writes its
figure.  (The synaptic-theory example has its own test with its key numbers.)"""
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIGURES = {"evolve_bio_wm.py": "runs/example_bio_wm_quick/evolution.png",
           "stdp_vs_pdlf.py": "runs/example_stdp_vs_pdlf_quick/stdp_vs_pdlf.png",
           "replay_bio_controller.py": "runs/example_replay_quick/replay_raster.png"}


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs_quick_and_draws_its_figure(tmp_path, script):
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), "--quick"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / FIGURES[script]).stat().st_size > 10_000


def test_bio_wm_example_states_the_default_protocol():
    """examples/evolve_bio_wm.py spells its settings out as constants for the reader; they must be those of
    `pdlf train --task wm --model bio` (config.BIO_WM_DEFAULTS), or the example and the docs drift apart."""
    import ast
    from pdlf_brian.config import BIO_WM_DEFAULTS
    tree = ast.parse((EXAMPLES / "evolve_bio_wm.py").read_text())
    consts = {}
    for node in tree.body:                          # NAME = value and A, B = x, y at module level
        if isinstance(node, ast.Assign):
            target, value = node.targets[0], node.value
            pairs = zip(target.elts, value.elts) if isinstance(value, ast.Tuple) else [(target, value)]
            consts.update({n.id: v.value for n, v in pairs if isinstance(n, ast.Name) and isinstance(v, ast.Constant)})
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    config_kw = {k.arg: k.value for n in calls if getattr(n.func, "id", "") == "Config" for k in n.keywords}
    backend_kw = {k.arg: k.value for n in calls if n.args and getattr(n.args[0], "value", "") == "--backend"
                  for k in n.keywords}
    stated = {"wm_context": consts["CONTEXT"], "pop": consts["POPULATION"], "generations": consts["GENERATIONS"],
              "sequences": consts["SEQUENCES"], "sigma0": config_kw["sigma0"].value,
              "backend": backend_kw["default"].value}
    assert "test_sequences" not in config_kw or ast.unparse(config_kw["test_sequences"]).endswith("else 512")
    assert stated == {k: BIO_WM_DEFAULTS[k] for k in stated}


def test_every_example_is_tested():
    tested = set(FIGURES) | {"synaptic_theory_wm.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} <= tested
