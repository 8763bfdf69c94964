"""Biological rule: spike-pair weight changes against the analytic window."""
import numpy as np
import pytest

from pdlf_brian.analysis.window import analytic_window_bio, simulated_window_bio
from pdlf_brian.builder import Controller
from pdlf_brian.rules import load_rule


@pytest.mark.parametrize("coef", [dict(eta=0.5, A=1.0, B=0.0, C=0.0, D=0.0),
                                  dict(eta=0.3, A=-0.7, B=0.2, C=0.4, D=0.0),
                                  dict(eta=1.0, A=0.0, B=-0.5, C=0.0, D=0.0)])
def test_pair_window_matches_analytic(coef):
    delta = np.array([-60.0, -20.0, -5.0, -1.0, 1.0, 3.0, 10.0, 40.0, 80.0])
    got = simulated_window_bio(load_rule("scp+pdp"), coef, delta)
    want = analytic_window_bio(coef["eta"], coef["A"], coef["B"], coef["C"], delta)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


def test_scp_only_window_is_hebbian_and_pdp_only_is_flat():
    delta = np.array([-30.0, -3.0, 3.0, 30.0])
    scp = simulated_window_bio(load_rule("scp"), dict(eta=1.0, A=1.0, C=0.0), delta)
    assert np.all(scp > 0) and scp[1] > scp[0] and scp[2] > scp[3]
    pdp = simulated_window_bio(load_rule("pdp"), dict(eta=1.0, B=0.25, D=0.0), delta)
    np.testing.assert_allclose(pdp, 0.25)


def test_bio_network_runs_batched_and_copies_are_independent():
    rule = load_rule("scp+pdp")
    net = Controller("bio", rule, 3, 6, 1, 2, 2, 4, step_ms=50.0, recurrent=True)
    rng = np.random.default_rng(0)
    g = rng.normal(0, 0.5, (2, net.layout.size))
    g[:, : net.layout.size // 10] = np.abs(g[:, : net.layout.size // 10])
    x = rng.choice([-1.0, 0.0, 1.0], size=(4, 2, 2, 3))
    y = net.run_open_loop(g, x)
    assert y.shape == (4, 2, 2, 1) and np.all(np.isfinite(y))
    # a copy's output depends only on its own inputs and genome
    x2 = x.copy()
    x2[:, 1, 1] = -x2[:, 1, 1]
    y2 = net.run_open_loop(g, x2)
    np.testing.assert_array_equal(y2[:, 0], y[:, 0])
    np.testing.assert_array_equal(y2[:, 1, 0], y[:, 1, 0])


@pytest.mark.parametrize("budget", [4.0, 1e9])
def test_synaptic_scaling_bounds_pdp_growth(budget):
    """PDP alone (eta*B per presynaptic spike) grows weights without bound unless scaled."""
    rule = load_rule("pdp")
    ns = {"w_budget": budget, "w_max": 1e9}
    net = Controller("bio", rule, 3, 5, 1, 1, 1, 4, step_ms=50.0, namespace=ns)
    g = net.layout.encode({"in": {"eta": np.ones((1, 6, 5)), "B": np.full((1, 6, 5), 0.1), "D": np.zeros((1, 6, 5))},
                           "out": {"eta": np.zeros((1, 5, 1)), "B": np.zeros((1, 5, 1)), "D": np.zeros((1, 5, 1))}})
    net.run_open_loop(g, np.ones((4, 1, 1, 3)))
    l1 = np.abs(net.synapses["in"].variables["w"].get_value().reshape(6, 5)).sum(axis=0)
    # inputs fire at most 2 spikes per 10 ms scaling interval; 3 of the 6 push-pull neurons are active
    growth_between_scalings = 3 * 2 * 0.1
    if budget < 100:
        assert np.all(l1 <= budget + growth_between_scalings + 1e-9)
    else:
        assert np.all(l1 > 4.0 + growth_between_scalings)  # 200 ms x 100 Hz x 3 inputs x 0.1 = 6


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_hard_bound_holds_after_every_update(sign):
    """|w| <= w_max at every time step, not only at the scaling steps: PDP's B of +-1 per spike and a
    drift push every weight past the bound within one 10 ms scaling interval."""
    from brian2 import StateMonitor
    rule = load_rule("pdp")
    net = Controller("bio", rule, 3, 5, 1, 1, 1, 4, step_ms=50.0, namespace={"w_max": 0.7, "w_budget": 1e9},
                     backend="numpy")
    mon = StateMonitor(net.synapses["in"], "w", record=True, when="end", name="w_every_dt")
    net.net.add(mon)
    ones = np.ones((1, 6, 5))
    g = net.layout.encode({"in": {"eta": ones, "B": sign * ones, "D": sign * ones},
                           "out": {"eta": np.zeros((1, 5, 1)), "B": np.zeros((1, 5, 1)), "D": np.zeros((1, 5, 1))}})
    net.run_open_loop(g, np.ones((4, 1, 1, 3)))
    w = np.asarray(mon.w)
    assert np.abs(w).max() <= 0.7 + 1e-12
    assert np.isclose(sign * w.max() if sign > 0 else -w.min(), 0.7)   # the bound is reached, so it was tested


@pytest.mark.parametrize("sharing,alike", [("pre,out=post", True), ("layer", True), ("synapse", False),
                                           ("post", False)])
def test_the_symmetry_warning_holds_for_the_biological_model(sharing, alike):
    """The biological model is deterministic (LIF, no noise), so a rule shared across the hidden neurons
    from zero weights leaves them spiking at the same times (evolve.symmetric_layers warns; the default
    WM protocol, post,in=channel, is such a case); per synapse or per postsynaptic neuron they differ."""
    from pdlf_brian.config import Config
    from pdlf_brian.evolve import start_warnings

    cfg = Config(task="wm", model="bio", sharing=sharing, hidden=5, topology="ff").validate()
    said = [w for w in start_warnings(cfg) if "layer 'in' shares its rule across the hidden neurons" in w]
    assert bool(said) == alike
    net = Controller("bio", load_rule("scp+pdp"), 3, 5, 1, 2, 2, 6, step_ms=50.0, sharing=sharing, record=True,
                     backend="numpy")
    rng = np.random.default_rng(4)   # genomes and inputs that make every sharing here spike
    g = rng.normal(0, 0.5, (2, net.layout.size))
    g[:, 0] = np.abs(g[:, 0])
    net.run_open_loop(g, rng.choice([-1.0, 0.0, 1.0], size=(6, 2, 2, 3)))
    spikes = net.monitors["hidden_spikes"]
    i, t = np.asarray(spikes.i), np.asarray(spikes.t)
    assert len(i) > 0, "the test inputs must make the hidden neurons spike"
    trains = [tuple(t[i == k]) for k in range(4 * 5)]                 # 4 copies x 5 hidden neurons
    same = all(len(set(trains[c * 5:(c + 1) * 5])) == 1 for c in range(4))
    assert same == alike


def test_a_silent_evaluation_after_a_spiking_one_records_no_spikes():
    """The reset between evaluations restores the monitors: a SpikeMonitor's record of neuron indices
    (its variable ``i``) once shared a name with the synapses' connectivity, which the reset skips, so a
    run without spikes showed the previous run's indices (with no times)."""
    net = Controller("bio", load_rule("scp+pdp"), 3, 5, 1, 2, 2, 6, step_ms=50.0, sharing="layer", record=True,
                     backend="numpy")
    spiking, silent = np.random.default_rng(4), np.random.default_rng(0)   # 115 and 0 hidden spikes
    for rng, spikes in ((spiking, True), (silent, False), (np.random.default_rng(4), True)):
        g = rng.normal(0, 0.5, (2, net.layout.size))
        g[:, 0] = np.abs(g[:, 0])
        net.run_open_loop(g, rng.choice([-1.0, 0.0, 1.0], size=(6, 2, 2, 3)))
        m = net.monitors["hidden_spikes"]
        assert len(m.i) == len(m.t) == m.num_spikes
        assert (m.num_spikes > 0) == spikes
