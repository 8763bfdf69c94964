"""The classic rules shipped as examples (stdp, triplet, bcm) against their published formulas."""
import numpy as np
import pytest

from pdlf_brian.spike_pairs import pair_weight_change, spikes_weight_change
from pdlf_brian.rules import load_rule

DELTAS = np.array([-40.0, -10.0, -3.0, 3.0, 10.0, 40.0])  # t_post - t_pre, ms


def test_stdp_is_song_miller_abbott_at_genome_zero_and_scales_its_constants():
    rule = load_rule("stdp")
    zero = dict.fromkeys(rule.coefficients, 0.0)
    dw = pair_weight_change(rule, zero, DELTAS)
    expected = np.where(DELTAS > 0, 0.005 * np.exp(-DELTAS / 20), -1.05 * 0.005 * np.exp(DELTAS / 20))
    np.testing.assert_allclose(dw, expected, rtol=1e-6)
    # doubling tau_plus (k_plus = ln 2) and tripling A_minus (a_minus = ln 3)
    dw = pair_weight_change(rule, dict(zero, k_plus=np.log(2), a_minus=np.log(3)), DELTAS)
    expected = np.where(DELTAS > 0, 0.005 * np.exp(-DELTAS / 40), -3 * 1.05 * 0.005 * np.exp(DELTAS / 20))
    np.testing.assert_allclose(dw, expected, rtol=1e-6)


def _triplet_reference(pre, post, p):
    """Pfister & Gerstner 2006 minimal all-to-all model, event by event in NumPy."""
    events = sorted([(t, "pre") for t in pre] + [(t, "post") for t in post])
    r1 = r2 = o1 = o2 = 0.0
    w, last = 0.0, 0.0
    for t, kind in events:
        d = t - last
        r1 *= np.exp(-d / p["tp"]); r2 *= np.exp(-d / p["tx"]); o1 *= np.exp(-d / p["tm"]); o2 *= np.exp(-d / p["ty"])
        last = t
        if kind == "pre":
            w -= o1 * (p["A2m"] + p["A3m"] * r2)
            r1 += 1; r2 += 1
        else:
            w += r1 * (p["A2p"] + p["A3p"] * o2)
            o1 += 1; o2 += 1
    return w


@pytest.mark.parametrize("pre,post", [([50.0], [60.0]), ([60.0], [50.0]),
                                      ([50.0], [45.0, 60.0]),          # post-pre-post triplet
                                      ([50.0, 70.0], [60.0]),          # pre-post-pre triplet
                                      ([50.0, 80.0, 110.0], [55.0, 85.0, 115.0])])
def test_triplet_matches_pfister_gerstner(pre, post):
    rule = load_rule("triplet")
    k = dict.fromkeys(rule.coefficients, 0.0)
    k["k_y"] = np.log(1.5)  # also checks an evolved time constant
    p = dict(A2p=6.1e-3, A3p=6.7e-3, A2m=1.6e-3, A3m=1.4e-3, tp=16.8, tm=33.7, tx=946.0, ty=27.0 * 1.5)
    assert spikes_weight_change(rule, k, pre, post) == pytest.approx(_triplet_reference(pre, post, p), rel=1e-6)


def test_bcm_threshold_slides_with_postsynaptic_activity():
    rule = load_rule("bcm")
    zero = dict.fromkeys(rule.coefficients, 0.0)

    def expected(post, pre):
        apost = sum(np.exp(-(pre - t) / 20.0) for t in post)
        pbar = sum(np.exp(-(pre - t) / 1000.0) for t in post)
        theta = (pbar * 20.0 / 1000.0) ** 2 / 0.2
        return 1e-3 * apost * (apost - theta)

    for post in ([40.0], list(np.arange(10.0, 500.0, 5.0))):
        pre = post[-1] + 2.0
        dw = spikes_weight_change(rule, zero, [pre], post)
        assert dw == pytest.approx(expected(post, pre), rel=1e-6)
    # a long burst raises the threshold above the instantaneous activity: the same pairing depresses
    slow = spikes_weight_change(rule, zero, [52.0], [50.0])
    burst = spikes_weight_change(rule, zero, [2002.0], list(np.arange(10.0, 2000.0, 4.0)) + [2000.0])
    assert slow > 0 and burst < slow


def test_classic_rules_train_on_the_bio_model_only():
    from pdlf_brian.config import Config, ConfigError
    for name in ("stdp", "triplet", "bcm"):
        Config(rule=name, model="bio").validate()
        with pytest.raises(ConfigError, match="no DISCRETE form"):
            Config(rule=name, model="reference").validate()
