"""Parallel evaluation: local processes and Ray give the same results as one process."""
import csv
import json
import os
import signal

import numpy as np
import pytest

from pdlf_brian.config import Config
from pdlf_brian.evolve import Trainer

# numpy: the workers are other processes, where a cython backend would compile (conftest.py)
WM = dict(task="wm", hidden=4, length=3, latency=1, sequences=4, test_sequences=8, pop=5, generations=3, seed=7,
          backend="numpy")
RL = dict(task="halfcheetah_vel", hidden=4, pop=5, generations=3, episode_steps=12, tasks_per_eval=2, seed=7,
          backend="numpy")


def rows(run):
    with open(run / "progress.csv") as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]


def result(run):
    r = json.loads((run / "result.json").read_text())
    return {k: r[k] for k in ("score_centre", "score_best", "best_generation")}


@pytest.mark.parametrize("tiny", [WM, RL], ids=["wm", "rl"])
def test_local_workers_match_one_process(tmp_path, tiny):
    Trainer(Config(**tiny), tmp_path / "one", quiet=True).run()
    Trainer(Config(**tiny, workers=2), tmp_path / "two", quiet=True).run()
    assert rows(tmp_path / "one") == rows(tmp_path / "two")
    assert result(tmp_path / "one") == result(tmp_path / "two")
    if tiny["task"] != "wm":
        assert (tmp_path / "one/obs_stats.json").read_text() == (tmp_path / "two/obs_stats.json").read_text()


def test_workers_are_checked_before_work(tmp_path):
    from pdlf_brian.config import ConfigError
    with pytest.raises(ConfigError, match="'workers'"):
        Config(**WM, workers=0).validate()
    with pytest.raises(ConfigError, match="at most pop"):
        Config(**WM, workers=99).validate()


def test_bench_scaling_prints_speedup_last(capsys):
    from pdlf_brian.cli import main
    # numpy: the workers are processes of their own (conftest's numpy stand-in does not reach them), and
    # compiling the Cython modules there from a cold cache took 100 s of CI's time for a test of the report
    assert main(["bench", "scaling", "--task", "wm", "--workers", "2", "--pop", "3", "--rounds", "1",
                 "--hidden", "4", "--backend", "numpy"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "wm on numpy, 4 hidden" in lines[0]
    assert lines[-1].startswith("speedup=") and float(lines[-1][8:]) > 0
    assert any(l.startswith("memory:") for l in lines)


ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    # a Ray the user started, whose job environment would give numpy two BLAS threads: each actor still
    # runs the pinned BLAS (its own runtime_env)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"OPENBLAS_NUM_THREADS": "2"}})
    yield
    ray.shutdown()


def test_ray_matches_local_and_survives_a_dead_worker(tmp_path, local_ray):
    from pdlf_brian.evaluate import make_evaluator
    from pdlf_brian.ray_pool import RayPool

    cfg = Config(**RL).validate()
    pool = RayPool(cfg, 6, 2, "auto")
    single = make_evaluator(cfg, 6)
    try:
        rng = np.random.default_rng(3)
        genomes = rng.normal(0, 0.3, (6, pool.layout.size))
        for g in range(2):
            a = pool.evaluate(genomes, np.random.default_rng([1, g]))
            b = single.evaluate(genomes, np.random.default_rng([1, g]))
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
            assert pool.state_dict()["obs_normaliser"]["count"] == single.state_dict()["obs_normaliser"]["count"]
        from pdlf_brian.rundir import blas
        assert [ray.get(a.blas.remote()) for a in pool.actors] == [blas()] * 2
        os.kill(pool.worker_pids()[1], signal.SIGKILL)  # a worker dies between generations
        a = pool.evaluate(genomes, np.random.default_rng([1, 2]))
        b = single.evaluate(genomes, np.random.default_rng([1, 2]))
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
        assert any("died" in e for e in pool.take_events())
    finally:
        pool.close()


def test_ray_training_matches_local(tmp_path, local_ray):
    Trainer(Config(**WM), tmp_path / "local", quiet=True).run()
    Trainer(Config(**WM, workers=2, ray="auto"), tmp_path / "ray", quiet=True).run()
    assert rows(tmp_path / "local") == rows(tmp_path / "ray")
    assert result(tmp_path / "local") == result(tmp_path / "ray")
