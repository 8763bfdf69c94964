"""pdlf export: a plain-Brian2 script that reproduces pdlf replay of the evolved genome."""
import ast
import subprocess
import sys

import numpy as np
import pytest

from pdlf_brian.cli import main, replay


@pytest.mark.parametrize("sharing,topology,normalise", [("post", "rec", "layer"), ("synapse", "ff", "layer"),
                                                        ("synapse", "rec", "post")])
def test_exported_script_reproduces_replay(tmp_path, sharing, topology, normalise):
    run = tmp_path / "run"
    assert main(["train", "--task", "wm", "--hidden", "4", "--len", "3", "--lat", "1", "--sequences", "4",
                 "--test-sequences", "8", "--pop", "4", "--generations", "2", "--sigma0", "0.5",
                 "--sharing", sharing, "--topology", topology, "--normalise", normalise, "--out", str(run),
                 "--quiet"]) == 0
    script = tmp_path / "agent.py"
    assert main(["export", "--run", str(run), "--out", str(script)]) == 0
    imported = set()
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"brian2", "numpy", "sys"}, imported
    x = np.random.default_rng(1).uniform(-1, 1, (30, 3))
    np.save(tmp_path / "x.npy", x)
    # run it outside the package's tree, as a user would
    subprocess.run([sys.executable, str(script), str(tmp_path / "x.npy"), str(tmp_path / "o.npz")],
                   check=True, cwd=tmp_path, timeout=300, capture_output=True)
    got = np.load(tmp_path / "o.npz")
    want = replay("reference", "scp+pdp", sharing, topology, "numpy", np.load(run / "genome_centre.npy"), x, 4, 1,
                  normalise)
    if normalise == "post":   # the exported script's E6 is the run's: each hidden neuron's max |w_in| is 1
        assert np.allclose(np.abs(got["w1"][-1]).max(axis=0)[np.abs(got["w1"][-1]).max(axis=0) > 0], 1.0)
        assert "E6 per post" in script.read_text()
    for key in ("actions", "w1", "w2", "spikes"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-12, err_msg=key)
    np.testing.assert_array_equal(got["readout"], got["actions"])  # working memory: the readout is the answer
    assert np.abs(want["w1"]).max() > 0, "the genome is plastic: the weights move"


@pytest.mark.parametrize("actuators", ["gym", "brax"])
def test_an_exported_rl_agent_normalises_and_acts_as_in_training(tmp_path, actuators):
    """A closed-loop run's script holds the run's frozen observation statistics and its readout -> action
    map (tanh, then the action bounds): its actions were the raw readout, up to 1.4 on swimmer, and it
    took no raw observations."""
    import json
    from pdlf_brian.closed_loop import ObsNormaliser
    run = tmp_path / "run"
    assert main(["train", "--task", "swimmer_dir", "--hidden", "4", "--pop", "4", "--generations", "1",
                 "--episode-steps", "10", "--tasks-per-eval", "1", "--backend", "numpy", "--sigma0", "2",
                 "--actuators", actuators, "--out", str(run), "--quiet"]) == 0
    script = tmp_path / "agent.py"
    assert main(["export", "--run", str(run), "--out", str(script)]) == 0
    cfg = json.loads((run / "config.json").read_text())
    obs = np.random.default_rng(2).normal(0, 3, (25, 9))   # raw observations, the task value included
    np.save(tmp_path / "obs.npy", obs)
    subprocess.run([sys.executable, str(script), "--observations", str(tmp_path / "obs.npy"), str(tmp_path / "o.npz")],
                   check=True, cwd=tmp_path, timeout=300, capture_output=True)
    got = np.load(tmp_path / "o.npz")
    state = json.loads((run / "obs_stats.json").read_text())
    norm = ObsNormaliser(9, raw_last=state["raw_last"])
    norm.load_state_dict(state)
    want = replay("reference", cfg["rule"], cfg["sharing"], cfg["topology"], "numpy",
                  np.load(run / "genome_centre.npy"), norm(obs), 4, 2)
    np.testing.assert_allclose(got["readout"], want["actions"], rtol=1e-12, atol=1e-12)
    # Brax's actuators are unbounded (the script's bounds are inf): the tanh alone bounds the actions
    np.testing.assert_allclose(got["actions"], np.clip(np.tanh(want["actions"]), -1, 1), rtol=1e-12, atol=1e-12)
    assert np.abs(got["readout"]).max() > 1 >= np.abs(got["actions"]).max()


def test_export_refuses_unfinished_or_foreign_runs(tmp_path, capsys):
    assert main(["export", "--run", str(tmp_path), "--out", str(tmp_path / "a.py")]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_export_names_a_corrupt_genome_file(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", "--task", "wm", "--hidden", "3", "--len", "2", "--lat", "1", "--sequences", "2",
                 "--test-sequences", "2", "--pop", "3", "--generations", "1", "--quiet", "--out", str(run)]) == 0
    np.save(run / "genome_centre.npy", np.array([{"not": "numbers"}], dtype=object), allow_pickle=True)
    capsys.readouterr()
    assert main(["export", "--run", str(run), "--out", str(tmp_path / "a.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "genome_centre.npy cannot be read as an array of numbers" in err[0], err


def test_export_refuses_a_run_that_started_from_drawn_weights(tmp_path, capsys):
    """The exported script starts every weight at zero: a run trained from drawn initial weights would
    be exported as another agent, so it is refused in one line naming them."""
    run = tmp_path / "r"
    assert main(["train", "--task", "wm", "--hidden", "3", "--len", "2", "--lat", "1", "--sequences", "2",
                 "--test-sequences", "2", "--pop", "3", "--generations", "1", "--init-weights", "uniform:0,1",
                 "--quiet", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["export", "--run", str(run), "--out", str(tmp_path / "a.py")]) == 2
    err = capsys.readouterr().err
    assert "uniform:0,1" in err and "init_weights" in err and not (tmp_path / "a.py").exists()
