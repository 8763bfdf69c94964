"""Closed loop: the batched Brian2 controllers stepping environments, against an independent loop."""
import numpy as np
import pytest

from numpy_reference import normalise, rule_e5
from pdlf_brian.closed_loop import DIVERGED_PER_STEP, NAN_PENALTY, ObsNormaliser
from pdlf_brian.config import Config
from pdlf_brian.evaluate import RLEvaluator
from pdlf_brian.genome import GenomeLayout
from pdlf_brian.tasks import make_env

COEFS = ("eta", "A", "B", "C", "D")


def lockstep_reference(env_name, genomes, H, tasks, seeds, steps, mean, std):
    """P genomes x K tasks stepped in lockstep, as the batch does, with NumPy E1-E6.

    The observation statistics (mean, std) are fixed during the episode; returns the returns and,
    per genome, every observation its copies fed to the network.
    """
    P, K = len(genomes), len(tasks)
    envs = [[make_env(env_name, max_episode_steps=steps) for _ in range(K)] for _ in range(P)]
    obs = np.array([[envs[p][b].reset(seed=int(seeds[b]), options={"task": tasks[b]})[0] for b in range(K)]
                    for p in range(P)])
    n_obs, n_act = obs.shape[-1], envs[0][0].action_space.shape[0]
    layout = GenomeLayout([("in", n_obs, H), ("out", H, n_act)], COEFS)
    coefs = [layout.decode(g[None]) for g in genomes]
    seen = [[obs[p, b, :-1].copy() for b in range(K)] for p in range(P)]

    def norm(o):
        out = o.copy()
        out[..., :-1] = np.clip((o[..., :-1] - mean) / std, -5, 5)
        return out

    W1 = np.zeros((P, K, n_obs, H)); W2 = np.zeros((P, K, H, n_act))
    u = np.zeros((P, K, H)); tr = np.zeros((P, K, H))
    alive = np.ones((P, K), bool); returns = np.zeros((P, K))
    x = norm(obs)
    for t in range(steps):
        acts = np.zeros((P, K, n_act))
        for p in range(P):
            c1 = {k: coefs[p]["in"][k][0] for k in COEFS}
            c2 = {k: coefs[p]["out"][k][0] for k in COEFS}
            for b in range(K):
                I = W1[p, b].T @ x[p, b]
                u[p, b] = I + (u[p, b] - I) / np.e
                s = (u[p, b] > 0.1).astype(float) - (u[p, b] < -0.1).astype(float)
                u[p, b] = np.where(s != 0, 0.0, u[p, b])
                tr[p, b] = tr[p, b] / np.e + (1 - 1 / np.e) * s
                a = W2[p, b].T @ s
                W1[p, b] = normalise(W1[p, b] + rule_e5(c1, x[p, b], tr[p, b]))
                W2[p, b] = normalise(W2[p, b] + rule_e5(c2, tr[p, b], a))
                acts[p, b] = np.clip(np.tanh(a), -1, 1)
        for p in range(P):
            for b in range(K):
                if alive[p, b]:
                    o, r, term, trunc, _ = envs[p][b].step(acts[p, b])
                    obs[p, b] = o
                    returns[p, b] += r
                    alive[p, b] = not (term or trunc)
        if not alive.any():
            break
        for p, b in zip(*np.nonzero(alive)):
            seen[p].append(obs[p, b, :-1].copy())
        x = norm(obs)
    return returns, [np.array(v) for v in seen]


def _cfg(**kw):
    base = dict(task="halfcheetah_vel", pop=3, hidden=6, episode_steps=12, tasks_per_eval=2, sharing="synapse")
    base.update(kw)
    return Config(**base).validate()


def test_reference_closed_loop_matches_independent_numpy_loop():
    cfg = _cfg()
    ev = RLEvaluator(cfg, 2)
    rng = np.random.default_rng(0)
    genomes = rng.normal(0, 0.5, (2, ev.layout.size))
    tasks, seeds = [2.0, 5.0], [11, 12]
    # statistics from "earlier generations"
    mean, m2 = rng.normal(0, 1, 17), rng.uniform(1, 50, 17)
    ev.batch.normaliser.merge(10.0, mean, m2)
    std = np.sqrt(m2 / 10.0)
    returns, diverged = ev.episode(genomes, tasks, seeds, learn_stats=True)
    expected, seen = lockstep_reference("halfcheetah_vel", genomes, 6, tasks, seeds, 12, mean, std)
    np.testing.assert_allclose(returns, expected, rtol=1e-9, atol=1e-9)
    assert not diverged.any()
    assert ev.batch.lengths.tolist() == [12] * 4
    # what each genome's copies saw is what joins the statistics, genome by genome
    for (n, m, v), obs in zip(ev.batch.collected(2), seen):
        assert n == len(obs) == 2 * 12
        np.testing.assert_allclose(m, obs.mean(0), rtol=1e-10)
        np.testing.assert_allclose(v, ((obs - obs.mean(0)) ** 2).sum(0), rtol=1e-6, atol=1e-9)


def test_terminated_copies_stop_counting_and_the_run_stops():
    cfg = _cfg(task="hopper_vel", episode_steps=400, hidden=4)
    ev = RLEvaluator(cfg, 2)
    genomes = np.zeros((2, ev.layout.size))  # zero weights: the hopper stands still and falls
    returns, _ = ev.episode(genomes, [0.0, 1.0], [1, 2])
    lengths = ev.batch.lengths
    assert lengths.max() < 400, "every hopper fell, so the single run() stopped early"
    # a fallen hopper earned exactly its reward up to the fall: replay one copy by hand
    env = make_env("hopper_vel", max_episode_steps=400)
    env.reset(seed=1, options={"task": 0.0})
    total, n = 0.0, 0
    while True:
        _, r, term, trunc, _ = env.step(np.zeros(3))
        total, n = total + r, n + 1
        if term or trunc:
            break
    assert n == lengths[0] and returns[0, 0] == pytest.approx(total, rel=1e-12)


def test_nan_observation_ends_that_episode_with_a_penalty(monkeypatch):
    cfg = _cfg(episode_steps=10)
    ev = RLEvaluator(cfg, 2)
    victim = ev.batch.envs[1]
    original = victim.step
    calls = {"n": 0}

    def broken(a):
        calls["n"] += 1
        obs, r, term, trunc, info = original(a)
        if calls["n"] == 3:
            obs = obs * np.nan
        return obs, r, term, trunc, info

    monkeypatch.setattr(victim, "step", broken)
    returns, diverged = ev.episode(np.zeros((2, ev.layout.size)), [2.0, 3.0], [1, 1])
    assert np.isfinite(returns).all()
    assert ev.batch.lengths.tolist() == [10, 3, 10, 10]
    assert returns[0, 1] < NAN_PENALTY / 2 and returns[1, 1] > NAN_PENALTY / 2
    assert any("non-finite observation" in e for e in ev.batch.events)
    assert np.isfinite(ev.batch.normaliser.mean).all(), "the NaN never reaches the statistics"


def test_diverging_genome_gets_a_finite_penalty_and_others_are_untouched():
    cfg = _cfg(episode_steps=8)
    ev = RLEvaluator(cfg, 2)
    good = np.random.default_rng(3).normal(0, 0.3, ev.layout.size)
    bad = good.copy()
    bad[:10] = np.inf
    r_pair, d_pair = ev.episode(np.vstack([good, bad]), [2.0, 3.0], [4, 5])
    r_alone, _ = ev.episode(np.vstack([good, good]), [2.0, 3.0], [4, 5])
    assert d_pair.tolist() == [False, True] and np.isfinite(r_pair).all()
    assert np.all(r_pair[1] == DIVERGED_PER_STEP * 8) and r_pair[1].max() < r_pair[0].min()
    np.testing.assert_allclose(r_pair[0], r_alone[0], rtol=1e-12)


def test_weights_that_turn_nan_after_an_episode_ended_do_not_cost_its_return(monkeypatch):
    """The network runs on until every copy is done: a copy whose episode has ended keeps its return even
    if its weights turn non-finite afterwards; one that is still playing when they do is diverged."""
    cfg = _cfg(episode_steps=10)
    ev = RLEvaluator(cfg, 2)
    victim = ev.batch.envs[1]                                  # individual 0, second task
    original = victim.step
    calls = {"n": 0}

    def ends_early(a):
        calls["n"] += 1
        obs, r, term, trunc, info = original(a)
        return obs, r, term or calls["n"] == 3, trunc, info

    monkeypatch.setattr(victim, "step", ends_early)
    genomes = np.random.default_rng(3).normal(0, 0.3, (2, ev.layout.size))
    clean, _ = ev.episode(genomes, [2.0, 3.0], [4, 5])
    assert ev.batch.lengths.tolist()[:2] == [10, 3]

    def poison(copy):
        def hook(t, batch):
            if t == 5:
                ev.network.synapse_array("in")[divmod(copy, 2)] = np.nan
        return hook

    calls["n"] = 0
    ev.batch.hooks.append(poison(1))                            # after its episode ended at step 3
    returns, diverged = ev.episode(genomes, [2.0, 3.0], [4, 5])
    assert diverged.tolist() == [False, False]
    np.testing.assert_array_equal(returns, clean)
    calls["n"] = 0
    ev.batch.hooks[:] = [poison(0)]                             # still playing at step 5
    returns, diverged = ev.episode(genomes, [2.0, 3.0], [4, 5])
    assert diverged.tolist() == [True, False] and returns[0, 0] == DIVERGED_PER_STEP * 10
    assert returns[0, 1] == clean[0, 1]                        # the copy that had ended keeps its return


def test_normaliser_statistics_freeze_and_round_trip():
    rng = np.random.default_rng(4)
    data = [rng.normal(3, 2, (n, 5)) for n in (7, 1, 12)]
    norm = ObsNormaliser(5, raw_last=True)
    for d in data:
        norm.update(d)
    allx = np.concatenate(data)[:, :4]
    np.testing.assert_allclose(norm.mean, allx.mean(0), rtol=1e-12)
    np.testing.assert_allclose(norm.std, allx.std(0), rtol=1e-12)
    out = norm(np.concatenate(data))
    np.testing.assert_array_equal(out[:, 4], np.concatenate(data)[:, 4])  # the task value stays raw
    assert np.abs(out[:, :4]).max() <= 5
    norm.frozen = True
    norm.update(rng.normal(100, 1, (5, 5)))
    np.testing.assert_allclose(norm.mean, allx.mean(0), rtol=1e-12)
    other = ObsNormaliser(5, raw_last=True)
    other.load_state_dict(norm.state_dict())
    np.testing.assert_array_equal(other(out), norm(out))
    with pytest.raises(ValueError, match="statistics are for 4"):
        ObsNormaliser(9, raw_last=True).load_state_dict(norm.state_dict())


def test_checkpoint_from_another_environment_is_refused(tmp_path):
    ev = RLEvaluator(_cfg(), 2)
    with pytest.raises(ValueError, match="needs"):
        ev.episode(np.zeros((2, ev.layout.size + 3)), [2.0, 3.0], [1, 1])
    other = RLEvaluator(_cfg(task="hopper_vel"), 2)
    with pytest.raises(ValueError, match="statistics are for"):
        ev.load_state_dict(other.state_dict())


def test_bio_closed_loop_runs_one_env_step_per_window():
    cfg = _cfg(model="bio", task="fetch", episode_steps=6, hidden=5, env_step_ms=10.0)
    ev = RLEvaluator(cfg, 2)
    genomes = np.random.default_rng(5).normal(0, 0.5, (2, ev.layout.size))
    returns, diverged = ev.episode(genomes, [None, None], [1, 2], learn_stats=True)
    assert np.isfinite(returns).all() and not diverged.any()
    assert ev.batch.lengths.tolist() == [6] * 4
    again, _ = ev.episode(genomes, [None, None], [1, 2])
    assert not np.allclose(returns, 0)
    # same genomes and seeds, statistics learnt further in between: finite, same shape
    assert again.shape == returns.shape


def test_reference_action_bounds_flag():
    ev = RLEvaluator(_cfg(action_bounds="reference"), 2)
    assert not ev.batch.squash.any()  # plastic agent: linear readout
    ev = RLEvaluator(_cfg(action_bounds="reference", rule="weights"), 2)
    assert ev.batch.squash.all()      # weight-trained baseline: tanh
    a = ev.batch.actions(np.full((2, 2, 6), 3.0))
    np.testing.assert_allclose(a, np.tanh(3.0))


def test_rl_training_resumes_identically_with_its_observation_statistics(tmp_path):
    import csv
    import json

    from pdlf_brian.evolve import Trainer, load_checkpoint

    tiny = dict(task="halfcheetah_vel", pop=3, hidden=4, episode_steps=10, tasks_per_eval=2, seed=2)
    Trainer(Config(generations=3, **tiny), tmp_path / "full", quiet=True).run()
    Trainer(Config(generations=2, **tiny), tmp_path / "part", quiet=True).run()
    saved = json.loads((tmp_path / "part/config.json").read_text())
    saved["generations"] = 3
    (tmp_path / "part/config.json").write_text(json.dumps(saved))
    Trainer(Config(generations=3, **tiny), tmp_path / "part", resume=True, quiet=True).run()
    rows = [list(csv.DictReader(open(tmp_path / d / "progress.csv"))) for d in ("full", "part")]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in rows[0]] == \
           [{k: v for k, v in r.items() if k != "seconds"} for r in rows[1]]
    full, part = (json.loads((tmp_path / d / "result.json").read_text()) for d in ("full", "part"))
    assert full["score_centre"] == part["score_centre"]
    stats = load_checkpoint(tmp_path / "full")["evaluator"]["obs_normaliser"]
    # 3 generations x 8 copies x (the first observation + 9 more; the 10th ends the episode)
    assert stats["count"] == 3 * 8 * 10
    assert json.loads((tmp_path / "full/obs_stats.json").read_text())["count"] == stats["count"]


def test_bench_loop_prints_ratio_last(capsys):
    from pdlf_brian.cli import main
    assert main(["bench", "loop", "--task", "swimmer_dir", "--batch", "16", "--episode-steps", "5",
                 "--rounds", "1", "--hidden", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("ratio=") and float(lines[-1][6:]) > 0
    assert any(l.startswith("closed loop") for l in lines) and any(l.startswith("bare") for l in lines)
    assert main(["bench", "loop", "--task", "swimmer_dir", "--batch", "12"]) == 2  # not a multiple of 8


def test_env_options_reach_every_environment_and_bad_ones_are_named(tmp_path, capsys):
    """--env-option gives the environment a keyword argument (ur5e's nearer targets, a change of the
    task): every environment of the batch gets it, the run records it, and a key the environment does
    not take, one with its own config key, or a value it refuses is one line naming it."""
    import json

    from pdlf_brian.cli import main
    from pdlf_brian.config import ConfigError
    ev = RLEvaluator(_cfg(task="ur5e", env_options={"min_target_radius": 0.15}), 2)
    assert {e.min_target_radius for e in ev.batch.envs} == {0.15}
    assert {e.min_target_radius for e in RLEvaluator(_cfg(task="ur5e"), 2).batch.envs} == {0.02}
    for options, words in (({"radius": 1}, "ur5e has no option 'radius'; it takes min_target_radius"),
                           ({"actuators": "brax"}, "'actuators' has its own config key"),
                           ({"min_target_radius": 0.9}, "min_target_radius must be a number in [0, 0.52)")):
        with pytest.raises(ConfigError, match=r"config key 'env_options': .*" + words.replace("[", r"\[")
                           .replace("(", r"\(").replace(")", r"\)")):
            Config(task="ur5e", env_options=options).validate()
    with pytest.raises(ConfigError, match="the wm task takes no environment options"):
        Config(task="wm", env_options={"a": 1}).validate()
    args = ["train", "--task", "ur5e", "--pop", "3", "--hidden", "4", "--episode-steps", "3", "--tasks-per-eval",
            "1", "--generations", "1", "--quiet", "--out", str(tmp_path / "r")]
    assert main([*args, "--env-option", "min_target_radius=0.15"]) == 0
    assert json.loads((tmp_path / "r" / "config.json").read_text())["env_options"] == {"min_target_radius": 0.15}
    # the changed task is visible where the run is reported: result.json, and an exported script's header
    assert json.loads((tmp_path / "r" / "result.json").read_text())["env_options"] == {"min_target_radius": 0.15}
    assert main(["export", "--run", str(tmp_path / "r"), "--out", str(tmp_path / "a.py")]) == 0
    assert "Task ur5e (min_target_radius=0.15);" in (tmp_path / "a.py").read_text()
    capsys.readouterr()
    assert main(["train", "--out", str(tmp_path / "r"), "--resume", "--generations", "2", "--quiet"]) == 0
    bad = [("min_target_radius", "expected KEY=VALUE"),
           ("min_target_radius=.15", "ur5e (min_target_radius='.15'): min_target_radius must be a number")]
    for option, words in bad:
        assert main([*args[:-2], "--out", str(tmp_path / "s"), "--env-option", option]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err
    # a config file's options: a bad one named with the file, also when --env-option adds to them
    for options, words in (([1, 2], "must be an object (dict), got [1, 2]"), ({"radius": 1}, "no option 'radius'")):
        (tmp_path / "c.json").write_text(json.dumps({"task": "ur5e", "env_options": options}))
        for more in ([], ["--env-option", "min_target_radius=0.15"]):
            assert main([*args[:-2], "--config", str(tmp_path / "c.json"), *more, "--out", str(tmp_path / "s")]) == 2
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and f"config file {tmp_path / 'c.json'}" in err[0] and words in err[0], err


def test_runs_from_before_the_normalise_key_still_resume(tmp_path):
    """Runs started before config key 'normalise' existed saved a fingerprint without it: the paper's E6
    ('layer') is left out of the fingerprint, so they resume (and extend); 'post' counts."""
    from pdlf_brian.rundir import compare, fingerprint
    now = fingerprint(_cfg(task="ant_dir"))
    assert "normalise" not in now["config"]
    old = {"config": {k: v for k, v in now["config"].items()}, "files": now["files"]}
    assert compare(old, now, tmp_path) is None
    changed = compare(old, fingerprint(_cfg(task="ant_dir", normalise="post")), tmp_path)
    assert changed is not None and "normalise" in changed


def test_wm_runs_from_before_the_hold_key_still_resume(tmp_path):
    """Config key 'hold' (steps per WM stimulus) came later: a fingerprint saved without it, or with its
    implicit 1 (runs started between the key and this rule), matches today's hold 1; hold 2 does not."""
    from pdlf_brian.rundir import compare, fingerprint
    now = fingerprint(Config(pop=3, hidden=6).validate())
    assert "hold" not in now["config"]
    for old in ({k: v for k, v in now["config"].items()}, dict(now["config"], hold=1)):
        assert compare({"config": old, "files": now["files"]}, now, tmp_path) is None
    held = fingerprint(Config(pop=3, hidden=6, hold=2).validate())
    assert held["config"]["hold"] == 2
    changed = compare({"config": now["config"], "files": now["files"]}, held, tmp_path)
    assert changed is not None and "config key 'hold' (new)" in changed
    changed = compare(held, now, tmp_path)
    assert changed is not None and "config key 'hold' (2 -> None)" in changed


def test_runs_without_env_options_keep_their_fingerprint():
    """Runs started before env_options existed saved a fingerprint without the key: an empty one is
    left out, so they resume; a set one counts (a resume with other options is refused)."""
    from pdlf_brian.rundir import fingerprint
    assert "env_options" not in fingerprint(_cfg(task="ur5e"))["config"]
    assert fingerprint(_cfg(task="ur5e", env_options={"min_target_radius": 0.15}))["config"]["env_options"] == \
        {"min_target_radius": 0.15}
