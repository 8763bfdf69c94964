"""The analyses on tiny runs made here: invariants of their numbers and files."""
import csv
import json

import numpy as np
import pytest

from pdlf_brian.cli import main

RL = ["--task", "halfcheetah_vel", "--hidden", "4", "--pop", "4", "--generations", "3", "--episode-steps", "20",
      "--tasks-per-eval", "2", "--quiet"]
WM = ["--task", "wm", "--hidden", "4", "--len", "4", "--lat", "2", "--sequences", "4", "--test-sequences", "8",
      "--pop", "4", "--generations", "3", "--sigma0", "0.5", "--quiet"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    assert main(["train", *RL, "--out", str(d / "p")]) == 0
    assert main(["train", *RL, "--rule", "weights", "--out", str(d / "w")]) == 0
    assert main(["train", *WM, "--sharing", "post", "--out", str(d / "wm_p")]) == 0
    assert main(["train", *WM, "--rule", "weights", "--out", str(d / "wm_w")]) == 0
    return d


def summary(run, name):
    return json.loads((run / "analysis" / name / "summary.json").read_text())


def test_injury_zeroes_then_regrows_or_restores(runs):
    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.analysis.injury import injure
    at, dur = 6, 4
    for name in ("p", "w"):
        run = load_run(runs / name)
        seen = {}   # an extra hook (d10_injury_pose.py records the body's pose through one) sees every step

        def record(t, batch):
            seen[t] = np.asarray(batch.rewards_log[-1]).reshape(2, 8).mean(1) if t else None

        per_step, snaps, check, _ = injure(run, seeds=2, at=at, duration=dur, steps=20,
                                           snapshots=[0, at, at + 1, at + dur, at + dur + 1, 15], hooks=[record])
        assert per_step.shape == (2, 20) and check["max_abs_w_before"] > 0
        assert sorted(seen) == list(range(21))
        np.testing.assert_array_equal(np.array([seen[t] for t in range(1, 21)]).T, per_step)
        assert check["injury_held"] is (None if run.plastic else True)
        # snapshot t: the weights the network left after step t, before the analysis writes anything
        if run.plastic:   # one rule step from zero regrows less than the episode had grown
            assert check["max_abs_w_after_injured_steps"] < check["max_abs_w_before"]
            assert all(np.all(w == 0) for w in snaps[0].values())          # every episode starts at zero
            assert any(np.any(w != 0) for w in snaps[at].values()), "grown before the injury"
            assert any(np.any(w != 0) for w in snaps[15].values()), "the rule regrows the weights"
        else:             # nothing but the restore at the window's end writes a static net's weights
            assert check["max_abs_w_after_injured_steps"] == 0
            for k in snaps[0]:
                np.testing.assert_array_equal(snaps[at][k], snaps[0][k])
                assert np.all(snaps[at + 1][k] == 0) and np.all(snaps[at + dur][k] == 0)
                np.testing.assert_array_equal(snaps[at + dur + 1][k], snaps[0][k])  # restored
    assert main(["analyze", "injury", "--run", str(runs / "p"), "--baseline", str(runs / "w"),
                 "-o", "seeds=2", "-o", "at=6", "-o", "duration=4", "-o", "steps=20"]) == 0
    s = summary(runs / "p", "injury")
    assert len(s["agents"]) == 2
    assert [a["max_abs_w_after_injured_steps"] == 0 for a in s["agents"].values()] == [False, True]
    assert [a["injury_held"] for a in s["agents"].values()] == [None, True]
    for f in ("rewards.csv", "rewards.png", "weights.png"):
        assert (runs / "p/analysis/injury" / f).exists()


def test_lesion_masks_are_shared_exact_and_respected(runs):
    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.analysis.lesion import lesioned_returns, masks
    m = masks(4, (0.0, 0.5), 2)
    assert m.sum(axis=2).tolist() == [[0, 0], [2, 2]]
    seen = []

    def check(net, mask):
        for p in range(mask.shape[0]):
            blocked = mask[p]
            w_in, w_out = net.synapse_array("in")[p, 0], net.synapse_array("out")[p, 0]
            assert np.all(w_in[:, blocked] == 0) and np.all(w_out[blocked, :] == 0)
            assert np.all(net.hid.variables["s"].get_value().reshape(net.P, net.B, -1)[p][:, blocked] == 0)
        seen.append(mask.copy())

    for name in ("p", "w"):
        _, running = lesioned_returns(load_run(runs / name), m, steps=15, check=check)
        assert running.tolist() == [1.0, 1.0]   # halfcheetah never ends an episode early
    np.testing.assert_array_equal(seen[0], seen[2])  # the same masks for both agents
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "--baseline", str(runs / "w"),
                 "-o", "seeds=2", "-o", "steps=15", "-o", "fractions=[0, 0.5]"]) == 0
    s = summary(runs / "p", "lesion")
    assert s["fractions"] == [0, 0.5] and all(len(a["mean"]) == 2 for a in s["agents"].values())


def test_silencing_keeps_the_synapses_and_equals_removal_for_a_static_agent(runs):
    """mode='silence': the blocked neurons never spike, but their synapses stay (a static agent's
    weights are its genome's; a plastic agent's follow the rule and stay in E6's max).  A static agent
    is then the same network as under removal: the same returns to the last bit."""
    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.analysis.lesion import lesioned_returns, masks
    m = masks(4, (0.0, 0.5), 2)
    kept = []

    def check(net, mask):
        blocked = mask[0]
        assert np.all(net.hid.variables["s"].get_value().reshape(net.P, net.B, -1)[0][:, blocked] == 0)
        assert np.all(net.synapses["in"].variables["intact"].get_value() == 1)
        w_in, w_out = net.synapse_array("in")[0, 0], net.synapse_array("out")[0, 0]
        kept.append(np.abs(w_in[:, blocked]).sum() + np.abs(w_out[blocked, :]).sum())

    returns = {}
    for name in ("p", "w"):
        run = load_run(runs / name)
        returns[name] = [lesioned_returns(run, m, steps=15, mode=mode)[0] for mode in ("remove", "silence")]
        _, running = lesioned_returns(run, m, steps=15, check=check, mode="silence")
        assert running.tolist() == [1.0, 1.0]
    assert kept[1] > 0 and kept[3] > 0   # fraction 0.5: the blocked neurons' synapses are there, non-zero
    np.testing.assert_array_equal(returns["w"][0], returns["w"][1])       # static: one network
    np.testing.assert_array_equal(returns["p"][0][0], returns["p"][1][0])  # nothing blocked: one network
    assert not np.array_equal(returns["p"][0][1], returns["p"][1][1])     # plastic: the synapses matter
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "-o", "seeds=2", "-o", "steps=15",
                 "-o", "fractions=[0, 0.5]", "-o", "mode=silence"]) == 0
    s = summary(runs / "p", "lesion_silence")
    assert s["mode"] == "silence"
    np.testing.assert_allclose(s["agents"][next(iter(s["agents"]))]["mean"][1], returns["p"][1][1].mean())
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "-o", "mode=cut"]) == 2
    assert not (runs / "p/analysis/lesion_cut").exists()   # refused before a folder named after it is made
    # one controller, silenced then removed: the second lesion zeroes what the first kept
    from pdlf_brian.analysis.common import rl_evaluator
    run = load_run(runs / "p")
    ev = rl_evaluator(run, 1, episode_steps=5, lesion=True)
    blocked = m[1][0]
    with pytest.raises(ValueError, match="lesion mode 'cut': choose one of 'remove', 'silence'"):
        ev.network.set_lesion(blocked[None, None], "cut")
    for mode in ("silence", "remove", "silence"):
        ev.network.set_lesion(blocked[None, None], mode)
        ev.episode(run.centre[None], list(ev.train_tasks), np.arange(8)[None] + 2000)
        w_in, w_out = ev.network.synapse_array("in")[0, 0], ev.network.synapse_array("out")[0, 0]
        kept = np.abs(w_in[:, blocked]).sum() + np.abs(w_out[blocked, :]).sum()
        assert (kept > 0) if mode == "silence" else (kept == 0), mode


def test_generalise_sets_are_disjoint_and_extrapolation_marked(runs):
    assert main(["analyze", "generalise", "--run", str(runs / "p"), "--baseline", str(runs / "w"),
                 "-o", "sweep=8", "-o", "steps=10"]) == 0
    with open(runs / "p/analysis/generalise/generalise.csv") as f:
        rows = list(csv.DictReader(f))
    assert len({r["agent"] for r in rows}) == 2
    rows = [r for r in rows if r["agent"] == rows[0]["agent"]]
    seen = {float(r["task"]) for r in rows if r["set"] == "seen"}
    unseen = {float(r["task"]) for r in rows if r["set"] == "unseen"}
    assert len(seen) == len(unseen) == 8 and not seen & unseen
    marked = [float(r["task"]) for r in rows if r["set"] == "unseen" and r["extrapolation"] == "True"]
    assert marked == [max(unseen)]
    assert (runs / "p/analysis/generalise/generalise.png").exists()


def test_window_follows_the_evolved_coefficients(runs):
    from pdlf_brian.analysis.window import analytic_window_reference
    assert main(["analyze", "window", "--run", str(runs / "p"), "-o", "span=5"]) == 0
    s = summary(runs / "p", "window")
    with open(runs / "p/analysis/window/coefficients.csv") as f:
        coefs = list(csv.DictReader(f))
    assert len(coefs) == s["generations"] == 3
    last = {k: float(v) for k, v in coefs[-1].items() if k != "generation"}
    want = analytic_window_reference(last["eta"], last["A"], last["B"], last["C"], last["D"], np.arange(-5, 6))
    np.testing.assert_allclose(s["window_at"]["2"], want, rtol=1e-12)
    assert main(["analyze", "window", "--run", str(runs / "w")]) == 2  # a static rule has no window


@pytest.mark.parametrize("name,options,pattern", [
    ("window", ["span=ten"], "option span='ten': expected an integer"),
    ("window", ["synapse=[99,0]"], "option synapse=[99, 0]: [pre, post] indices of layer 'in'"),
    ("window", ["generations=[50]"], "option generations=[50]: generation numbers in [0, 3)"),
    ("lesion", ["fractions=1.5"], "option fractions=[1.5]: fractions of hidden neurons blocked"),
    ("lesion", ["fractions=\"half\""], "option fractions='half': expected a non-empty list"),
    ("lesion", ["mode=cut"], "option mode='cut': 'remove' (the synapses go"),
    ("control", ['schedules=["square"]'], "option schedules=['square']: unknown ['square']"),
    ("injury", ["steps=100"], "option steps=100: the episode must outlast the injury"),
    ("embed", ["perplexity=-1"], "option perplexity=-1: a positive number"),
    ("generalise", ["sweep=0"], "option sweep=0: at least 1"),
])
def test_a_bad_analysis_option_is_one_line_naming_it(runs, name, options, pattern, capsys):
    """Wrong types and values of -o are refused in one line before anything is built (these used to
    be tracebacks from inside the analysis, or a run with no injury reported as a success)."""
    capsys.readouterr()
    flags = [x for o in options for x in ("-o", o)]
    assert main(["analyze", name, "--run", str(runs / "p"), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"analysis '{name}'" in err and pattern in err, err


def test_window_heat_map_cells_sit_at_the_generations_computed():
    from pdlf_brian.analysis.window import _edges
    rows = np.array([0.0, 10.0, 20.0, 25.0])           # uneven: the last generation after a stride of 10
    e = _edges(rows)
    assert len(e) == len(rows) + 1 and np.all(np.diff(e) > 0)
    assert np.all((e[:-1] < rows) & (rows < e[1:]))     # every row inside its own cell
    np.testing.assert_allclose(_edges([3.0]), [2.5, 3.5])


def test_wm_probe(runs):
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "--baseline", str(runs / "wm_w"),
                 "-o", "sequences=16", "-o", "examples=4"]) == 0
    s = summary(runs / "wm_p", "wm-probe")
    length = json.loads((runs / "wm_p/config.json").read_text())["length"]
    for agent in s["zeroing"].values():
        assert 0 <= agent["accuracy"] <= 1 and 0 <= agent["accuracy_zeroed_delay"] <= 1
        # the serial-position curve is computed separately from the task's score: its mean is the score
        for key, pos in (("accuracy", agent["per_position"]),
                         ("accuracy_zeroed_delay", agent["per_position_zeroed_delay"])):
            assert len(pos) == length and np.mean(pos) == pytest.approx(agent[key], abs=1e-12)
    with open(runs / "wm_p/analysis/wm-probe/serial_position.csv") as f:
        assert len(list(csv.DictReader(f))) == 2 * 2 * length   # agents x conditions x positions
    assert set(s["activity_per_phase"]) == {"sample", "delay", "recall"}
    assert len(s["mean_abs_weight_difference"]["w_in"]) == 4
    assert s["delay_sweep"] == {}


def test_wm_probe_delay_sweep(runs):
    """Recall after delays other than the trained one (Lat 2): the network rebuilt for each delay gives,
    at the trained delay, exactly the intact accuracy of the run's own network on the same sequences."""
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "--baseline", str(runs / "wm_w"),
                 "-o", "sequences=16", "-o", "examples=2", "-o", "delays=6,0,2"]) == 0
    s = summary(runs / "wm_p", "wm-probe")
    for label, agent in s["zeroing"].items():
        sweep = s["delay_sweep"][label]
        assert list(sweep) == ["0", "2", "6"]
        assert sweep["2"] == agent["accuracy"]
        assert all(0 <= v <= 1 for v in sweep.values())
    # another path to the same numbers: the training evaluator built for each delay, on wm-probe's test
    # sequences (its rng: 2 example sequences are drawn first)
    import dataclasses

    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.evaluate import WMEvaluator
    for name in ("wm_p", "wm_w"):
        run = load_run(runs / name)
        rng = np.random.default_rng(0)
        rng.integers(0, 2, (2, run.cfg.length))
        bits = rng.integers(0, 2, (16, run.cfg.length))
        for delay in (0, 6):
            ev = WMEvaluator(dataclasses.replace(run.cfg, latency=delay, sequences=16), 1)
            x = ev.task.inputs(bits)[:, None]
            readout = ev.network.run_open_loop(run.centre[None], x, np.random.default_rng(0))[..., 0]
            assert readout.shape[0] == 2 * run.cfg.length + delay
            assert s["delay_sweep"][run.label][str(delay)] == ev.task.score(readout, bits)[0][0]
    with open(runs / "wm_p/analysis/wm-probe/delays.csv") as f:
        rows = list(csv.DictReader(f))
    assert [(r["delay_stimuli"], r["trained_delay"]) for r in rows[:3]] == [("0", "False"), ("2", "True"), ("6", "False")]
    assert "delays.png" in s["figures"]


def test_a_held_schedule_trains_and_wm_probe_refuses_it(tmp_path, capsys):
    """--hold 2 trains and is recorded in the config and the result; wm-probe, whose phases are one step per
    stimulus, refuses such a run in one line naming the key, before it makes a folder."""
    d = tmp_path / "held"
    assert main(["train", *WM, "--hold", "2", "--out", str(d)]) == 0
    assert json.loads((d / "config.json").read_text())["hold"] == 2
    result = json.loads((d / "result.json").read_text())
    assert result["hold"] == 2 and 0 <= result["score_centre"] <= 1
    capsys.readouterr()
    assert main(["analyze", "wm-probe", "--run", str(d)]) == 2
    err = capsys.readouterr().err
    assert "holds each stimulus for 2 steps (config key 'hold')" in err and len(err.strip().splitlines()) == 1
    assert not (d / "analysis").exists()


def test_wm_probe_distractors(runs, capsys):
    """Random bits on the bit channel in the delay, nothing else changed; with no delay there is nothing
    to distract, so recall is the intact recall exactly."""
    import dataclasses

    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.analysis.wm_probe import distractor_inputs, recall
    from pdlf_brian.tasks.wm import CopyTask
    task = CopyTask(4, 3)
    bits = np.random.default_rng(0).integers(0, 2, (5, 4))
    x, plain = distractor_inputs(task, bits, np.random.default_rng(1)), task.inputs(bits)
    delay = slice(4, 7)
    np.testing.assert_array_equal(np.delete(x, np.r_[delay], axis=0), np.delete(plain, np.r_[delay], axis=0))
    assert set(np.unique(x[delay, :, 0])) == {-1.0, 1.0} and not np.any(x[delay, :, 1:])
    assert not np.any(plain[delay])
    positional = CopyTask(4, 3, "position")
    x = distractor_inputs(positional, bits, np.random.default_rng(1), "position")
    plain = positional.inputs(bits)
    np.testing.assert_array_equal(np.delete(x, np.r_[delay], axis=0), np.delete(plain, np.r_[delay], axis=0))
    assert np.all(x[delay, :, 3:].sum(axis=2) == 1) and not np.any(x[delay, :, 1:3])  # one position, no flag/cue
    assert set(np.unique(x[delay, :, 0])) == {-1.0, 1.0}
    run = load_run(runs / "wm_p")
    no_delay = dataclasses.replace(run, cfg=dataclasses.replace(run.cfg, latency=0))
    bits = np.random.default_rng(2).integers(0, 2, (8, run.cfg.length))
    assert recall(no_delay, bits, distractors=np.random.default_rng(3))[0] == recall(no_delay, bits)[0]
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "--baseline", str(runs / "wm_w"),
                 "-o", "sequences=8", "-o", "examples=2", "-o", "distractors=true"]) == 0
    s = summary(runs / "wm_p", "wm-probe")
    for agent in s["zeroing"].values():
        assert 0 <= agent["accuracy_distractors"] <= 1
        assert np.mean(agent["per_position_distractors"]) == pytest.approx(agent["accuracy_distractors"], abs=1e-12)
    with open(runs / "wm_p/analysis/wm-probe/zeroing.csv") as f:
        assert "accuracy_distractors" in next(csv.reader(f))
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "-o", "distractors=maybe"]) == 2
    # the reference runs here have no position context: one line naming the run, before anything is built
    capsys.readouterr()
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "-o", "distractors=position"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no position context" in err[0] and "wm_p" in err[0], err


@pytest.mark.parametrize("bad", ["-1", "2.5", "a,b", "[]", "inf", "nan"])
def test_wm_probe_bad_delays_is_one_line_before_any_work(runs, bad, capsys):
    assert main(["analyze", "wm-probe", "--run", str(runs / "wm_p"), "-o", f"delays={bad}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "wm-probe option delays=" in err[0] and "non-negative integers" in err[0], err
    assert "recording" not in "".join(err)


def test_report_and_bad_names(runs, tmp_path, capsys):
    assert main(["analyze", "nonsense", "--run", str(runs / "p")]) == 2
    assert "unknown analysis 'nonsense'" in capsys.readouterr().err
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "-o", "colour=red"]) == 2
    out = tmp_path / "report.md"
    assert main(["report", "--runs", str(runs / "p"), str(runs / "w"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "learning_curve" in text and "| task |" in text
    assert out.with_suffix(".html").exists()


def test_embed_measures_separability(runs):
    assert main(["analyze", "embed", "--run", str(runs / "p"), "--baseline", str(runs / "w"),
                 "-o", "first=2", "-o", "last=17", "-o", "perplexity=5"]) == 0
    s = summary(runs / "p", "embed")
    for a in s["agents"].values():
        assert a["points"] == 8 * 16
        if not a["constant_activity"]:
            assert -1 <= a["silhouette_tsne"] <= 1
    assert (runs / "p/analysis/embed/tsne.png").exists()


def ending_early(monkeypatch, module, ends):
    """Make the analysis ``module``'s episodes end early: ``ends`` maps copy k to the step (counted from
    its reset) after which its environment says terminated, as a body that falls does."""
    from pdlf_brian.analysis import common
    real = common.rl_evaluator

    def patched(*a, **kw):
        ev = real(*a, **kw)
        for k, n in ends.items():
            env, count = ev.batch.envs[k], [0]

            def reset(*ra, _reset=env.reset, _count=count, **rk):
                _count[0] = 0
                return _reset(*ra, **rk)

            def step(action, _step=env.step, _count=count, _n=n):
                _count[0] += 1
                obs, r, terminated, truncated, info = _step(action)
                return obs, r, terminated or _count[0] >= _n, truncated, info
            env.reset, env.step = reset, step
        return ev
    monkeypatch.setattr(module, "rl_evaluator", patched)


def test_embed_leaves_out_episodes_that_have_ended(runs, monkeypatch, capsys):
    """An episode that ends (an ant that falls) keeps its network running on its last observation until
    every copy is done; those traces are not behaviour and must not enter the embedding."""
    from pdlf_brian.analysis import embed
    from pdlf_brian.analysis.common import load_run
    ending_early(monkeypatch, embed, {3: 9})
    tr, tasks, alive = embed.hidden_traces(load_run(runs / "p"), first=2, last=17)
    assert tr.shape[:2] == alive.shape == (16, 8)
    assert alive[:, 3].tolist() == [t < 9 for t in range(2, 18)]   # running after steps 2..8 only
    assert np.delete(alive, 3, axis=1).all()
    assert main(["analyze", "embed", "--run", str(runs / "p"), "-o", "first=2", "-o", "last=17",
                 "-o", "perplexity=5"]) == 0
    a = next(iter(summary(runs / "p", "embed")["agents"].values()))
    assert a["points_per_task"] == [16, 16, 16, 7, 16, 16, 16, 16] and a["points"] == 7 * 16 + 7
    ending_early(monkeypatch, embed, {k: 1 for k in range(1, 8)})    # one task left after step 1
    assert main(["analyze", "embed", "--run", str(runs / "p"), "-o", "first=2", "-o", "last=17"]) == 2
    ending_early(monkeypatch, embed, {0: 3, 1: 3, **{k: 1 for k in range(2, 8)}})   # one point each of 2 tasks
    capsys.readouterr()
    assert main(["analyze", "embed", "--run", str(runs / "p"), "-o", "first=2", "-o", "last=17"]) == 2
    assert "too few traces of running episodes after step 2 (2 points of 2 tasks)" in capsys.readouterr().err


def test_injury_says_how_many_episodes_were_still_running(runs, monkeypatch):
    """Ended episodes earn 0 and count so in the reward means; the summary says how many ran, and an
    injury after every episode has ended is reported (NaN), not a crash."""
    from pdlf_brian.analysis import injury
    from pdlf_brian.analysis.common import load_run
    # seed 0's first task ends at the injury's step (the weights are zeroed after it: not injured), seed 1's
    # second after it
    ending_early(monkeypatch, injury, {0: 6, 9: 12})
    per_step, _, check, _ = injury.injure(load_run(runs / "w"), seeds=2, at=6, duration=4, steps=20)
    assert check["running_at_injury"] == 15 / 16 and check["running_at_end"] == 14 / 16
    assert check["injury_held"] is True
    ending_early(monkeypatch, injury, {k: 2 for k in range(16)})
    _, _, check, _ = injury.injure(load_run(runs / "w"), seeds=2, at=6, duration=4, steps=20)
    assert check["running_at_injury"] == 0 and np.isnan(check["max_abs_w_after_injured_steps"])
    assert check["injury_held"] is False


def test_lesion_says_how_many_episodes_ran_to_the_end(runs, monkeypatch):
    from pdlf_brian.analysis import lesion
    from pdlf_brian.analysis.common import load_run
    ending_early(monkeypatch, lesion, {2: 5, 13: 14})
    ret, running = lesion.lesioned_returns(load_run(runs / "w"), lesion.masks(4, (0.0, 0.5), 2), steps=15)
    assert ret.shape == (2, 2) and running.tolist() == [14 / 16, 14 / 16]


def test_embed_refuses_a_task_without_training_tasks(tmp_path, capsys):
    ur5e = tmp_path / "ur5e"
    assert main(["train", "--task", "ur5e", "--hidden", "4", "--pop", "3", "--generations", "1",
                 "--episode-steps", "10", "--tasks-per-eval", "1", "--quiet", "--out", str(ur5e)]) == 0
    capsys.readouterr()
    assert main(["analyze", "embed", "--run", str(ur5e)]) == 2
    err = capsys.readouterr().err
    assert "ur5e has no training tasks" in err and not (ur5e / "analysis").exists()  # no empty folder left


def test_control_schedules_and_wrong_task(runs, tmp_path):
    from pdlf_brian.analysis.control import schedule
    assert np.allclose(np.unique(schedule("rectangle", 40)), [-np.pi, -np.pi / 2, 0, np.pi / 2])
    assert len(np.unique(schedule("triangle", 30))) == 3
    hc = schedule("half_circle", 10)
    assert hc[0] == -np.pi / 2 and np.all(np.diff(hc) > 0)
    assert main(["analyze", "control", "--run", str(runs / "p")]) == 2  # halfcheetah has no direction
    ant = tmp_path / "ant"
    assert main(["train", "--task", "ant_dir", "--hidden", "4", "--pop", "3", "--generations", "1",
                 "--episode-steps", "10", "--tasks-per-eval", "1", "--quiet", "--out", str(ant)]) == 0
    assert main(["analyze", "control", "--run", str(ant), "-o", "steps=24"]) == 0
    s = summary(ant, "control")
    for kind in ("triangle", "rectangle", "half_circle"):
        k = next(iter(s["agents"].values()))[kind]
        assert -1 <= k["mean_cosine"] <= 1 and -1 <= k["weighted_cosine"] <= 1
        assert 1 <= k["steps_running"] <= 24


def test_wm_probe_bio_reports_rates_in_hz(tmp_path):
    run = tmp_path / "bio"
    assert main(["train", "--task", "wm", "--model", "bio", "--hidden", "4", "--len", "2", "--lat", "1",
                 "--sequences", "2", "--test-sequences", "4", "--pop", "3", "--generations", "1",
                 "--stimulus-ms", "30", "--sigma0", "0.5", "--backend", "numpy", "--quiet", "--out", str(run)]) == 0
    assert main(["analyze", "wm-probe", "--run", str(run), "-o", "sequences=4", "-o", "examples=3"]) == 0
    s = summary(run, "wm-probe")
    assert s["activity_per_phase"]["sample"]["phase_ms"] == [0.0, 60.0]
    assert all(v["rate_hz"] is None or v["rate_hz"] >= 0 for v in s["activity_per_phase"].values())
    z = next(iter(s["zeroing"].values()))
    assert 0 <= z["accuracy_zeroed_delay"] <= 1
    # the serial-position curve uses the bio model's decision threshold, as the score does
    assert np.mean(z["per_position"]) == pytest.approx(z["accuracy"], abs=1e-12)


def test_an_analysis_reads_a_run_with_the_rule_it_ran_with(runs, tmp_path, capsys):
    """A rule file edited after the run: load_run (every analysis, the replay example) uses the run's own
    flattened copy, and says so; a shipped rule that has not changed is read from the copy silently."""
    from pdlf_brian.analysis.common import load_run
    from pdlf_brian.rules import flatten, load_rule

    rule = tmp_path / "mine.py"
    rule.write_text('NAME = "mine"\nCOEFFICIENTS = ("eta", "B", "D")\nDISCRETE = "eta * (B * post + D)"\n')
    run = tmp_path / "run"
    assert main(["train", *WM, "--generations", "1", "--rule", str(rule), "--out", str(run)]) == 0
    ran_with = flatten(load_rule(str(rule)), False)
    from pdlf_brian.export import export
    (tmp_path / "before").mkdir()
    export(run, tmp_path / "before" / "agent.py")
    rule.write_text('NAME = "mine"\nCOEFFICIENTS = ("eta", "B", "D")\nDISCRETE = "eta * (B * pre + D)"\n')
    capsys.readouterr()
    r = load_run(run)
    assert r.cfg.rule == str(run / "models" / "rule.py")
    assert flatten(load_rule(r.cfg.rule), False) == ran_with != flatten(load_rule(str(rule)), False)
    assert "has changed since the run" in capsys.readouterr().err and r.label == "mine (run)"
    shipped = load_run(runs / "wm_p")  # unchanged: read by its name, exactly as trained
    assert shipped.cfg.rule == "scp+pdp" and "changed" not in capsys.readouterr().err
    export(run, tmp_path / "agent.py")  # export too reads the rule the run ran with (the file says B * pre now)
    assert "has changed since the run" in capsys.readouterr().err
    assert (tmp_path / "agent.py").read_text() == (tmp_path / "before" / "agent.py").read_text()


def test_a_baseline_of_another_task_or_episode_length_is_refused(runs, tmp_path, capsys):
    """An agent of another task (or other actuators, environment options, or - where each agent plays
    its own episode length - another length) was compared on one axis without a word: generalise drew
    halfcheetah's target speeds as ant directions.  Refused in one line, before anything runs.  Two
    runs of one rule in folders of one name keep two labels."""
    import shutil
    other = tmp_path / "other"
    assert main(["train", *RL, "--episode-steps", "10", "--rule", "weights", "--out", str(other / "w")]) == 0
    capsys.readouterr()
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "--baseline", str(other / "w"), "-o", "seeds=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not comparable: episode_steps 20 against 10 (or give both one length" in err[0], err
    assert main(["analyze", "lesion", "--run", str(runs / "p"), "--baseline", str(other / "w"), "-o", "seeds=1",
                 "-o", "steps=5", "-o", "fractions=[0, 0.5]"]) == 0
    capsys.readouterr()
    s = summary(runs / "p", "lesion")
    for a in s["agents"].values():  # halfcheetah's returns are negative: no ratio, a difference
        assert a["minus_intact"][0] == 0.0
        assert a["relative_to_intact"] is None or a["relative_to_intact"][0] == 1.0
    cfg = json.loads((other / "w" / "config.json").read_text())
    cfg["task"] = "ant_dir"
    shutil.copytree(other / "w", other / "ant")
    (other / "ant" / "config.json").write_text(json.dumps(cfg))
    for name in ("generalise", "injury", "lesion"):
        assert main(["analyze", name, "--run", str(runs / "p"), "--baseline", str(other / "ant")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "task 'halfcheetah_vel' against 'ant_dir'" in err[0], err
    shutil.copytree(runs / "w", other / "p")  # another run named like --run ("p"), with the same rule
    from pdlf_brian.analysis.common import load_agents
    a, b = load_agents("lesion", runs / "w", other / "p")
    assert a.label != b.label


def test_wm_probe_of_a_run_with_e6_per_postsynaptic_neuron(tmp_path):
    """A run trained with --normalise post stores one E6 divisor per postsynaptic neuron; wm-probe's
    synapse trajectories divide each synapse by its own neuron's (it once indexed them as one per copy)."""
    run = tmp_path / "wm_np"
    assert main(["train", *WM, "--sharing", "post", "--normalise", "post", "--out", str(run)]) == 0
    assert main(["analyze", "wm-probe", "--run", str(run), "-o", "sequences=8", "-o", "examples=2"]) == 0
    assert (run / "analysis" / "wm-probe" / "synapse_trajectories.png").exists()
