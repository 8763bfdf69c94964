import numpy as np
import pytest

from pdlf_brian.tasks.wm import CopyTask


@pytest.mark.parametrize("L,D", [(1, 0), (8, 0), (8, 8), (16, 3)])
def test_stimulus_layout(L, D):
    task = CopyTask(L, D)
    rng = np.random.default_rng(0)
    bits = task.sample(rng, 50)
    x = task.inputs(bits)
    assert task.n_steps == 2 * L + D and x.shape == (2 * L + D, 50, 3)
    assert set(np.unique(bits)) <= {0, 1}
    np.testing.assert_array_equal(x[:L, :, 0], 2 * bits.T - 1)          # sample values
    assert np.all(x[L:, :, 0] == 0)
    assert np.all(x[:L, :, 1] == 1) and np.all(x[L:, :, 1] == 0)         # sample-phase flag
    cue = np.zeros(2 * L + D)
    cue[L + D:] = 1
    np.testing.assert_array_equal(x[:, :, 2], np.repeat(cue[:, None], 50, axis=1))
    np.testing.assert_array_equal(task.targets(bits), bits.T)


def test_fresh_sequences_per_generator_and_balanced():
    task = CopyTask(8, 8)
    a = task.sample(np.random.default_rng([0, 1]), 4000)
    b = task.sample(np.random.default_rng([0, 2]), 4000)
    assert not np.array_equal(a, b)
    assert abs(a.mean() - 0.5) < 0.02


def test_score_perfect_chance_and_inverted():
    task = CopyTask(4, 2)
    rng = np.random.default_rng(1)
    bits = task.sample(rng, 200)
    readout = np.zeros((task.n_steps, 200))
    readout[task.recall] = np.where(task.targets(bits) == 1, 5.0, -5.0)
    acc, fit = task.score(readout, bits)
    assert acc == 1.0 and fit > 0.99
    acc, _ = task.score(-readout, bits)
    assert acc == 0.0
    acc, _ = task.score(rng.normal(size=readout.shape), bits)
    assert 0.4 < acc < 0.6


def test_non_finite_readout_gets_finite_worst_fitness():
    task = CopyTask(4, 0)
    bits = np.ones((3, 4), dtype=int)
    readout = np.ones((task.n_steps, 2, 3))
    readout[5, 1, 0] = np.nan
    acc, fit = task.score(readout, bits)
    assert acc[0] == 1.0 and acc[1] == 0.0
    assert np.isfinite(fit).all() and fit[1] == -2.0 and fit[1] < fit[0]


def test_bad_lengths():
    with pytest.raises(ValueError, match="length"):
        CopyTask(0, 1)
    with pytest.raises(ValueError, match="latency"):
        CopyTask(4, -1)


@pytest.mark.parametrize("L,D", [(1, 0), (8, 8), (16, 3)])
def test_position_context_marks_each_sample_step_and_its_recall_step(L, D):
    task = CopyTask(L, D, "position")
    bits = task.sample(np.random.default_rng(2), 20)
    x = task.inputs(bits)
    plain = CopyTask(L, D).inputs(bits)
    assert task.n_in == 3 + L and x.shape == (2 * L + D, 20, 3 + L)
    np.testing.assert_array_equal(x[..., :3], plain)                    # the paper's channels unchanged
    for k in range(L):
        on = np.zeros(2 * L + D)
        on[[k, L + D + k]] = 1                                          # sample step k and recall step k
        np.testing.assert_array_equal(x[:, :, 3 + k], np.repeat(on[:, None], 20, axis=1))
    # the context says when, never what: it is the same for every sequence
    assert np.all(x[:, :, 3:] == x[:, :1, 3:])


def test_decision_threshold_shifts_the_answer():
    """A readout just above 0 (the tail of an earlier spike) is bit 0 under a threshold of 1."""
    task = CopyTask(2, 0, threshold=1.0)
    bits = np.array([[1, 0]])
    readout = np.array([[0.0], [0.0], [3.0], [0.2]])                    # recall: 3 (bit 1), 0.2 (bit 0)
    acc, _ = task.score(readout, bits)
    assert acc == 1.0
    acc, _ = CopyTask(2, 0).score(readout, bits)
    assert acc == 0.5
    assert task.answers(readout)[:, 0].tolist() == [True, False]


def test_each_model_family_states_its_decision_threshold():
    """from_config takes the threshold from the model family: 0 for the signed reference readout, the
    model file's DECISION_THRESHOLD for the biological one (a spike-driven readout never reaches 0)."""
    from pdlf_brian.config import Config
    from pdlf_brian.models import bio
    assert CopyTask.from_config(Config(model="reference").validate()).threshold == 0.0
    assert CopyTask.from_config(Config(model="bio").validate()).threshold == bio.DECISION_THRESHOLD > 0


def test_bad_context_names_the_flag():
    with pytest.raises(ValueError, match="--wm-context"):
        CopyTask(4, 1, "clock")
    from pdlf_brian.config import Config, ConfigError
    with pytest.raises(ConfigError, match="'wm_context'"):
        Config(wm_context="clock").validate()
    with pytest.raises(ConfigError, match="'wm_context': only the wm task"):
        Config(task="hopper_vel", wm_context="position").validate()


@pytest.mark.parametrize("L,D,h", [(1, 0, 2), (3, 2, 2), (8, 8, 3)])
def test_held_stimuli_repeat_each_row_and_answer_at_the_last_step(L, D, h):
    """hold h: every stimulus (sample item, delay, recall cue) lasts h steps; recall cue k is answered at
    the last of its h steps, and only there."""
    task, one = CopyTask(L, D, "position", hold=h), CopyTask(L, D, "position")
    bits = task.sample(np.random.default_rng(3), 10)
    x, x1 = task.inputs(bits), one.inputs(bits)
    assert task.n_steps == h * (2 * L + D) == x.shape[0]
    for s in range(2 * L + D):                                          # stimulus s fills steps s*h .. s*h+h-1
        for r in range(h):
            np.testing.assert_array_equal(x[s * h + r], x1[s])
    answered = [h * (L + D) + h * k + h - 1 for k in range(L)]
    assert list(range(task.n_steps))[task.recall] == answered
    readout = np.full((task.n_steps, 10), -5.0)                         # wrong everywhere except where read
    readout[answered] = np.where(task.targets(bits) == 1, 5.0, -5.0)
    readout[[a - 1 for a in answered]] = np.where(task.targets(bits) == 1, -5.0, 5.0)
    acc, _ = task.score(readout, bits)
    assert acc == 1.0
    assert task.answers(readout).shape == (L, 10)


def test_hold_one_is_the_paper_schedule():
    bits = CopyTask(8, 8).sample(np.random.default_rng(4), 6)
    np.testing.assert_array_equal(CopyTask(8, 8, hold=1).inputs(bits), CopyTask(8, 8).inputs(bits))
    assert CopyTask(8, 8, hold=1).recall == CopyTask(8, 8).recall == slice(16, 24, 1)


def test_a_held_evaluation_matches_the_numpy_reference():
    """The reference network on a held schedule (hold 2) scores what the NumPy E1-E6 scores on the
    same steps: the hold changes only the task's inputs and where answers are read."""
    from numpy_reference import run_controller
    from pdlf_brian.config import Config
    from pdlf_brian.evaluate import WMEvaluator
    cfg = Config(hidden=4, length=3, latency=1, hold=2, sequences=3, pop=4, sigma0=0.5, backend="numpy",
                 generations=1)
    ev = WMEvaluator(cfg, 2)
    assert ev.task.n_steps == 2 * (2 * 3 + 1)
    rng = np.random.default_rng(5)
    genomes = rng.normal(0, 0.6, (2, ev.layout.size))
    acc, _, _ = ev.evaluate(genomes, np.random.default_rng(6))
    bits = CopyTask(3, 1).sample(np.random.default_rng(6), 3)           # the batch evaluate draws
    x = np.repeat(CopyTask(3, 1).inputs(bits), 2, axis=0)                # each stimulus twice
    decoded = ev.layout.decode(genomes)
    spiked = 0
    for p in range(2):
        c = {layer: {k: np.broadcast_to(v[p], (ev.layout.layer(layer).n_pre, ev.layout.layer(layer).n_post))
                     for k, v in d.items()} for layer, d in decoded.items()}
        correct = []
        for b in range(3):
            acts, spikes, _, _ = run_controller(x[:, b], c["in"], c["out"], c.get("rec"))
            spiked += np.abs(spikes).sum()
            correct += [(acts[2 * (3 + 1) + 2 * k + 1, 0] > 0) == (bits[b, k] == 1) for k in range(3)]
        assert acc[p] == pytest.approx(np.mean(correct), abs=1e-12)
    assert spiked > 0, "the test inputs must make the network spike"


def test_hold_is_checked_and_belongs_to_the_reference_wm_task():
    from pdlf_brian.config import Config, ConfigError
    with pytest.raises(ValueError, match="--hold"):
        CopyTask(4, 1, hold=0)
    with pytest.raises(ConfigError, match="'hold': must be an integer >= 1"):
        Config(hold=0).validate()
    with pytest.raises(ConfigError, match="'hold'.*stimulus_ms"):
        Config(model="bio", hold=2).validate()
    with pytest.raises(ConfigError, match="'hold': 2 applies to the wm task"):
        Config(task="hopper_vel", hold=2).validate()
    assert CopyTask.from_config(Config(hold=3).validate()).n_steps == 3 * 24
