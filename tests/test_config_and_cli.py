import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numpy_reference import run_controller
from pdlf_brian.cli import main
from pdlf_brian.config import Config, ConfigError
from pdlf_brian.genome import GenomeLayout


@pytest.mark.parametrize("key,value,pattern", [
    ("task", "maze", "'task': unknown value 'maze'"), ("model", "lif", "'model'"),
    ("backend", "jax", "'backend'"), ("sharing", "neuron", "'sharing'"), ("pop", -4, "'pop'"),
    ("generations", 0, "'generations'"), ("hidden", 0, "'hidden'"), ("sigma0", 0.0, "'sigma0'"),
    ("rule", "hebb", "'rule': unknown rule 'hebb'"), ("length", 2.5, "'length'"),
    ("neuron", "adex", "'neuron': 'adex' applies to the bio model"),   # the default model is reference
])
def test_config_rejects_bad_values(key, value, pattern):
    with pytest.raises(ConfigError, match=pattern):
        Config(**{key: value}).validate()


def test_bio_time_steps_must_divide_the_stimulus_and_the_environment_step():
    with pytest.raises(ConfigError, match="'stimulus_ms': 200.5 ms is not a whole number of time steps"):
        Config(model="bio", stimulus_ms=200.5).validate()
    with pytest.raises(ConfigError, match="'env_step_ms': 20.0 ms is not a whole number"):
        Config(model="bio", task="ant_dir", env_step_ms=20.0, dt_ms=0.3).validate()
    assert Config(model="bio", stimulus_ms=20.0, dt_ms=0.1).validate()   # 200 steps, despite 20 / 0.1's rounding


def test_config_checks_per_layer_sharing_against_the_topology():
    assert Config(sharing="post,out=synapse").validate().topology == "rec"
    with pytest.raises(ConfigError, match="'sharing': layer 'rec' is not a plastic layer of topology 'ff'"):
        Config(sharing="post,rec=synapse", topology="ff").validate()
    with pytest.raises(ConfigError, match="'sharing': 'in=post,out=synapse' leaves layer.*rec"):
        Config(sharing="in=post,out=synapse").validate()


def test_config_rejects_unknown_keys_and_round_trips(tmp_path):
    with pytest.raises(ConfigError, match="unknown config key.*popsize"):
        Config.from_dict({"popsize": 3})
    cfg = Config(pop=7, seed=3)
    cfg.save(tmp_path / "c.json")
    assert Config.load(tmp_path / "c.json") == cfg.validate()
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.load(tmp_path / "bad.json")


@pytest.mark.parametrize("argv,pattern", [
    (["--task", "maze"], "config key 'task'"), (["--rule", "hebb"], "unknown rule 'hebb'"),
    (["--backend", "jax"], "config key 'backend'"), (["--model", "lif"], "config key 'model'"),
    (["--pop", "-3"], "config key 'pop'"), (["--hidden", "0"], "config key 'hidden'"),
    (["--neuron", "nosuch"], "config key 'neuron'"),    # was accepted, and ignored, for the reference model
])
def test_cli_bad_input_is_one_line_before_any_work(tmp_path, argv, pattern):
    out = tmp_path / "run"
    # Brian2 itself says at import when its code cache is over 1 GB (two lines); that notice is not ours
    (tmp_path / "brian_preferences").write_text("codegen.max_cache_dir_size = 0\n")
    proc = subprocess.run([sys.executable, "-m", "pdlf_brian.cli", "train", *argv, "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and pattern in lines[0], proc.stderr
    assert not out.exists(), "nothing may be written before the settings are valid"


def test_cli_broken_rule_file(tmp_path):
    rule = tmp_path / "broken.py"
    rule.write_text('NAME = "b"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre * nope"\n')
    assert main(["train", "--rule", str(rule), "--out", str(tmp_path / "r")]) == 2


def test_replay_matches_independent_numpy(tmp_path):
    rng = np.random.default_rng(5)
    n_in, H, M, T = 5, 6, 2, 25
    layout = GenomeLayout([("in", n_in, H), ("out", H, M)], ("eta", "A", "B", "C", "D"))
    genome = rng.normal(0, 0.6, layout.size)
    x = rng.normal(0, 1.5, (T, n_in))
    np.save(tmp_path / "g.npy", genome)
    np.save(tmp_path / "x.npy", x)
    code = main(["replay", "--model", "reference", "--genome", str(tmp_path / "g.npy"), "--inputs",
                 str(tmp_path / "x.npy"), "--hidden", str(H), "--outputs", str(M), "--out", str(tmp_path / "t.npz")])
    assert code == 0
    got = np.load(tmp_path / "t.npz")
    assert got["actions"].shape == (T, M) and got["w1"].shape == (T, n_in, H)
    assert got["w2"].shape == (T, H, M) and got["spikes"].shape == (T, H)
    d = layout.decode(genome)
    acts, spikes, w1, w2 = run_controller(x, {k: v[0] for k, v in d["in"].items()},
                                          {k: v[0] for k, v in d["out"].items()})
    for key, want in (("actions", acts), ("spikes", spikes), ("w1", w1), ("w2", w2)):
        np.testing.assert_allclose(got[key], want, atol=1e-9, err_msg=key)


def test_replay_per_layer_sharing_matches_numpy_with_hand_broadcast_coefficients(tmp_path):
    """'post,out=synapse' through the Brian2 network: the input layer's 5 x H numbers are broadcast
    over the presynaptic rows by hand here, the readout's 5 x H x M are read row-major."""
    rng = np.random.default_rng(11)
    n_in, H, M, T = 3, 4, 2, 20
    coef = ("eta", "A", "B", "C", "D")
    genome = rng.normal(0, 0.6, 5 * H + 5 * H * M)
    x = rng.normal(0, 1.5, (T, n_in))
    np.save(tmp_path / "g.npy", genome)
    np.save(tmp_path / "x.npy", x)
    assert main(["replay", "--genome", str(tmp_path / "g.npy"), "--inputs", str(tmp_path / "x.npy"),
                 "--hidden", str(H), "--outputs", str(M), "--sharing", "post,out=synapse",
                 "--out", str(tmp_path / "t.npz")]) == 0
    got = np.load(tmp_path / "t.npz")
    c1 = {c: np.tile(genome[k * H:(k + 1) * H], (n_in, 1)) for k, c in enumerate(coef)}
    tail = genome[5 * H:]
    c2 = {c: tail[k * H * M:(k + 1) * H * M].reshape(H, M) for k, c in enumerate(coef)}
    acts, spikes, w1, w2 = run_controller(x, c1, c2)
    for key, want in (("actions", acts), ("spikes", spikes), ("w1", w1), ("w2", w2)):
        np.testing.assert_allclose(got[key], want, atol=1e-9, err_msg=key)


def test_replay_rejects_wrong_genome_size(tmp_path):
    np.save(tmp_path / "g.npy", np.zeros(7))
    np.save(tmp_path / "x.npy", np.zeros((4, 3)))
    assert main(["replay", "--genome", str(tmp_path / "g.npy"), "--inputs", str(tmp_path / "x.npy"),
                 "--hidden", "4", "--outputs", "1", "--out", str(tmp_path / "t.npz")]) == 2


def test_flags_after_config_get_the_defaults_of_their_model(tmp_path):
    """`--config f --model bio`: the keys f does not set take the biological model's defaults (they once
    kept the reference model's, e.g. wm_context 'none', with which the bio model learns nothing)."""
    from pdlf_brian.cli import _parser, train_config
    from pdlf_brian.config import BIO_WM_DEFAULTS

    f = tmp_path / "c.json"
    f.write_text(json.dumps({"task": "wm", "length": 4, "seed": 3}))
    cfg = train_config(_parser().parse_args(["train", "--config", str(f), "--model", "bio", "--out", str(tmp_path / "r")]))
    assert (cfg.model, cfg.length, cfg.seed) == ("bio", 4, 3)
    assert {k: getattr(cfg, k) for k in BIO_WM_DEFAULTS} == BIO_WM_DEFAULTS
    f.write_text(json.dumps({"task": "wm", "model": "bio", "pop": 8}))
    cfg = train_config(_parser().parse_args(["train", "--config", str(f), "--out", str(tmp_path / "r")]))
    assert cfg.pop == 8 and cfg.wm_context == BIO_WM_DEFAULTS["wm_context"]
    f.write_text(json.dumps({"rule": "stdp"}))  # valid only with the flag: stdp is a bio rule
    cfg = train_config(_parser().parse_args(["train", "--config", str(f), "--model", "bio", "--out", str(tmp_path / "r")]))
    assert (cfg.rule, cfg.model) == ("stdp", "bio")
    f.write_text(json.dumps({"task": "wm", "hiden": 8}))
    with pytest.raises(ConfigError, match=f"config file {f}: unknown config key.* hiden"):
        train_config(_parser().parse_args(["train", "--config", str(f), "--out", str(tmp_path / "r")]))
    f.write_text(json.dumps({"task": "wm", "hidden": -1}))  # a bad value from the file names the file
    with pytest.raises(ConfigError, match=f"config file {f}: config key 'hidden'"):
        train_config(_parser().parse_args(["train", "--config", str(f), "--out", str(tmp_path / "r")]))
    with pytest.raises(ConfigError, match="^config key 'hidden'"):  # ... and one from a flag does not
        train_config(_parser().parse_args(["train", "--config", str(f), "--hidden", "-2", "--out", str(tmp_path / "r")]))


def test_cuda_without_brian2cuda_or_gpu_is_one_line_and_writes_nothing(tmp_path, capsys):
    """--backend cuda where it cannot run: one line saying why, before the run directory is made (it used
    to come after config.json, the rule files and the genome layout had been written)."""
    from pdlf_brian.evaluate import check_backend_available
    try:
        check_backend_available("cuda")
    except ConfigError:
        pass
    else:
        pytest.skip("brian2cuda and a GPU are here: --backend cuda runs")
    out = tmp_path / "run"
    assert main(["train", "--task", "wm", "--hidden", "3", "--len", "2", "--lat", "1", "--pop", "3",
                 "--generations", "1", "--backend", "cuda", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "config key 'backend'" in err, err
    assert not out.exists()


def test_a_failed_worker_is_one_line_with_its_exception(monkeypatch, capsys):
    """A worker's failure reaches the user as one line ending in the worker's own exception (it was a
    traceback of the main process, with the worker's traceback inside it)."""
    from pdlf_brian import cli
    from pdlf_brian.parallel import WorkerError

    def fail(args):
        raise WorkerError("worker 1 failed:\nTraceback (most recent call last):\n  File \"x.py\", line 3\n"
                          "ValueError: the rule diverged in a way nobody foresaw\n")
    monkeypatch.setattr(cli, "_train", fail)
    assert main(["train", "--out", "unused"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "worker 1 failed" in err and "ValueError: the rule diverged in a way nobody foresaw" in err


@pytest.mark.parametrize("argv,pattern", [(["wm", "--rounds", "0"], "--rounds must be at least 1"),
                                          (["wm", "--pop", "0"], "--pop must be at least 1")])
def test_bench_bad_counts_are_one_line(argv, pattern, capsys):
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and pattern in err, err


def test_memory_estimate_counts_the_networks_and_every_process():
    """1,024 genomes x 32 sequences of the WM default: 1,728 MiB of synapses (measured 1,963 MiB resident
    with the interpreter, docs/benchmarks.md), plus one process per worker and the main process."""
    from pdlf_brian.evaluate import BYTES_PER_PROCESS, memory_estimate
    one = memory_estimate(Config(pop=1023, sequences=32).validate())
    assert one / 2**20 == 1728 + BYTES_PER_PROCESS / 2**20
    two = memory_estimate(Config(pop=1023, sequences=32, workers=2).validate())
    assert two - one == 2 * BYTES_PER_PROCESS          # two workers and the main process, against one process


@pytest.mark.parametrize("settings,key", [(dict(task="swimmer_dir", length=16), "length"),
                                          (dict(task="ant_dir", sequences=4), "sequences"),
                                          (dict(task="wm", episode_steps=10), "episode_steps"),
                                          (dict(task="wm", actuators="brax"), "actuators"),
                                          (dict(task="hopper_vel", stimulus_ms=50.0), "stimulus_ms"),
                                          (dict(task="wm", dt_ms=0.5), "dt_ms"),
                                          (dict(task="wm", model="bio", env_step_ms=7.0), "env_step_ms")])
def test_a_key_the_run_never_reads_is_refused(settings, key):
    """`--len 16` on an RL task was stored and ignored, and then blocked a resume without it.  Now one
    line naming the key; the same key where it applies is accepted."""
    with pytest.raises(ConfigError, match=f"config key '{key}': .* does not use it: leave it out"):
        Config(**settings).validate()
    uses = {"length": "wm", "sequences": "wm", "episode_steps": "ant_dir", "actuators": "ant_dir"}
    fixed = dict(settings, task=uses.get(key, settings["task"]))
    if key in ("stimulus_ms", "dt_ms", "env_step_ms"):
        fixed.update(model="bio", task="ant_dir" if key == "env_step_ms" else "wm")
    Config(**fixed).validate()


def test_bench_wm_measures_the_shape_it_is_given(capsys):
    assert main(["bench", "wm", "--model", "bio", "--backend", "numpy", "--pop", "3", "--sequences", "1", "--rounds", "1",
                 "--hidden", "3", "--len", "2", "--lat", "1", "--stimulus-ms", "20", "--sharing", "post,in=pre",
                 "--topology", "rec", "--wm-context", "none"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "sharing post,in=pre, topology rec, context none" in lines[0], lines[0]
    assert lines[-1] == "ratio=1.000"      # one backend: first / last is itself


def _failing_brian2_network(kind):
    """A real Brian2 error of each shape: a function that raises inside generated code (one
    BrianObjectException around the ZeroDivisionError), and synapses never connected (two nested ones
    around a TypeError: the object's preparation inside the network's)."""
    import brian2

    if kind == "function":
        @brian2.check_units(x=1, result=1)
        def boom(x):
            return 1 / 0

        group = brian2.NeuronGroup(2, "v : 1", name="pdlf_hidden")
        group.run_regularly("v = boom(v)", dt=1 * brian2.ms, name="pdlf_hidden_rule",
                            codeobj_class=brian2.NumpyCodeObject)
        group.namespace["boom"] = brian2.Function(boom, arg_units=[1], return_unit=1)
        return brian2.Network(group)
    group = brian2.NeuronGroup(2, "v : 1", threshold="v > 1", name="pdlf_hidden")
    return brian2.Network(group, brian2.Synapses(group, group, "w : 1", on_pre="v += w", name="pdlf_syn_rec"))


@pytest.mark.parametrize("kind,expected", [
    ("function", ["'pdlf_hidden'", "v = boom(v)", "ZeroDivisionError: division by zero"]),
    ("nested", ["'pdlf_syn_rec_pre'", "TypeError: Synapses object 'pdlf_syn_rec' does not do anything"])])
def test_a_brian2_failure_inside_a_run_is_one_line_naming_the_object(tmp_path, monkeypatch, capsys, kind, expected):
    """An error Brian2 raises while the network runs, which no check caught first, was a page of
    traceback and creation stack ending in 'see above'; now one line with Brian2's innermost object, the
    line it ran and the original error, and how to go on from the intact checkpoint.  An error of our own
    stays a traceback."""
    import brian2

    out = tmp_path / "r"
    tiny = ["train", "--task", "wm", "--hidden", "3", "--len", "2", "--lat", "1", "--pop", "3", "--sequences", "2",
            "--test-sequences", "4", "--quiet", "--out", str(out)]
    assert main([*tiny, "--generations", "1"]) == 0
    real_run = brian2.Network.run

    def failing_run(self, *args, **kwargs):   # the evaluator's run meets a real Brian2 error
        real_run(_failing_brian2_network(kind), 2 * brian2.ms)

    monkeypatch.setattr(brian2.Network, "run", failing_run)
    assert main([*tiny, "--generations", "2", "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err
    assert all(e in err[0] for e in expected) and "--debug" in err[0], err[0]
    assert f"pdlf train --out {out} --resume" in err[1]

    def our_bug(self, *args, **kwargs):
        raise AttributeError("a bug of pdlf's own")

    monkeypatch.setattr(brian2.Network, "run", our_bug)
    with pytest.raises(AttributeError, match="a bug of pdlf's own"):
        main([*tiny, "--generations", "2", "--resume"])


@pytest.mark.slow
def test_a_failed_compilation_is_one_line_and_keeps_the_code(tmp_path, capsys):
    """cpp_standalone's own failures (Brian2 raises a RuntimeError after the compiler's messages) were a
    traceback; now one line after the compiler's output, and the generated code stays for reading.  The
    failure is real: make is given an option it does not know."""
    from brian2 import prefs

    old = prefs.devices.cpp_standalone.extra_make_args_unix
    prefs.devices.cpp_standalone.extra_make_args_unix = ["--no-such-make-option"]
    try:
        code = main(["train", "--task", "wm", "--backend", "cpp", "--hidden", "3", "--len", "2", "--lat", "1",
                     "--pop", "3", "--sequences", "2", "--generations", "1", "--quiet", "--out", str(tmp_path / "r")])
    finally:
        prefs.devices.cpp_standalone.extra_make_args_unix = old
        from brian2 import set_device
        set_device("runtime")
    assert code == 2
    err = [l for l in capsys.readouterr().err.strip().splitlines() if l.startswith("pdlf:")]
    line = [l for l in err if "error" in l]
    assert len(line) == 1, err
    assert line[0].startswith("pdlf: error: Brian2's compiled code failed: Project compilation failed (error code:")
    assert "(the compiler's messages are above) (--debug shows the traceback)" in line[0]
    kept = [l for l in err if "its code stays in" in l]
    assert kept and (Path(kept[0].rsplit(" ", 1)[1]) / "code").is_dir(), err
