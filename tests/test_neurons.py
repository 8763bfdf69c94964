"""Issue 15: neurons as files.  Shipped neurons build and fire; a bad neuron file is one line naming the
culprit, before anything compiles; a run keeps its neuron in DIR/models/neuron.py."""
import json

import numpy as np
import pytest

from pdlf_brian.cli import main
from pdlf_brian.neurons import available_neurons, load_neuron

GOOD = '''from brian2 import ms
NAME = "mine"
EQUATIONS = """
dv/dt = -v / tau : 1 (unless refractory)
"""
THRESHOLD = "v > 1"
RESET = "v = 0"
REFRACTORY = "2 * ms"
TRANSMIT = "v_post += 0.5 * w"
NAMESPACE = {"tau": 10 * ms}
'''

FLAGS = ["train", "--task", "wm", "--model", "bio", "--len", "2", "--lat", "1", "--stimulus-ms", "20",
         "--hidden", "3", "--pop", "3", "--generations", "1", "--sequences", "2", "--test-sequences", "2",
         "--backend", "numpy", "--quiet"]


def test_shipped_neurons_include_lif_and_adex():
    names = available_neurons()
    assert {"lif", "adex"} <= set(names)
    adex = load_neuron("adex")
    assert float(adex.namespace["C_m"] / 1e-12) == pytest.approx(281.0)  # pF, Brette & Gerstner 2005


@pytest.mark.parametrize("neuron", ["lif", "adex"])
def test_each_shipped_neuron_fires_in_the_controller_and_the_run_keeps_it(tmp_path, neuron):
    from pdlf_brian.builder import Controller
    from pdlf_brian.rules import load_rule
    from pdlf_brian.weights import InitialWeights
    net = Controller("bio", load_rule("weights"), 3, 4, 1, 1, 1, 3, step_ms=100.0, neuron=neuron, record=True,
                     backend="numpy")
    g = np.full((1, net.layout.size), 3.0)  # strong static weights: the inputs drive the neurons
    net.run_open_loop(g, np.ones((3, 1, 1, 3)))
    assert len(net.monitors["hidden_spikes"].t) > 0
    assert main([*FLAGS, "--neuron", neuron, "--out", str(tmp_path / "r")]) == 0
    text = (tmp_path / "r" / "models" / "neuron.py").read_text()
    assert f"NAME = '{neuron}'" in text
    assert json.loads((tmp_path / "r" / "config.json").read_text())["neuron"] == neuron


def test_a_users_neuron_file_trains(tmp_path):
    (tmp_path / "mine.py").write_text(GOOD)
    assert main([*FLAGS, "--neuron", str(tmp_path / "mine.py"), "--out", str(tmp_path / "r")]) == 0


def test_a_neuron_without_refractoriness_trains(tmp_path):
    """REFRACTORY is optional (docs/models.md): left out, the neuron has no refractory period.  The
    builder used to hand Brian2 ``refractory=None``, which passed every check and failed at the run."""
    text = GOOD.replace('REFRACTORY = "2 * ms"\n', "").replace(" (unless refractory)", "")
    assert "REFRACTORY" not in text
    (tmp_path / "mine.py").write_text(text)
    assert load_neuron(str(tmp_path / "mine.py")).refractory is None
    assert main([*FLAGS, "--neuron", str(tmp_path / "mine.py"), "--out", str(tmp_path / "r")]) == 0


@pytest.mark.parametrize("edit,pattern", [
    (lambda s: s.replace("dv/dt = -v / tau : 1", "dv/dt = -v / tau : volt"), "units"),
    (lambda s: s.replace("-v / tau", "-v / tua"), "unknown name(s) tua"),
    (lambda s: s.replace('THRESHOLD = "v > 1"\n', ""), "no THRESHOLD"),
    (lambda s: s.replace('RESET = "v = 0"\n', ""), "no RESET"),
    (lambda s: s.replace('"tau": 10 * ms}', '"tau": 10 * ms, "tua": 3 * ms}'), "never used (misspelt?): tua"),
    (lambda s: s.replace("v_post += 0.5 * w", "u_post += 0.5 * w"), "TRANSMIT"),
    (lambda s: s.replace('"tau": 10 * ms}', '"tau": "10 * ms"}'), "NAMESPACE['tau']: must be a number"),
    (lambda s: s.replace("v_post += 0.5 * w", "v_post += 0.5 * w * ms"), "DimensionMismatchError"),
    (lambda s: s + 'from brian2 import mV\nINITIAL = {"v": 5 * mV}\n', "INITIAL: DimensionMismatchError"),
    # Brian2's i and N count every neuron of the batched population: a threshold by index would make
    # an individual's fitness depend on where it sits in the population
    (lambda s: s.replace('THRESHOLD = "v > 1"', 'THRESHOLD = "v > 1 + i / N"'), "N, i count every neuron of all individuals"),
    (lambda s: s + 'METHOD = "eular"\n', "METHOD 'eular': not a Brian2 integration method; one of"),
    (lambda s: s.replace("dv/dt = -v / tau : 1 (unless refractory)", "dv/dt = -v / tau : 1 (unless refractory)\n"
                         "g : 1 (shared)"), "g (shared) would be one value for every neuron"),
    # misspelt optional keys were ignored: the neuron started at 0 or had no refractory period
    (lambda s: s + 'INITIALS = {"v": 0.5}\n', "unknown key INITIALS: did you mean INITIAL?"),
    (lambda s: s.replace('REFRACTORY = "2 * ms"', 'REFRACTORY_PERIOD = "2 * ms"'),
     "unknown key REFRACTORY_PERIOD: did you mean REFRACTORY?"),
    # a syntax error named neither the string nor the line ('invalid syntax (<unknown>, line 1)')
    (lambda s: s.replace('THRESHOLD = "v > 1"', 'THRESHOLD = "v > 1mV"'), "THRESHOLD: 'v > 1mV': syntax error"),
    (lambda s: s.replace('RESET = "v = 0"', 'RESET = "v = 0; v += (1"'), "RESET: 'v += (1': syntax error"),
    (lambda s: s.replace('dv/dt = -v / tau : 1 (unless refractory)', 'dv/dt = -v / tau : 1 (unless refractory)\n'
                         'du/dt == -u / tau : 1'), "EQUATIONS: 'du/dt == -u / tau : 1'"),
    # a wrong unit in EQUATIONS was reported as INITIAL's
    (lambda s: s.replace('dv/dt = -v / tau : 1 (unless refractory)', 'dv/dt = -v / tau : 1 (unless refractory)\n'
                         'du/dt = -v / tau : amp') + 'INITIAL = {"u": "0.5 * v"}\n', "EQUATIONS, THRESHOLD, RESET"),
])
def test_a_bad_neuron_file_is_one_line_before_anything_compiles(tmp_path, capsys, edit, pattern):
    path = tmp_path / "bad.py"
    path.write_text(edit(GOOD))
    assert main([*FLAGS, "--neuron", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config key 'neuron'" in err[0] and pattern in err[0], err
    assert not (tmp_path / "r").exists()


def test_a_neuron_naming_no_file_is_one_line(tmp_path, capsys):
    for value, pattern in (("nosuch", "unknown neuron 'nosuch'; available: adex, lif"),
                           (str(tmp_path / "missing.py"), "no such file")):
        assert main([*FLAGS, "--neuron", value, "--out", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and pattern in err[0], err


def test_a_neuron_and_rule_whose_names_clash_is_one_line(tmp_path, capsys):
    rule = tmp_path / "clash.py"
    rule.write_text('from brian2 import ms\nNAME = "clash"\nCOEFFICIENTS = ("eta",)\n'
                    'NAMESPACE = {"tau_m": 5 * ms}\nON_PRE = "eta * apost * tau_m / tau_m"\n')
    assert main([*FLAGS, "--rule", str(rule), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "both define tau_m" in err[0], err
    rule.write_text('NAME = "shadow"\nCOEFFICIENTS = ("v_th",)\nON_PRE = "v_th * apost"\n')
    assert main([*FLAGS, "--rule", str(rule), "--out", str(tmp_path / "r2")]) == 2
    assert "also names of the neuron" in capsys.readouterr().err


def test_every_shipped_neuron_goes_with_every_shipped_bio_rule():
    """No shipped pair clashes (adex's a and b were once bcm's coefficient a)."""
    from pdlf_brian.models import bio
    from pdlf_brian.neurons import clashes
    from pdlf_brian.rules import available_rules, load_rule

    neurons = [load_neuron(n) for n in ("lif", "adex")]
    rules = [r for r in (load_rule(n) for n in available_rules()) if r.has_events()]
    assert {"stdp", "bcm", "triplet", "scp+pdp"} <= {r.name for r in rules}
    for neuron in neurons:
        for rule in rules:
            assert clashes(neuron, rule, bio.NAMESPACE) == [], (neuron.name, rule.name)


def test_a_neuron_redefining_a_model_constant_is_one_line(tmp_path, capsys):
    path = tmp_path / "tau_out.py"  # its own membrane constant under the name of the readout's
    path.write_text(GOOD.replace("-v / tau ", "-v / tau_out ").replace('"tau": 10 * ms}', '"tau_out": 10 * ms}'))
    assert main([*FLAGS, "--neuron", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "redefines the biological model's constant(s) tau_out" in err[0], err


def test_transmit_may_decrease_the_target(tmp_path):
    """An inhibitory synapse's 'v_post -= ...' is a valid TRANSMIT (it was refused as not updating a
    variable of the neuron)."""
    (tmp_path / "inh.py").write_text(GOOD.replace("v_post += 0.5 * w", "v_post -= 0.5 * w"))
    assert load_neuron(str(tmp_path / "inh.py")).transmit == "v_post -= 0.5 * w"


COND = '''from brian2 import ms, mV, nS, pF
NAME = "cond"
EQUATIONS = """
dv/dt = (E_L - v + g_e * (E_e - v) / g_L) / tau : volt (unless refractory)
dg_e/dt = -g_e / tau_e : siemens
"""
THRESHOLD = "v > -50 * mV"
RESET = "v = E_L"
REFRACTORY = "2 * ms"
METHOD = "euler"
TRANSMIT = "g_e_post += w * nS"
INITIAL = {"v": "E_L"}
NAMESPACE = {"tau": 20 * ms, "tau_e": 5 * ms, "E_L": -70 * mV, "E_e": 0 * mV, "g_L": 10 * nS}
'''


def test_the_delay_wipe_resets_every_variable_of_the_neuron(tmp_path):
    """wm-probe's zeroed delay: a conductance that INITIAL does not list is activity too, and goes back
    to its value at the start of a trial (it stayed at 5 nS)."""
    from brian2 import mV, nS
    from pdlf_brian.builder import Controller
    from pdlf_brian.rules import load_rule
    (tmp_path / "cond.py").write_text(COND)
    c = Controller("bio", load_rule("scp+pdp"), 2, 3, 1, 1, 1, 2, neuron=str(tmp_path / "cond.py"),
                   step_ms=20.0, backend="numpy")
    c.hid.v = -55 * mV
    c.hid.g_e = 5 * nS
    c.wipe_activity()
    assert np.allclose(c.hid.v[:] / mV, -70.0) and np.all(c.hid.g_e[:] == 0 * nS)


def test_two_files_with_one_name_are_one_line_and_each_file_is_reachable(tmp_path, monkeypatch):
    """A copy of lif.py that keeps NAME = "lif" silently replaced the shipped neuron for --neuron lif;
    now asking for the shared name names both files, and each file answers to its file name."""
    import pdlf_brian.models.neurons as package
    from pdlf_brian.neurons import NeuronError
    from pathlib import Path
    source = Path(package.__path__[0]) / "lif.py"
    (tmp_path / "lif_fast.py").write_text(source.read_text())
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    with pytest.raises(NeuronError, match=r"neuron 'lif': 2 files give NAME = 'lif' .*lif\.py.*lif_fast\.py"):
        load_neuron("lif")
    assert load_neuron("lif_fast").source.endswith("lif_fast.py")
    assert "lif" not in available_neurons()


NOISY = GOOD.replace("dv/dt = -v / tau : 1", "dv/dt = (0.9 - v) / tau + 0.5 * xi * tau**-0.5 : 1") \
    + 'METHOD = "euler"\n'


RANDOM_START = GOOD.replace("dv/dt = -v / tau : 1", "dv/dt = (0.95 - v) / tau : 1").replace(
    'NAMESPACE = {', 'INITIAL = {"v": "2 * rand()"}\nNAMESPACE = {')


@pytest.mark.parametrize("backend,text,names", [("numpy", NOISY, ["xi"]), ("cpp", NOISY, ["xi"]),
                                                ("numpy", RANDOM_START, ["rand"])])
def test_a_noisy_neuron_is_seeded_from_the_evaluation_rng(tmp_path, backend, text, names):
    """A neuron with noise (xi) was never seeded: two runs of one command differed.  Brian2's generator
    is now seeded from the evaluation's rng: the same rng gives the same spikes, another rng other
    spikes (the noise is not frozen), on the runtime and on compiled C++; a drawn INITIAL value is
    drawn again for each run on the runtime too (it was the build's draw, unseeded)."""
    from pdlf_brian.builder import Controller
    from pdlf_brian.rules import load_rule
    (tmp_path / "noisy.py").write_text(text)
    net = Controller("bio", load_rule("scp+pdp"), 2, 4, 1, 2, 2, 3, step_ms=20.0, neuron=str(tmp_path / "noisy.py"),
                     backend=backend, directory=tmp_path / "code" if backend == "cpp" else None)
    assert net.stochastic == names
    g = np.random.default_rng(0).normal(0, 0.1, (2, net.layout.size))
    x = np.ones((3, 2, 2, 2))
    def run(seed):   # the readout and the membranes at the end
        y = net.run_open_loop(g, x, np.random.default_rng(seed))
        return np.concatenate([y.ravel(), np.asarray(net.hid.variables["v"].get_value()).ravel()])
    runs = [run(s) for s in (1, 1, 2)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])


def test_a_deterministic_model_draws_no_seed():
    """The seeding costs deterministic models nothing: their rng is left as it was (so their runs'
    numbers do not change)."""
    from pdlf_brian.builder import Controller
    from pdlf_brian.rules import load_rule
    net = Controller("bio", load_rule("scp+pdp"), 2, 3, 1, 1, 1, 2, step_ms=20.0, backend="numpy")
    assert net.stochastic == []
    rng = np.random.default_rng(5)
    net.run_open_loop(np.zeros((1, net.layout.size)), np.ones((2, 1, 1, 2)), rng)
    assert rng.integers(1 << 30) == np.random.default_rng(5).integers(1 << 30)


def test_a_noisy_model_is_not_split_over_processes(tmp_path, capsys):
    """Noise is drawn for the whole batch from one stream: with --workers 2 an individual's noise (and
    the run's numbers) depended on the split.  Refused in one line naming the key and the noise."""
    (tmp_path / "noisy.py").write_text(NOISY)
    assert main([*FLAGS, "--neuron", str(tmp_path / "noisy.py"), "--workers", "2", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config key 'workers': the rule or neuron uses xi" in err[0], err


def test_a_neuron_file_may_keep_upper_case_constants_of_its_own(tmp_path):
    text = GOOD.replace('NAMESPACE = {"tau": 10 * ms}', 'V_RESET = 0.0\nV_THRESHOLD = 1.0\nTAU_REFRACTORY = 2 * ms\n'
                        'NAMESPACE = {"tau": 10 * ms, "v_reset": V_RESET}').replace('RESET = "v = 0"', 'RESET = "v = v_reset"')
    (tmp_path / "mine.py").write_text(text)
    assert load_neuron(str(tmp_path / "mine.py")).namespace["v_reset"] == 0.0


def test_check_neuron_says_ok_or_names_the_problem_and_tells_rule_and_neuron_files_apart(tmp_path, capsys):
    (tmp_path / "mine.py").write_text(GOOD)
    assert main(["check-neuron", str(tmp_path / "mine.py")]) == 0
    out = capsys.readouterr().out
    assert "built and ran in Brian2" in out and out.strip().endswith("ok")
    (tmp_path / "bad.py").write_text(GOOD.replace('THRESHOLD = "v > 1"', 'THRESHOLD = "v > 1mV"'))
    assert main(["check-neuron", str(tmp_path / "bad.py")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "THRESHOLD: 'v > 1mV': syntax error" in err[0], err
    assert main(["check-rule", str(tmp_path / "mine.py")]) == 1   # a neuron file given to check-rule
    assert "a neuron file? check it with: pdlf check-neuron" in capsys.readouterr().err
    (tmp_path / "clash.py").write_text('NAME = "clash"\nCOEFFICIENTS = ("eta",)\nNAMESPACE = {"tau": 5.0}\n'
                                       'ON_PRE = "eta * apost * tau"\n')
    assert main(["check-rule", str(tmp_path / "clash.py"), "--neuron", str(tmp_path / "mine.py")]) == 1
    assert "both define tau" in capsys.readouterr().err   # what pdlf train would refuse, said by check-rule
    assert main(["check-rule", str(tmp_path / "clash.py")]) == 0   # the default neuron (lif) has no tau
