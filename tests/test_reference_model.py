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


@pytest.mark.parametrize("backend,recurrent,sharing", [
    ("cython", False, "synapse"), ("cython", True, "synapse"), ("numpy", False, "synapse"), ("numpy", True, "synapse"),
    # shared rules are factored into per-neuron terms (builder.ReferenceFamily.factor).  Compiled: the WM
    # default (plastic recurrence, one rule per postsynaptic neuron), whose modules the smoke test's
    # training then finds in the cache (a cold cache compiles each configuration once, for minutes)
    pytest.param("cython", True, "post", marks=CY), ("cython", True, "pre"), ("cython", True, "layer"),
    ("numpy", True, "post"),
    pytest.param("cython", True, "post,out=synapse", marks=CY)])
def test_matches_numpy_e1_e6(backend, recurrent, sharing):
    rng = np.random.default_rng(1)
    P, B = 3, 2
    net = Controller("reference", load_rule("scp+pdp"), N_IN, H, N_OUT, P, B, T, recurrent=recurrent,
                     backend=backend, record=True, sharing=sharing)
    genomes = random_genomes(net.layout, P, rng)
    x = rng.normal(0, 1.5, size=(T, P, B, N_IN))
    a = net.run_open_loop(genomes, x)
    rec = net.recorded()
    decoded = net.layout.decode(genomes)
    for p in range(P):
        c = {layer: {k: v[p] for k, v in d.items()} for layer, d in decoded.items()}
        for b in range(B):
            acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c.get("rec"))
            assert np.abs(spikes).sum() > 0, "the test inputs must make the network spike"
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["s"][:, p, b], spikes, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9, rtol=0)
            np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9, rtol=0)


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
