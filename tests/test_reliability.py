"""Issue 12: exact resume, one process per run directory, resume refuses edited inputs, one-line errors.

Each test here failed on main at f720f09 (before the fix it guards)."""
import csv
import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest

from pdlf_brian import evolve
from pdlf_brian.cli import main
from pdlf_brian.config import Config, ConfigError
from pdlf_brian.evolve import FAULT_STAGES, SimulatedCrash, Trainer
from pdlf_brian.rundir import RunDirError

# small, but with a genome of >= 300 numbers (305): pycma then adapts its step size by TPA, whose
# consistency check draws from NumPy's global generator between the samples (what made resumed runs
# diverge while the ES drew from the global generator)
SMALL = dict(hidden=30, length=3, latency=1, sequences=4, test_sequences=8, pop=6, sigma0=0.5)
FLAGS = ["--task", "wm", "--hidden", "4", "--len", "3", "--lat", "1", "--sequences", "4",
         "--test-sequences", "8", "--pop", "4", "--sigma0", "0.5", "--quiet"]


def progress(run):
    with open(run / "progress.csv") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def finished(run):
    return progress(run), np.load(run / "genome_centre.npy"), json.loads((run / "result.json").read_text())


def same(a, b):
    assert a[0] == b[0], "progress.csv differs"
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2]["score_centre"] == b[2]["score_centre"] and a[2]["score_best"] == b[2]["score_best"]


@pytest.fixture(scope="module", params=[500, 0], ids=["full-cma", "separable-cma"])
def uninterrupted(request, tmp_path_factory):
    cfg = dict(SMALL, separable_above=request.param, seed=11)
    run = tmp_path_factory.mktemp("full") / "run"
    Trainer(Config(generations=9, **cfg), run, quiet=True).run()
    return cfg, finished(run)


def test_extending_a_run_equals_the_uninterrupted_run(uninterrupted, tmp_path):
    """The issue's repro: 3 generations, extended to 9, against 9 (pycma's bound np.random.randn
    made the extended run diverge at its first eigendecomposition)."""
    cfg, want = uninterrupted
    Trainer(Config(generations=3, **cfg), tmp_path / "r", quiet=True).run()
    Trainer(Config(generations=9, **cfg), tmp_path / "r", resume=True, quiet=True).run()
    same(finished(tmp_path / "r"), want)


def test_an_interrupted_extension_does_not_look_finished(uninterrupted, tmp_path, monkeypatch):
    """Extending a finished run, then a crash mid-extension: the shorter run's genome and result.json
    would make the directory look finished (analyses and the grids would read the old centre under the
    new config); they are removed when the extension starts, and its resume finishes as uninterrupted."""
    from pdlf_brian.analysis.common import load_run
    cfg, want = uninterrupted
    run = tmp_path / "r"
    Trainer(Config(generations=3, **cfg), run, quiet=True).run()
    monkeypatch.setenv("PDLF_TEST_FAULT", "evaluate:5")
    with pytest.raises(SimulatedCrash):
        Trainer(Config(generations=9, **cfg), run, resume=True, quiet=True).run()
    for name in evolve.FINAL_OUTPUTS:
        assert not (run / name).exists(), name
    with pytest.raises(FileNotFoundError, match="has not finished"):
        load_run(run)
    monkeypatch.delenv("PDLF_TEST_FAULT")
    Trainer(Config(generations=9, **cfg), run, resume=True, quiet=True).run()
    same(finished(run), want)


@pytest.mark.parametrize("stage", FAULT_STAGES)
def test_a_crash_at_any_stage_then_resume_equals_the_uninterrupted_run(uninterrupted, tmp_path, monkeypatch,
                                                                        stage):
    """A process that dies (here: stops dead at the injection point, leaving its files as a kill would)
    during generation 4's evaluation, after its tell, after the checkpoint's temporary file, between the
    two renames, or before progress.csv, resumes to exactly the uninterrupted run."""
    cfg, want = uninterrupted
    run = tmp_path / "r"
    monkeypatch.setenv("PDLF_TEST_FAULT", f"{stage}:4")
    with pytest.raises(SimulatedCrash):
        Trainer(Config(generations=9, **cfg), run, quiet=True).run()
    assert not (run / "result.json").exists()
    monkeypatch.delenv("PDLF_TEST_FAULT")
    Trainer(Config(generations=9, **cfg), run, resume=True, quiet=True).run()
    same(finished(run), want)


def test_a_second_process_on_a_run_directory_is_refused(tmp_path, capsys):
    first = Trainer(Config(generations=2, seed=1, **SMALL), tmp_path / "r", quiet=True)
    with pytest.raises(RunDirError, match=r"is in use by process \d+"):
        Trainer(Config(generations=2, seed=2, **SMALL), tmp_path / "r", quiet=True)
    assert main(["train", *FLAGS, "--generations", "2", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is in use by process" in err[0]
    first.run()  # the first one goes on undisturbed
    assert json.loads((tmp_path / "r" / "result.json").read_text())["seed"] == 1


def test_a_lock_left_by_a_killed_process_does_not_block_its_resume(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    run = tmp_path / "r"
    # numpy: these are processes of their own, which would compile the Cython modules from a cold cache
    # (a minute of CI's time); the lock does not depend on the target
    cli = [sys.executable, "-m", "pdlf_brian.cli", "train", *FLAGS, "--generations", "5", "--seed", "3",
           "--backend", "numpy"]
    proc = subprocess.Popen([*cli, "--out", str(run)])
    deadline = time.time() + 240
    while time.time() < deadline and not (run / "progress.csv").exists():
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (run / ".lock").exists()
    assert subprocess.run([*cli, "--out", str(run), "--resume"], timeout=300).returncode == 0
    subprocess.run([*cli, "--out", str(tmp_path / "full")], check=True, timeout=300)
    assert progress(run) == progress(tmp_path / "full")


def test_resume_refuses_an_edited_config(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--generations", "2", "--out", str(run)]) == 0
    text = (run / "config.json").read_text()
    (run / "config.json").write_text(text.replace('"latency": 1', '"latency": 3'))
    assert main(["train", "--out", str(run), "--resume", "--generations", "4", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config key 'latency' (1 -> 3)" in err[0], err
    assert json.loads((run / "result.json").read_text())["latency"] == 1, "nothing was overwritten"


RULE = '''NAME = "mine"
COEFFICIENTS = ("eta", "A", "D")
DISCRETE = "eta * (A * pre * post + D)"
'''


def test_resume_refuses_an_edited_rule_and_a_relative_rule_path_survives_a_change_of_directory(
        tmp_path, monkeypatch, capsys):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    (tmp_path / "work" / "mine.py").write_text(RULE)
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--rule", "mine.py", "--generations", "2", "--out", str(run)]) == 0
    saved = (run / "models" / "rule.py").read_text()
    assert "eta * (A * pre * post + D)" in saved
    stored = json.loads((run / "config.json").read_text())["rule"]
    assert os.path.isabs(stored), "a relative --rule path is stored absolute"
    monkeypatch.chdir(tmp_path)  # resume from another directory
    assert main(["train", "--out", str(run), "--resume", "--generations", "3", "--quiet"]) == 0
    (tmp_path / "work" / "mine.py").write_text(RULE.replace("A * pre * post + D", "A * pre * post - D"))
    assert main(["train", "--out", str(run), "--resume", "--generations", "4", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the rule (its equations or constants differ" in err[0], err
    # the run's own copy reproduces the run
    os.remove(tmp_path / "work" / "mine.py")
    assert main(["train", "--out", str(run), "--resume", "--generations", "4", "--quiet"]) == 0


def test_a_plastic_rule_may_not_evolve_w(tmp_path, capsys):
    rule = tmp_path / "w.py"
    rule.write_text('NAME = "w"\nCOEFFICIENTS = ("w", "eta")\nDISCRETE = "eta * pre * post"\n')
    assert main(["check-rule", str(rule)]) == 1
    assert main(["train", *FLAGS, "--rule", str(rule), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "coefficient 'w' is the weight itself" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("argv,pattern", [
    (["--pop", "2"], "config key 'pop': must be an integer >= 3"),
    (["--sigma0", "inf"], "config key 'sigma0': must be a positive finite number"),
    (["--pop", "100000000000"], "GiB (estimated), more than the"),
    (["--resume"], "holds no checkpoint"),
    (["--seed", "4294967295"], "config key 'seed': must be an integer from 0 to 4294967294"),
])
def test_bad_settings_are_one_line_before_any_work(tmp_path, capsys, argv, pattern):
    out = tmp_path / "r"
    assert main(["train", *FLAGS, "--generations", "1", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and pattern in err[0], err
    assert not (out / "checkpoint.pkl").exists()


def test_bad_paths_are_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = [(["--out", str(tmp_path / "file")], "is a file, not a directory"),
             (["--out", ""], "give a run directory"),
             (["--config", str(tmp_path), "--out", str(tmp_path / "a")], "is a directory; give the config.json"),
             (["--config", str(tmp_path / "none.json"), "--out", str(tmp_path / "b")], "cannot be read")]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append((["--out", str(locked / "r")], "is not writable"))
    for argv, pattern in cases:
        assert main(["train", *FLAGS, "--generations", "1", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and pattern in err[0], (argv, err)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pop": -1}))
    assert main(["train", "--config", str(bad), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"pdlf: error: config file {bad}: config key 'pop'"), err


@pytest.mark.parametrize("coefficients,pattern", [
    ('("eta", "t")', "coefficient 't' is a name Brian2 or the package reserves"),
    ('("eta", "xi")', "coefficient 'xi' is a name"),
    ('("eta", "i")', "coefficient 'i' is a name"),
    ("5", "COEFFICIENTS must be a list of names"),
])
def test_bad_rule_files_are_one_line_in_train(tmp_path, capsys, coefficients, pattern):
    rule = tmp_path / "r.py"
    rule.write_text(f'NAME = "r"\nCOEFFICIENTS = {coefficients}\nDISCRETE = "eta * pre * post"\n')
    assert main(["train", *FLAGS, "--rule", str(rule), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and pattern in err[0], err


def test_huge_expressions_are_one_short_line(tmp_path, capsys):
    deep = tmp_path / "deep.py"
    deep.write_text('NAME = "deep"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "' + "(" * 300 + "eta * pre"
                    + ")" * 300 + '"\n')
    assert main(["train", *FLAGS, "--rule", str(deep), "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "rule 'deep'" in err[0]
    long = tmp_path / "long.py"
    long.write_text('NAME = "long"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "'
                    + " + ".join(f"eta * pre * post * {k}.0" for k in range(5000)) + ' + nope"\n')
    assert main(["train", *FLAGS, "--rule", str(long), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and len(err[0]) < 600 and "rule 'long'" in err[0], err[0][:300]
    # an expression sympy can parse, but with an unknown name: quoted, shortened
    mid = tmp_path / "mid.py"
    mid.write_text('NAME = "mid"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "'
                   + " + ".join(f"eta * pre * {k}.0" for k in range(200)) + ' + nope"\n')
    assert main(["train", *FLAGS, "--rule", str(mid), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and len(err[0]) < 600 and "unknown identifier(s) nope" in err[0], err[0][:300]
    assert "characters)" in err[0]


def test_a_full_disk_is_one_line_and_loses_nothing(tmp_path, monkeypatch, capsys):
    run = tmp_path / "r"
    real = evolve._atomic_pickle

    def full_disk(obj, path, generation=None):
        if generation == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(obj, path, generation)
    monkeypatch.setattr(evolve, "_atomic_pickle", full_disk)
    assert main(["train", *FLAGS, "--generations", "4", "--seed", "2", "--out", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "nothing was lost" in err[0], err
    monkeypatch.setattr(evolve, "_atomic_pickle", real)
    assert main(["train", "--out", str(run), "--resume", "--quiet"]) == 0
    assert main(["train", *FLAGS, "--generations", "4", "--seed", "2", "--out", str(tmp_path / "full")]) == 0
    assert progress(run) == progress(tmp_path / "full")


def test_ctrl_c_before_the_first_checkpoint_does_not_promise_a_resume(tmp_path, monkeypatch, capsys):
    import pdlf_brian.parallel as parallel

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(parallel, "make_parallel_evaluator", interrupted)
    assert main(["train", *FLAGS, "--generations", "2", "--out", str(tmp_path / "r")]) == 130
    err = capsys.readouterr().err
    assert "nothing to resume" in err and "--resume" not in err.replace("(without --resume)", "")


DIVIDES = '''NAME = "divides"
COEFFICIENTS = ("eta",)
DISCRETE = "eta / (pre - post)"
'''


def test_a_rule_that_divides_by_zero_at_run_time_diverges_and_never_crashes(tmp_path, capsys, monkeypatch):
    rule = tmp_path / "divides.py"
    rule.write_text(DIVIDES)
    assert main(["check-rule", str(rule)]) == 1
    assert "non-finite" in capsys.readouterr().err
    run = tmp_path / "r"
    monkeypatch.setenv("PDLF_TEST_FAULT", "checkpoint-write:1")
    with pytest.raises(SimulatedCrash):
        main(["train", *FLAGS, "--rule", str(rule), "--generations", "3", "--out", str(run)])
    monkeypatch.delenv("PDLF_TEST_FAULT")
    assert main(["train", "--out", str(run), "--resume", "--quiet"]) == 0
    lines = (run / "events.log").read_text().splitlines()
    generations = [line.split(":")[0] for line in lines if "diverged" in line]
    assert generations == ["generation 0", "generation 1", "generation 2"], lines  # once each, after a resume
    assert "diverged" in lines[0] and json.loads((run / "result.json").read_text())["score_centre"] == 0.0


def test_replay_refuses_non_finite_inputs(tmp_path, capsys):
    x = np.zeros((4, 3))
    x[2, 1] = np.nan
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "g.npy", np.zeros(5 * (3 * 4 + 4)))
    assert main(["replay", "--genome", str(tmp_path / "g.npy"), "--inputs", str(tmp_path / "x.npy"),
                 "--hidden", "4", "--outputs", "1", "--out", str(tmp_path / "t.npz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--inputs holds 1 non-finite value(s) (first at index (2, 1))" in err[0]


@pytest.mark.parametrize("task", ["halfcheetah_vel", "fetch"])
def test_environments_end_an_episode_on_a_nan_action_with_a_penalty(task):
    from pdlf_brian.tasks import make_env
    from pdlf_brian.tasks.base import INVALID_ACTION_PENALTY
    env = make_env(task)
    env.reset(seed=0)
    a = np.zeros(env.action_space.shape)
    a[0] = np.nan
    obs, r, terminated, truncated, info = env.step(a)
    assert terminated and not truncated and r == INVALID_ACTION_PENALTY and info["invalid_action"]
    assert np.all(np.isfinite(obs))


@pytest.mark.parametrize("task", ["wm", "swimmer_dir"])
def test_one_ctrl_c_inside_a_simulation_interrupts_it(tmp_path, monkeypatch, task):
    """Brian2 answers a first Ctrl+C by stopping the simulation and returning as if it had finished: an
    RL generation was then scored on cut-short episodes, saved and continued (exit 0, other numbers),
    and a WM run failed on its short readout.  A Ctrl+C now interrupts the command (exit 130), and the
    run resumes from its last generation."""
    import signal

    import brian2
    from pdlf_brian import closed_loop
    from pdlf_brian.builder import Controller
    # Brian2's handler passes a Ctrl+C on to the handler it found at import: in a suite started as a
    # background job that is "ignore" (the shell's choice, not ours); a terminal's Ctrl+C is what is tested
    monkeypatch.setattr(brian2._int_handler, "previous_handler", signal.default_int_handler)
    calls = {"n": 0}
    if task == "wm":
        original = Controller.set_genomes

        def set_genomes(self, genomes):   # in the 3rd evaluation, just before its run
            calls["n"] += 1
            original(self, genomes)
            if calls["n"] == 3:
                self.net.add(_sigint_after_one_step(self))
        monkeypatch.setattr(Controller, "set_genomes", set_genomes)
        argv = ["train", "--task", "wm", "--hidden", "3", "--len", "2", "--lat", "1", "--sequences", "2",
                "--test-sequences", "2", "--pop", "3", "--generations", "4", "--backend", "numpy"]
    else:
        original = closed_loop.EpisodeBatch.step

        def step(self, readout):          # step 4 of the 3rd episode batch
            calls["n"] += 1
            if calls["n"] == 2 * 10 + 4:
                os.kill(os.getpid(), signal.SIGINT)
            return original(self, readout)
        monkeypatch.setattr(closed_loop.EpisodeBatch, "step", step)
        argv = ["train", "--task", "swimmer_dir", "--hidden", "3", "--pop", "3", "--generations", "4",
                "--episode-steps", "10", "--tasks-per-eval", "1", "--backend", "numpy"]
    assert main([*argv, "--quiet", "--out", str(tmp_path / "r")]) == 130
    rows = list(csv.DictReader(open(tmp_path / "r" / "progress.csv")))
    assert len(rows) < 4 and not (tmp_path / "r" / "result.json").exists()
    from brian2 import prefs
    assert prefs.core.stop_on_keyboard_interrupt, "Brian2's own default is left as it was outside our runs"
    monkeypatch.undo()
    assert main(["train", *argv[1:], "--quiet", "--out", str(tmp_path / "r"), "--resume"]) == 0
    assert len(list(csv.DictReader(open(tmp_path / "r" / "progress.csv")))) == 4


def _sigint_after_one_step(net):
    import signal
    from brian2 import NetworkOperation
    fired = []

    def hit():
        if not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGINT)
    return NetworkOperation(hit, clock=net.clock("step", net.step), when="end")


def test_a_runs_copy_of_its_rule_edited_afterwards_is_refused(tmp_path, capsys):
    """DIR/models/rule.py is the run's record of what it ran: an edit to it got past --resume (which
    then trained with the original) and into export.  Both now refuse it in one line naming the file."""
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--generations", "2", "--out", str(run)]) == 0
    copy = run / "models" / "rule.py"
    text = copy.read_text()
    assert "DISCRETE = '(eta" in text
    copy.write_text(text.replace("DISCRETE = '(eta", "DISCRETE = '0.5 * (eta"))
    capsys.readouterr()
    for argv in (["train", "--out", str(run), "--resume", "--generations", "3", "--quiet"],
                 ["export", "--run", str(run), "--out", str(tmp_path / "a.py")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "rule.py was edited after the run started" in err[0], err
    assert not (tmp_path / "a.py").exists()
    again = ["train", "--config", str(run / "config.json"), "--generations", "1", "--quiet"]
    assert main([*again, "--out", str(tmp_path / "again")]) == 2  # the run's rule, as the run ran it: refused
    assert "rule.py was edited after the run started" in capsys.readouterr().err
    # another rule with the run's other settings does not use the run's rule: not refused
    assert main([*again, "--rule", "scp", "--out", str(tmp_path / "other")]) == 0
    assert "using the run's copy" not in capsys.readouterr().err  # nor said to be
    copy.write_text(text)                            # restored: usable again
    assert main(["export", "--run", str(run), "--out", str(tmp_path / "a.py")]) == 0
    (run / "models" / "digests.json").write_text("{broken")
    capsys.readouterr()
    assert main(["export", "--run", str(run), "--out", str(tmp_path / "b.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "digests.json cannot be read" in err[0], err


def test_rerunning_a_runs_config_uses_the_rule_it_ran(tmp_path, monkeypatch, capsys):
    """`pdlf train --config DIR/config.json` after the rule file was edited quietly ran the edited rule:
    it now runs the run's copy, with a note, and reproduces the run.  A relative --neuron path is stored
    absolute, as --rule's is (another folder's neuron.py is another neuron)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.py").write_text(RULE)
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--rule", "mine.py", "--generations", "2", "--out", str(run)]) == 0
    (tmp_path / "mine.py").write_text(RULE.replace("A * pre * post + D", "A * pre * post - D"))
    capsys.readouterr()
    assert main(["train", "--config", str(run / "config.json"), "--out", str(tmp_path / "again"), "--quiet"]) == 0
    assert "has changed since the run; using the run's copy" in capsys.readouterr().err
    assert progress(tmp_path / "again") == progress(run)
    from pdlf_brian.models import neurons
    (tmp_path / "cell.py").write_text((Path(neurons.__path__[0]) / "lif.py").read_text().replace('"lif"', '"cell"'))
    bio = ["--task", "wm", "--model", "bio", "--len", "2", "--lat", "1", "--stimulus-ms", "20", "--hidden", "3",
           "--pop", "3", "--generations", "1", "--sequences", "2", "--test-sequences", "2", "--backend", "numpy",
           "--quiet", "--neuron", "cell.py", "--out", str(tmp_path / "b")]
    assert main(["train", *bio]) == 0
    assert os.path.isabs(json.loads((tmp_path / "b" / "config.json").read_text())["neuron"])


def test_resume_without_config_json_says_so(tmp_path, capsys):
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--generations", "1", "--out", str(run)]) == 0
    os.remove(run / "config.json")
    capsys.readouterr()
    assert main(["train", "--out", str(run), "--resume", "--generations", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config.json is missing" in err[0], err


def test_resuming_under_other_versions_is_said_and_kept(tmp_path, capsys):
    """A resume under other versions was warned about only without --quiet, and config.json was then
    overwritten with the new versions, so a mixed run looked clean: the warning is now always on stderr
    and events.log keeps it.  config.json records the package's commit where it is a git checkout."""
    run = tmp_path / "r"
    assert main(["train", *FLAGS, "--generations", "1", "--out", str(run)]) == 0
    data = json.loads((run / "config.json").read_text())
    assert "pdlf_brian_commit" in data["environment"]
    data["environment"]["numpy"] = "1.26.4"
    (run / "config.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["train", "--out", str(run), "--resume", "--generations", "2", "--quiet"]) == 0
    assert "resumed with numpy 1.26.4 ->" in capsys.readouterr().err
    assert "resumed at generation 1 with other versions: numpy 1.26.4 ->" in (run / "events.log").read_text()
