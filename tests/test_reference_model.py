"""The Brian2 reference network against an independent NumPy E1-E6 (to 1e-9)."""
import numpy as np
import pytest

from numpy_reference import run_controller
from pdlf_brian.builder import Controller, block_diagonal
from pdlf_brian.rules import load_rule

N_IN, H, N_OUT, T = 4, 7, 3, 30


def random_genomes(layout, P, rng, scale=0.6):
    return rng.normal(0, scale, size=(P, layout.size))


CY = pytest.mark.cython   # compiled; the other cython cases run the same code on the numpy target (conftest.py)


def evaluate_random(P, B, seed, rule="scp+pdp", **controller_kwargs):
    """One recorded open-loop evaluation of P random genomes x B random input sequences: the network, the
    inputs, its readout, its recording, and each genome's coefficients per layer as (n_pre, n_post) arrays
    (what the NumPy E1-E6 takes)."""
    rng = np.random.default_rng(seed)
    net = Controller("reference", load_rule(rule), N_IN, H, N_OUT, P, B, T, record=True, **controller_kwargs)
    genomes = random_genomes(net.layout, P, rng)
    x = rng.normal(0, 1.5, size=(T, P, B, N_IN))
    a = net.run_open_loop(genomes, x)
    decoded = net.layout.decode(genomes)
    coef = [{layer: {k: np.broadcast_to(v[p], (net.layout.layer(layer).n_pre, net.layout.layer(layer).n_post))
                     for k, v in d.items()} for layer, d in decoded.items()} for p in range(P)]
    return net, x, a, net.recorded(), coef


@pytest.mark.parametrize("backend,recurrent,sharing", [
    ("cython", False, "synapse"), ("cython", True, "synapse"), ("numpy", False, "synapse"), ("numpy", True, "synapse"),
    # shared rules are factored into per-neuron terms (builder.ReferenceFamily.factor).  Compiled: the WM
    # default (plastic recurrence, one rule per postsynaptic neuron), whose modules the smoke test's
    # training then finds in the cache (a cold cache compiles each configuration once, for minutes)
    pytest.param("cython", True, "post", marks=CY), ("cython", True, "pre"), ("cython", True, "layer"),
    ("numpy", True, "post"),
    pytest.param("cython", True, "post,out=synapse", marks=CY)])
def test_matches_numpy_e1_e6(backend, recurrent, sharing):
    P, B = 3, 2
    net, x, a, rec, coef = evaluate_random(P, B, 1, recurrent=recurrent, backend=backend, sharing=sharing)
    for p, c in enumerate(coef):
        for b in range(B):
            acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c.get("rec"))
            assert np.abs(spikes).sum() > 0, "the test inputs must make the network spike"
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["s"][:, p, b], spikes, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9, rtol=0)


@pytest.mark.parametrize("backend,sharing", [("numpy", "synapse"), ("numpy", "post"), ("cython", "pre,out=synapse"),
                                             pytest.param("cython", "post", marks=CY)])
def test_e6_per_postsynaptic_neuron_matches_numpy(backend, sharing):
    """normalise='post' (a variant of E6: each postsynaptic neuron's incoming weights divided by their own
    max |w|) against the NumPy E1-E6 with per-column normalisation, recurrence included; the recorded and
    the last step's weights are the normalised ones, and they differ from the paper's E6."""
    P, B = 2, 2
    net, x, a, rec, coef = evaluate_random(P, B, 3, recurrent=True, backend=backend, sharing=sharing,
                                           normalise="post")
    for p, c in enumerate(coef):
        for b in range(B):
            acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c["rec"], per="post")
            layer_e6 = run_controller(x[:, p, b], c["in"], c["out"], c["rec"])
            assert np.abs(spikes).sum() > 0, "the test inputs must make the network spike"
            assert max(np.abs(layer_e6[2] - w1).max(), np.abs(layer_e6[3] - w2).max()) > 1e-3, \
                "the test must tell the two normalisations apart"
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["s"][:, p, b], spikes, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9, rtol=0)
            np.testing.assert_allclose(np.abs(w2[-1]).max(axis=0)[np.abs(w2[-1]).max(axis=0) > 0], 1.0)
            np.testing.assert_allclose(net.weights("out")[p, b], w2[-1], atol=1e-9, rtol=0)
    with pytest.raises(ValueError, match="normalise must be one of layer, post, got 'neuron'"):
        Controller("reference", load_rule("scp+pdp"), N_IN, H, N_OUT, 1, 1, T, normalise="neuron")
    with pytest.raises(ValueError, match="normalise='post' is E6 of the reference model"):
        Controller("bio", load_rule("scp+pdp"), N_IN, H, N_OUT, 1, 1, T, normalise="post")


@pytest.mark.parametrize("sharing", ["synapse", "post"])
def test_a_rule_that_reads_w_reads_e6s_weight(tmp_path, sharing):
    """A DISCRETE rule may read w (rules.py); it must read the weight E6 defines (normalised), not the raw
    storage of the deferred normalisation.  E5 with a weight-dependent decay, against NumPy E1-E6."""
    (tmp_path / "decay.py").write_text('NAME = "decay"\nCOEFFICIENTS = ("eta", "A", "D")\n'
                                       'DISCRETE = "eta * (A * pre * (post - w) + D)"\n')
    rng = np.random.default_rng(5)
    P, B = 2, 2
    net = Controller("reference", load_rule(str(tmp_path / "decay.py")), N_IN, H, N_OUT, P, B, T, recurrent=True,
                     backend="numpy", record=True, sharing=sharing)
    genomes = random_genomes(net.layout, P, rng)
    x = rng.normal(0, 1.5, size=(T, P, B, N_IN))
    a = net.run_open_loop(genomes, x)
    rec = net.recorded()
    decoded = net.layout.decode(genomes)

    def decay(c, pre, post, W):
        return c["eta"] * (c["A"] * pre[:, None] * (post[None, :] - W) + c["D"])

    for p in range(P):
        c = {layer: {k: np.broadcast_to(v[p], (net.layout.layer(layer).n_pre, net.layout.layer(layer).n_post))
                     for k, v in d.items()} for layer, d in decoded.items()}
        for b in range(B):
            acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c["rec"], rule=decay, reads_w=True)
            assert np.abs(spikes).sum() > 0
            np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9, rtol=0)
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9, rtol=0)


def test_weights_rule_is_static_and_matches_numpy():
    rng = np.random.default_rng(2)
    P, B = 2, 2
    net = Controller("reference", load_rule("weights"), N_IN, H, N_OUT, P, B, T, record=True)
    genomes = random_genomes(net.layout, P, rng, scale=0.5)
    x = rng.normal(0, 1.0, size=(T, P, B, N_IN))
    a = net.run_open_loop(genomes, x)
    d = net.layout.decode(genomes)
    for p in range(P):
        for b in range(B):
            acts, spikes, _, _ = run_controller(x[:, p, b], None, None, static=(d["in"]["w"][p], d["out"]["w"][p]))
            assert np.abs(spikes).sum() > 0
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-12)
    rec = net.recorded()
    assert np.all(rec["w_in"] == rec["w_in"][:1]), "static weights must not change"


def test_repeated_evaluations_do_not_leak_state():
    rng = np.random.default_rng(3)
    net = Controller("reference", load_rule("scp+pdp"), N_IN, H, N_OUT, 2, 1, T)
    g = random_genomes(net.layout, 2, rng)
    x = rng.normal(size=(T, 2, 1, N_IN))
    first = net.run_open_loop(g, x)
    net.run_open_loop(random_genomes(net.layout, 2, rng), rng.normal(size=x.shape))
    np.testing.assert_array_equal(net.run_open_loop(g, x), first)


def test_all_zero_layer_is_guarded():
    """eta = 0 keeps the weights at zero; normalisation must not produce NaN."""
    net = Controller("reference", load_rule("scp+pdp"), N_IN, H, N_OUT, 1, 1, T, record=True)
    a = net.run_open_loop(np.zeros((1, net.layout.size)), np.ones((T, 1, 1, N_IN)))
    assert np.all(np.isfinite(a)) and np.all(a == 0)
    assert np.all(net.recorded()["w_in"] == 0)


def test_block_diagonal_synapses_are_copy_major():
    i, j = block_diagonal(2, 3, 4)
    assert len(i) == 24
    assert (i[:12] < 3).all() and (j[:12] < 4).all() and (i[12:] >= 3).all() and (j[12:] >= 4).all()
    assert list(i[:5]) == [0, 0, 0, 0, 1] and list(j[:5]) == [0, 1, 2, 3, 0]


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="n_hidden"):
        Controller("reference", load_rule("scp+pdp"), 3, 0, 1, 1)
    net = Controller("reference", load_rule("scp+pdp"), 3, 4, 1, 1, 1, 5)
    with pytest.raises(ValueError, match=r"inputs must have shape"):
        net.run_open_loop(np.zeros((1, net.layout.size)), np.zeros((4, 1, 1, 3)))
    with pytest.raises(ValueError, match=r"genomes must have shape"):
        net.run_open_loop(np.zeros((1, 7)), np.zeros((5, 1, 1, 3)))


@pytest.mark.parametrize("task,sharing,topology,hidden_alike,outputs_alike", [
    ("ant_dir", "pre", "ff", True, True), ("ant_dir", "layer", "ff", True, True),
    ("ant_dir", "post,out=pre", "ff", False, True), ("ant_dir", "pre,out=post", "ff", True, False),
    ("ant_dir", "post", "ff", False, False), ("wm", "pre", "rec", True, None),
    ("wm", "pre,rec=synapse", "rec", False, None)])
def test_the_symmetry_warning_says_what_the_network_does(task, sharing, topology, hidden_alike, outputs_alike):
    """`pdlf train` warns where a rule shared across a layer's postsynaptic neurons starts from zero weights
    (evolve.symmetric_layers); the network, run with random genomes and inputs, must do what it says: hidden
    neurons that spike alike for ever, readout neurons that give the same output (the WM readout is one)."""
    from pdlf_brian.config import Config
    from pdlf_brian.evolve import start_warnings

    cfg = Config(task=task, sharing=sharing, topology=topology).validate()
    said = " ".join(w for w in start_warnings(cfg) if "BLAS" not in w)
    assert ("layer 'in' shares its rule across the hidden neurons" in said) == hidden_alike
    assert ("every action is the same number" in said) == bool(outputs_alike)
    n_out = 1 if task == "wm" else 3
    rng = np.random.default_rng(11)
    net = Controller("reference", load_rule("scp+pdp"), N_IN, H, n_out, 3, 2, 60, recurrent=topology == "rec",
                     backend="numpy", record=True, sharing=sharing)
    a = net.run_open_loop(rng.normal(0, 0.6, (3, net.layout.size)), rng.normal(0, 1.5, (60, 3, 2, N_IN)))
    s = net.recorded()["s"]                                   # (T, P, B, H)
    assert np.abs(s).sum() > 0
    assert (np.abs(s - s[..., :1]).max() == 0) == hidden_alike
    if outputs_alike is not None:
        assert (np.abs(a - a[..., :1]).max() == 0) == outputs_alike


def test_symmetry_with_equal_initial_weights_and_with_a_noisy_rule(tmp_path):
    """Equal non-zero initial weights keep a layer symmetric like zeros (warned); a rule with a random term
    draws it per synapse, which breaks the symmetry (not warned).  A shared rule with noise is not factored
    into per-neuron terms, which would draw the noise once per neuron."""
    from pdlf_brian.config import Config
    from pdlf_brian.evolve import start_warnings
    from pdlf_brian.weights import for_rule

    rule = load_rule("scp+pdp")
    cfg = Config(task="ant_dir", sharing="pre", init_weights="uniform:0.2,0.2").validate()
    assert any("from equal initial weights (uniform:0.2,0.2): layer 'in'" in w for w in start_warnings(cfg))
    rng = np.random.default_rng(2)
    net = Controller("reference", rule, N_IN, H, 3, 2, 2, 40, backend="numpy", record=True, sharing="pre",
                     init_weights=for_rule("uniform:0.2,0.2", rule))
    a = net.run_open_loop(rng.normal(0, 0.6, (2, net.layout.size)), rng.normal(0, 1.5, (40, 2, 2, N_IN)), rng=rng)
    s = net.recorded()["s"]
    assert np.abs(s).sum() > 0 and np.abs(s - s[..., :1]).max() == 0 and np.abs(a - a[..., :1]).max() == 0

    (tmp_path / "noisy.py").write_text('NAME = "noisy"\nCOEFFICIENTS = ("eta", "A", "D")\n'
                                       'DISCRETE = "eta * (A * pre * post + D) + 0.05 * randn()"\n')
    noisy = load_rule(str(tmp_path / "noisy.py"))
    cfg = Config(task="ant_dir", sharing="pre", rule=str(tmp_path / "noisy.py")).validate()
    assert not any("shares its rule across" in w for w in start_warnings(cfg))
    net = Controller("reference", noisy, N_IN, H, 3, 2, 2, 40, backend="numpy", record=True, sharing="pre")
    assert net._factored == {"in": None, "out": None}
    net.run_open_loop(rng.normal(0, 0.6, (2, net.layout.size)), rng.normal(0, 1.5, (40, 2, 2, N_IN)), rng=rng)
    w = net.recorded()["w_in"]                                    # (T, P, B, n_in, H)
    assert np.abs(w[-1] - w[-1][..., :1]).max() > 1e-3, "noise drawn per synapse makes the columns differ"
