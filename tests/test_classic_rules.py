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
    """Pfister & Gerstner 2006 full all-to-all model, event by event in NumPy."""
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


def test_stp_efficacies_follow_tsodyks_markram_in_mongillo_order():
    """A regular presynaptic train through one synapse of the package's code: the membrane jumps are
    w_scale * w * u * x with u updated first (u += U (1 - u)), then x -= u x, relaxing in between."""
    from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, defaultclock, ms
    from pdlf_brian.builder import BioFamily
    rule = load_rule("stp")
    fam = BioFamily()
    k = dict(k_U=np.log(1.5), k_F=0.0, k_D=np.log(0.5))  # U = 0.3, tau_F = 1.5 s, tau_D = 0.1 s
    ns = dict(fam.namespace, **rule.namespace)
    ns["tau_m"] = 1e9 * ms  # no leak: the membrane sums the jumps
    times = np.array([10.0, 30.0, 50.0, 70.0, 300.0, 320.0])
    pre = SpikeGeneratorGroup(1, np.zeros(len(times), int), times * ms)
    post = NeuronGroup(1, fam.neuron.equations + fam.model.HIDDEN_EXTRA, threshold="v > 1e9",
                       method="exact", namespace=ns)
    extra = "\n".join(f"{c} : 1 (constant)" for c in rule.coefficients)
    code = fam.synapse_strings(rule, "in", extra, {c: c for c in rule.coefficients})
    syn = Synapses(pre, post, code["model"], on_pre=code["on_pre"], on_post=code["on_post"], namespace=ns)
    syn.connect()
    syn.w = 0.1
    for c, v in k.items():
        setattr(syn, c, v)
    mon = StateMonitor(post, "v", record=0)
    Network(pre, post, syn, mon).run(400 * ms, namespace=ns)
    U, tau_F, tau_D = 0.3, 1500.0, 100.0
    u, x, last, v = U, 1.0, None, []
    for t in times:
        if last is not None:
            u = U + (u - U) * np.exp(-(t - last) / tau_F)
            x = 1 + (x - 1) * np.exp(-(t - last) / tau_D)
        u = u + U * (1 - u)
        v.append(0.5 * 0.1 * u * x)
        x = x - u * x
        last = t
    steps = np.asarray(mon.v[0])
    per_ms = int(round(1 / float(defaultclock.dt / ms)))
    jumps = np.array([steps[int(t) * per_ms + 1] - steps[int(t) * per_ms - 1] for t in times])
    np.testing.assert_allclose(jumps, v, rtol=1e-8)
    assert jumps[4] > jumps[0], "after a pause, facilitation (tau_F) outlasts depression (tau_D): memory in u"
