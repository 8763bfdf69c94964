import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from pdlf_brian.genome import SHARINGS, GenomeLayout

COEF = ("eta", "A", "B", "C", "D")


def test_reference_layout_for_sharing_synapse():
    """layer 1 then layer 2, each eta, A, B, C, D, each (n_pre, n_post) row-major."""
    n_in, H, n_out = 3, 4, 2
    layout = GenomeLayout([("in", n_in, H), ("out", H, n_out)], COEF, "synapse")
    assert layout.size == 5 * H * (n_in + n_out)
    g = np.arange(layout.size, dtype=float)
    d = layout.decode(g)
    np.testing.assert_array_equal(d["in"]["eta"][0], g[:n_in * H].reshape(n_in, H))
    np.testing.assert_array_equal(d["in"]["A"][0], g[n_in * H:2 * n_in * H].reshape(n_in, H))
    off = 5 * n_in * H
    np.testing.assert_array_equal(d["out"]["eta"][0], g[off:off + H * n_out].reshape(H, n_out))
    np.testing.assert_array_equal(d["out"]["D"][0], g[-H * n_out:].reshape(H, n_out))


@pytest.mark.parametrize("sharing,per_layer", [("synapse", lambda a, b: a * b), ("post", lambda a, b: b),
                                               ("pre", lambda a, b: a), ("layer", lambda a, b: 1)])
def test_sizes_and_broadcast(sharing, per_layer):
    layout = GenomeLayout([("in", 3, 5), ("out", 5, 2)], COEF, sharing)
    assert layout.size == 5 * (per_layer(3, 5) + per_layer(5, 2))
    g = np.random.default_rng(0).normal(size=(2, layout.size))
    d = layout.decode(g)
    A = d["in"]["A"]
    assert A.shape == (2, 3, 5)
    if sharing == "post":
        assert np.all(A == A[:, :1, :])
    if sharing == "pre":
        assert np.all(A == A[:, :, :1])
    if sharing == "layer":
        assert np.all(A == A[:, :1, :1])


@settings(max_examples=60, deadline=None)
@given(n_pre=st.integers(1, 6), n_post=st.integers(1, 6), n_out=st.integers(1, 4), P=st.integers(1, 3),
       sharing=st.sampled_from([s for s in SHARINGS if s != "channel"]), seed=st.integers(0, 2**16))
def test_round_trip(n_pre, n_post, n_out, P, sharing, seed):
    layout = GenomeLayout([("in", n_pre, n_post), ("rec", n_post, n_post), ("out", n_post, n_out)],
                          COEF, sharing)
    g = np.random.default_rng(seed).normal(size=(P, layout.size))
    np.testing.assert_array_equal(layout.encode(layout.decode(g)), g)


def test_encode_rejects_unshared_arrays():
    layout = GenomeLayout([("in", 2, 3)], ("w",), "post")
    d = {"in": {"w": np.arange(6.0).reshape(1, 2, 3)}}
    with pytest.raises(ValueError, match="not shared per post"):
        layout.encode(d)


def test_bad_layouts():
    with pytest.raises(ValueError, match="unknown sharing 'neuron'"):
        GenomeLayout([("in", 2, 3)], COEF, "neuron")
    with pytest.raises(ValueError, match="impossible shape"):
        GenomeLayout([("in", 0, 3)], COEF)
    layout = GenomeLayout([("in", 2, 3)], COEF)
    with pytest.raises(ValueError, match=r"shape \(P, 30\)"):
        layout.decode(np.zeros(29))


def test_per_layer_sharing_is_each_layer_of_the_single_sharings():
    """'post,out=synapse': every layer decodes exactly as the layout of its own sharing would."""
    layers = [("in", 3, 5), ("rec", 5, 5), ("out", 5, 2)]
    mixed = GenomeLayout(layers, COEF, "post,out=synapse")
    assert mixed.per_layer == {"in": "post", "rec": "post", "out": "synapse"}
    assert mixed.size == 5 * (5 + 5 + 5 * 2)
    g = np.random.default_rng(1).normal(size=(2, mixed.size))
    d = mixed.decode(g)
    head = 5 * (5 + 5)
    post = GenomeLayout(layers[:2], COEF, "post").decode(g[:, :head])
    syn = GenomeLayout(layers[2:], COEF, "synapse").decode(g[:, head:])
    for c in COEF:
        np.testing.assert_array_equal(d["in"][c], post["in"][c])
        np.testing.assert_array_equal(d["rec"][c], post["rec"][c])
        np.testing.assert_array_equal(d["out"][c], syn["out"][c])
    # naming every layer is the same layout
    explicit = GenomeLayout(layers, COEF, "in=post, rec=post, out=synapse")
    assert explicit.describe() == mixed.describe()
    np.testing.assert_array_equal(explicit.encode(d), g)


@settings(max_examples=40, deadline=None)
@given(shares=st.tuples(st.sampled_from(SHARINGS), *[st.sampled_from([s for s in SHARINGS if s != "channel"])] * 2),
       kinds=st.lists(st.sampled_from("abc"), min_size=3, max_size=3), seed=st.integers(0, 2**16))
def test_round_trip_per_layer(shares, kinds, seed):
    layout = GenomeLayout([("in", 3, 4), ("rec", 4, 4), ("out", 4, 2)], COEF,
                          ",".join(f"{n}={s}" for n, s in zip(("in", "rec", "out"), shares)), input_kinds=kinds)
    g = np.random.default_rng(seed).normal(size=(2, layout.size))
    np.testing.assert_array_equal(layout.encode(layout.decode(g)), g)


@pytest.mark.parametrize("spec,message", [
    ("post,out=neuron", "unknown sharing 'neuron'"),
    ("post,synapse", "two defaults"),
    ("post,hid=synapse", "names layer.*hid.*plastic layers are in, out"),
    ("in=post", "no sharing for layer.*out"),
    ("post,out=synapse,out=pre", "repeated layer name 'out'"),
    ("", "non-empty"),
])
def test_bad_per_layer_sharing(spec, message):
    with pytest.raises(ValueError, match=message):
        GenomeLayout([("in", 2, 3), ("out", 3, 1)], COEF, spec)


def test_layers_are_found_by_name_in_genome_order():
    layout = GenomeLayout([("in", 4, 3), ("out", 3, 1)], ["A", "B"], "post")
    assert [layout.layer_index(n) for n in ("in", "out")] == [0, 1]
    assert layout.layer("out").n_pre == 3
    with pytest.raises(KeyError, match="'rec'.*in, out"):
        layout.layer("rec")


def test_channel_sharing_one_rule_per_kind_of_input():
    kinds = ["bit+", "bit-", "pos+", "pos-", "pos+", "pos-"]
    layout = GenomeLayout([("in", 6, 4), ("out", 4, 1)], ["A", "B"], "post,in=channel", input_kinds=kinds)
    assert layout.kinds == ("bit+", "bit-", "pos+", "pos-") and layout.size == 2 * 4 + 2 * 1
    g = np.arange(layout.size, dtype=float)[None]
    A = layout.decode(g)["in"]["A"][0]                                  # (n_pre, n_post)
    assert np.all(A[2] == A[4]) and np.all(A[3] == A[5]) and not np.all(A[2] == A[3])
    np.testing.assert_array_equal(layout.encode(layout.decode(g)), g)
    with pytest.raises(ValueError, match="names none"):
        GenomeLayout([("in", 6, 4)], ["A"], "channel")
    with pytest.raises(ValueError, match="layer 'in' only, not 'out'"):
        GenomeLayout([("in", 6, 4), ("out", 4, 1)], ["A"], "channel", input_kinds=kinds)
