"""Issue 17: why the biological model learnt nothing on working memory, and what breaks the deadlock.

With zero initial weights and one rule per postsynaptic neuron on the input layer, the push-pull pair
that codes the sample bit (one input neuron fires for 1, its partner for 0) has two synapses onto every
hidden neuron that follow the same rule from the same start.  Flipping every bit of a sequence swaps
the two neurons' spike trains, hence the two weights, and leaves everything the hidden neurons receive
unchanged: the readout of a sequence and of its complement are identical, and recall is at chance for
every genome.  One rule per presynaptic input neuron (the default of the biological model) breaks it.
"""
import numpy as np
import pytest

from pdlf_brian.builder import Controller
from pdlf_brian.rules import load_rule
from pdlf_brian.tasks.wm import CopyTask


def readouts(sharing, init=None, seed=0):
    from pdlf_brian.weights import InitialWeights
    task = CopyTask(3, 1)
    bits = np.array([[1, 0, 1], [0, 1, 0]])              # a sequence and its complement
    net = Controller("bio", load_rule("scp+pdp"), 3, 6, 1, 1, 2, task.n_steps, step_ms=50.0, recurrent=True,
                     sharing=sharing, init_weights=InitialWeights.parse(init))
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 0.5, (1, net.layout.size))
    for name, c, sl, _ in net.layout.blocks():
        if c in ("eta", "B"):
            g[:, sl] = np.abs(g[:, sl]) + 0.3           # make the network fire
    y = net.run_open_loop(g, task.inputs(bits)[:, None], np.random.default_rng(1))[:, 0, :, 0]
    return y


@pytest.mark.parametrize("seed", [0, 1])
def test_post_sharing_from_zero_weights_cannot_tell_a_sequence_from_its_complement(seed):
    y = readouts("post", seed=seed)
    assert np.abs(y).max() > 0.01, "the network must be active for the test to mean anything"
    np.testing.assert_array_equal(y[:, 0], y[:, 1])


def test_a_rule_per_input_neuron_breaks_the_symmetry():
    y = readouts("post,in=pre")
    assert np.abs(y[:, 0] - y[:, 1]).max() > 1e-3


def test_random_initial_weights_break_the_symmetry_too():
    y = readouts("post", init="uniform:0,0.5")
    assert np.abs(y[:, 0] - y[:, 1]).max() > 1e-3


@pytest.mark.parametrize("sharing,init,said", [("post", None, True), ("layer", None, True),
                                               ("post,in=channel", None, False), ("post,in=pre", None, False),
                                               ("post", "uniform:0,0.5", False)])
def test_pdlf_train_warns_of_the_twin_symmetry_where_the_tests_above_find_it(sharing, init, said):
    from pdlf_brian.config import Config
    from pdlf_brian.evolve import start_warnings
    cfg = Config(task="wm", model="bio", sharing=sharing, init_weights=init or "zero").validate()
    assert any("sign-flipped twin" in w for w in start_warnings(cfg)) == said


def test_bio_wm_defaults_share_the_input_layer_per_kind_of_input_neuron():
    """One rule per kind and polarity of input channel (the push-pull pair of the bit: two kinds, which
    breaks the symmetry above; the eight position channels: one kind)."""
    from pdlf_brian.config import Config
    from pdlf_brian.evaluate import layout_for
    cfg = Config(task="wm", model="bio").validate()
    assert cfg.sharing == "post,in=channel"
    assert layout_for(cfg).kinds == ("bit+", "bit-", "flag+", "flag-", "cue+", "cue-", "pos+", "pos-")
    assert Config(task="wm", model="reference").validate().sharing == "post"


def test_bio_wm_default_protocol_is_the_documented_one_and_stays_overridable():
    """README and docs/results.md state this budget (position context, feed-forward, population 32 x 16
    sequences, 300 generations, sigma0 0.1, compiled C++); the closed-loop bio model stays on a runtime
    backend, and the reference model keeps the paper's three input channels."""
    from pdlf_brian.config import Config
    c = Config(task="wm", model="bio").validate()
    assert (c.pop, c.sequences, c.generations, c.sigma0, c.backend) == (32, 16, 300, 0.1, "cpp")
    assert (c.wm_context, c.topology) == ("position", "ff")
    assert Config(task="wm").validate().wm_context == "none"
    r = Config(task="wm").validate()
    assert (r.pop, r.sequences, r.generations, r.sigma0, r.backend) == (64, 32, 1000, 0.1, "cython")
    assert Config(task="ant_dir", model="bio").validate().backend == "cython"
    c = Config(task="wm", model="bio", backend="numpy", pop=5, sequences=3, sigma0=0.2).validate()
    assert (c.pop, c.sequences, c.sigma0, c.backend) == (5, 3, 0.2, "numpy")


def test_a_rule_that_cannot_move_a_weight_from_zero_is_a_warning_naming_it(tmp_path, capsys):
    from pdlf_brian.cli import main
    oja = tmp_path / "oja.py"
    oja.write_text('NAME = "oja"\nCOEFFICIENTS = ("eta",)\nON_PRE = "eta * apost * (1 - apost * w)"\n')
    assert main(["check-rule", str(oja)]) == 0
    out = capsys.readouterr().out
    assert "warning: rule 'oja'" in out and "no term can move a weight from zero" in out
    flags = ["train", "--task", "wm", "--model", "bio", "--len", "2", "--lat", "1", "--stimulus-ms", "20",
             "--hidden", "3", "--pop", "3", "--generations", "1", "--sequences", "2", "--test-sequences", "2",
             "--backend", "numpy", "--quiet"]
    assert main([*flags, "--rule", str(oja), "--out", str(tmp_path / "a")]) == 0  # a warning, not an error
    assert "warning: rule 'oja'" in capsys.readouterr().out
    assert main([*flags, "--rule", "stdp", "--out", str(tmp_path / "b")]) == 0  # stdp: uniform:0,1 by default
    assert "no term can move" not in capsys.readouterr().out


@pytest.mark.parametrize("spec", ["uniform:1", "normal:0,-1", "gauss:0,1", "uniform:2,1", "uniform:a,b"])
def test_an_initial_weight_spec_that_does_not_parse_is_one_line_naming_it(tmp_path, capsys, spec):
    from pdlf_brian.cli import main
    assert main(["train", "--init-weights", spec, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"initial weights '{spec}'" in err[0], err


def hebbian_position_genome(layout, length, hebb=0.03):
    """A hand-written rule (not evolved): the sample's '1' neuron grows its synapses (PDP's B), every
    position-context neuron has a Hebbian rule with a threshold (SCP: potentiation when the hidden
    neurons fire with it, depression when they are silent), the readout synapses grow with hidden spikes."""
    arrays = {l.name: {c: np.zeros((1, l.n_pre, l.n_post)) for c in layout.coefficients} for l in layout.layers}
    a = arrays["in"]
    a["eta"][0] = 1.0
    a["B"][0, 0] = 0.3                                   # input neuron 0: channel 0 (the sample), bit 1
    pos = [2 * (3 + k) for k in range(length)]           # the '+' neuron of context channel 3 + k
    a["A"][0, pos], a["C"][0, pos] = hebb, 0.5
    arrays["out"]["eta"][0], arrays["out"]["B"][0] = 1.0, 1.0
    return layout.encode(arrays)


def test_position_context_lets_a_hebbian_rule_hold_a_sequence_in_its_synapses():
    """Issue 17's mechanism, with a rule written by hand: each bit is stored as the sign of the synapse
    from its position's context neuron (a hetero-association of *when* with *what*), held across a
    delay in which nothing fires, and read out when the position comes back.  Wiping every membrane,
    trace and the readout at every time step of the delay changes nothing: the memory is in the weights."""
    from pdlf_brian.models import bio
    L, D = 4, 2
    task = CopyTask(L, D, "position", threshold=bio.DECISION_THRESHOLD)
    bits = task.sample(np.random.default_rng(3), 12)
    scores = []
    for wipe, hebb in ((False, 0.03), (True, 0.03), (False, 0.0)):
        net = Controller("bio", load_rule("scp+pdp"), task.n_in, 4, 1, 1, len(bits), task.n_steps,
                         recurrent=False, sharing="post,in=pre", backend="numpy", dt_hook=wipe)
        g = hebbian_position_genome(net.layout, L, hebb)
        if wipe:
            lo, hi = L * net.step, (L + D) * net.step
            net.set_dt_hook(lambda: net.wipe_activity() if lo <= net.net.t < hi else None)
        y = net.run_open_loop(g, task.inputs(bits)[:, None], np.random.default_rng(0))[:, 0, :, 0]
        scores.append(float(task.score(y[:, None], bits)[0][0]))
        assert np.all(y[L:L + D][-1] < task.threshold), "nothing may be active at the end of the delay"
    print("recall: intact delay, wiped delay, no Hebbian term:", scores)
    assert scores[0] >= 0.9, scores
    assert scores[1] >= 0.9, scores
    assert scores[2] <= 0.65, scores   # without the association nothing is stored: near chance


@pytest.mark.parametrize("model", ["bio", "reference"])
def test_channel_sharing_is_pre_sharing_with_one_value_per_kind(model):
    """Sharing 'in=channel' gives every input neuron of a kind (all Len position channels are kind 'pos')
    its kind's rule: the network must answer exactly as the same network under 'in=pre' with those
    values written out per input neuron."""
    task = CopyTask(3, 1, "position")
    bits = np.array([[1, 0, 1], [0, 1, 1]])
    kw = dict(step_ms=40.0) if model == "bio" else {}
    nets = {s: Controller(model, load_rule("scp+pdp"), task.n_in, 5, 1, 1, 2, task.n_steps, backend="numpy",
                          sharing=s, channel_kinds=task.channel_kinds, name=f"chan_{model}_{s[-3:]}", **kw)
            for s in ("post,in=channel", "post,in=pre")}
    shared, per_pre = nets["post,in=channel"].layout, nets["post,in=pre"].layout
    assert shared.size < per_pre.size
    g = np.random.default_rng(2).normal(0, 0.5, (1, shared.size))
    for name, c, sl, _ in shared.blocks():
        if c in ("eta", "B"):
            g[:, sl] = np.abs(g[:, sl]) + 0.3
    g_pre = per_pre.encode(shared.decode(g))          # the same coefficients, one per input neuron
    x = task.inputs(bits)[:, None]
    y = {s: net.run_open_loop(gg, x, np.random.default_rng(1))[:, 0, :, 0]
         for (s, net), gg in zip(nets.items(), (g, g_pre))}
    assert np.abs(y["post,in=pre"]).max() > 0.01, "the network must be active for the test to mean anything"
    np.testing.assert_allclose(y["post,in=channel"], y["post,in=pre"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("rule_name, traces, kept", [("triplet", ["r2", "o2"], []), ("bcm", ["pbar"], []),
                                                     ("stp", [], ["u_f", "x_d"])])
def test_the_delay_wipe_zeroes_every_spike_trace_and_keeps_synaptic_state(rule_name, traces, kept):
    """wm-probe's delay wipe: the package's traces and the rule's own (triplet's r2/o2, bcm's pbar) go to
    zero; short-term efficacy (stp's u_f/x_d, declared SYNAPTIC_STATE) and the weights stay."""
    from pdlf_brian.weights import for_rule
    rule = load_rule(rule_name)
    assert rule.traces() == traces and list(rule.synaptic_state) == kept
    task = CopyTask(2, 1, "position")
    bits = np.array([[1, 0], [0, 1]])
    net = Controller("bio", rule, task.n_in, 4, 1, 1, len(bits), task.n_steps, backend="numpy", step_ms=40.0,
                     init_weights=for_rule(None, rule), dt_hook=True)
    net.run_open_loop(np.zeros((1, net.layout.size)), task.inputs(bits)[:, None], np.random.default_rng(0))
    syn = net.synapses["in"]
    before = {v: syn.variables[v].get_value().copy() for v in ["w", "apre", *traces, *kept]}
    assert all(np.any(before[v] != 0) for v in ["apre", *traces, *kept]), "the cue's spikes leave traces"
    net.wipe_activity()
    for v in ["apre", "apost", *traces]:
        assert np.all(syn.variables[v].get_value() == 0), v
    for v in ["w", *kept]:
        np.testing.assert_array_equal(syn.variables[v].get_value(), before[v])
