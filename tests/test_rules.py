"""Rule files: loading, composition, and one-line errors that name the culprit."""
import json
import textwrap

import pytest

from pdlf_brian.rules import RuleError, available_rules, load_rule


def write(tmp_path, body, name="my_rule.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body))
    return str(p)


def test_shipped_rules_load_and_compose():
    names = available_rules()
    assert {"scp", "pdp", "scp+pdp", "weights"} <= set(names)
    full, scp, pdp = load_rule("scp+pdp"), load_rule("scp"), load_rule("pdp")
    assert full.coefficients == ("eta", "A", "B", "C", "D")
    assert scp.discrete in full.discrete and pdp.discrete in full.discrete
    assert load_rule("weights").static


def test_user_rule_file_is_one_new_file(tmp_path):
    path = write(tmp_path, '''
        NAME = "oja"
        COEFFICIENTS = ("eta", "A")
        DISCRETE = "eta * A * post * (pre - post * w)"
        ON_PRE = "eta * A * apost"
        ''')
    rule = load_rule(path)
    assert rule.name == "oja" and rule.has_discrete() and rule.has_events()


@pytest.mark.parametrize("body,pattern", [
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre *"\n', r"DISCRETE = 'eta \* pre \*': syntax error"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre * gamma"\n', r"unknown identifier\(s\) gamma"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta", "A")\nDISCRETE = "eta * pre"\n', r"declared but unused: A"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nON_PRE = "eta * apost + ms"\n', r"ON_PRE .*unit mismatch"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nDRIFT = "eta * ms"\n', r"DRIFT .*unit mismatch.*dimensionless"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre\n', r"line 3: syntax error"),
    ('NAME = "x"\nCOEFFICIENTS = "eta"\nDISCRETE = "eta"\n', r"COEFFICIENTS must be a list"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\n', r"gives none of"),
    # found by writing rules as a new user would (2026-12-02): each was a traceback, a Brian2 error
    # naming no file, or a message with no reason
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nNAMESPACE = {"tau": "20*ms"}\nON_PRE = "eta * apost"\n',
     r"NAMESPACE\['tau'\]: must be a number or a Brian2 quantity"),
    ('NAME = "x"\nCOEFFICIENTS = ()\nON_PRE = "0.01 * apost"\n', r"COEFFICIENTS is empty"),
    ('NAME = "x"\nCOEFFICIENTS = ("phase",)\nON_PRE = "phase * apost"\n',
     r"coefficient\(s\) phase: the bio model's neurons have variables of that name"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = "dx/dt = -x / (200*ms) : 1 (event-driven)"\n'
     'ON_PRE = "eta * x"\nPRE_UPDATES = "x += 1"\n', r"EQUATIONS define x: the bio model's neurons"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = "dz/dt = -z / (20*ms) (event-driven)"\nON_PRE = "eta"\n',
     r"EQUATIONS: ParseException: .*\(each line: 'dx/dt = -x / tau : 1 \(event-driven\)'"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nON_PRE = "w += eta * apost"\n',
     r"syntax error: .*an expression, the weight increment, not a statement"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nON_PRE = "eta * apost^2"\n', r"powers are written \*\*"),
    # a misspelt optional key was ignored: the trace never moved and check-rule said ok
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = "dz/dt = -z / (20*ms) : 1 (event-driven)"\n'
     'ON_PRE = "eta * exp(-z)"\nPRE_UPDATE = "z += 1"\n', r"unknown key PRE_UPDATE: did you mean PRE_UPDATES\?"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre"\nINIT_WEIGHT = "uniform(0, 1)"\n',
     r"unknown key INIT_WEIGHT: did you mean INIT_WEIGHTS\?"),
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = "dz/dt = -z / (20*ms) : 1 (event-driven)"\n'
     'ON_PRE = "eta * z"\nPRE_UPDATES = "z = z + 1 : 1"\n', r"PRE_UPDATES: 'z = z \+ 1 : 1': syntax error: invalid syntax$"),
    # a syntax error in a statement list named neither the key nor the line
    ('NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = "dz/dt = -z / (20*ms) : 1 (event-driven)"\n'
     'ON_PRE = "eta * z"\nPRE_UPDATES = """z += 1\nz = clip(z, 0, 5"""\n',
     r"PRE_UPDATES: 'z = clip\(z, 0, 5': syntax error: '\(' was never closed"),
])
def test_bad_rule_files_name_file_form_and_reason(tmp_path, body, pattern):
    path = write(tmp_path, body)
    with pytest.raises(RuleError, match=pattern) as info:
        load_rule(path)
    message = str(info.value)
    assert "\n" not in message and "my_rule.py" in message


def test_statements_separated_by_semicolons_are_checked_one_by_one(tmp_path):
    path = write(tmp_path, 'NAME = "x"\nCOEFFICIENTS = ("eta",)\nEQUATIONS = """\ndz/dt = -z / (20*ms) : 1 (event-driven)\n'
                           'dq/dt = -q / (20*ms) : 1 (event-driven)\n"""\nON_PRE = "eta * z * q"\n'
                           'PRE_UPDATES = "z += 1; q += 1"\n')
    assert load_rule(path).pre_updates == "z += 1; q += 1"
    with pytest.raises(RuleError, match=r"PRE_UPDATES: 'u \+= 1': writes 'u'"):
        load_rule(write(tmp_path, open(path).read().replace("q += 1", "u += 1"), name="other.py"))


def test_a_rule_file_may_keep_upper_case_constants_of_its_own(tmp_path):
    """Names close to a key but with another type, or beside the key they resemble, are the file's own."""
    from brian2 import ms
    path = write(tmp_path, 'from brian2 import ms\nTAU_X = 20 * ms\nA_PRE = 0.005\nA_POST = 0.006\nTAU_DRIFT = 5 * ms\n'
                           'BASE_EQUATIONS = "dz/dt = -z / tau_x : 1 (event-driven)"\nNAME = "x"\n'
                           'COEFFICIENTS = ("eta",)\nCOMMON_NAMESPACE = {"tau_x": TAU_X}\n'
                           'NAMESPACE = dict(COMMON_NAMESPACE, a_pre=A_PRE)\nEQUATIONS = BASE_EQUATIONS\n'
                           'ON_PRE = "eta * z * a_pre"\nPRE_UPDATES = "z += 1"\n')
    assert load_rule(path).namespace["tau_x"] == 20 * ms


def test_a_syntax_error_does_not_also_report_its_coefficients_unused(tmp_path):
    from pdlf_brian.rules import problems
    rule = load_rule(write(tmp_path, 'NAME = "x"\nCOEFFICIENTS = ("eta",)\nON_PRE = "w += eta * apost"\n'), check=False)
    found = problems(rule)
    assert len(found) == 1 and "syntax error" in found[0], found


def test_comments_in_pathway_statements_are_allowed(tmp_path, capsys):
    from pdlf_brian.cli import main
    path = tmp_path / "commented.py"
    path.write_text('from brian2 import ms\nNAME = "commented"\nCOEFFICIENTS = ("eta",)\n'
                    'EQUATIONS = "dr/dt = -r / (20 * ms) : 1 (event-driven)"\nON_PRE = "eta * r"\n'
                    'PRE_UPDATES = """\n# presynaptic trace jump (Song et al.)\nr += 1  # by one\n"""\n')
    assert main(["check-rule", str(path)]) == 0
    assert "bio model: built and ran in Brian2" in capsys.readouterr().out


def test_a_rule_only_brian2_can_refuse_is_one_line_before_training_starts(tmp_path, capsys):
    """An event-driven variable whose time constant has no unit passes the text checks; Brian2's build
    refuses it.  check-rule says why in one line; train refuses before writing the run directory
    (it used to write it and end in a traceback)."""
    from pdlf_brian.cli import main
    path = tmp_path / "unitless.py"
    path.write_text('NAME = "unitless"\nCOEFFICIENTS = ("eta",)\nNAMESPACE = {"tau_x": 20.0}\n'
                    'EQUATIONS = "dxtr/dt = -xtr / tau_x : 1 (event-driven)"\nON_PRE = "eta * xtr"\n'
                    'PRE_UPDATES = "xtr += 1"\n')
    assert main(["check-rule", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Brian2 cannot build it for the bio model: DimensionMismatchError" in err[0], err
    out = tmp_path / "run"
    assert main(["train", "--task", "wm", "--model", "bio", "--len", "2", "--lat", "1", "--stimulus-ms", "20",
                 "--hidden", "3", "--pop", "3", "--generations", "1", "--sequences", "2", "--backend", "numpy",
                 "--quiet", "--rule", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config key 'rule'" in err[0] and "DimensionMismatchError" in err[0], err
    assert not out.exists()


def test_a_rule_added_to_models_rules_is_built_before_training_when_given_by_name(tmp_path, capsys, monkeypatch):
    """The same check for a file dropped into models/rules and asked for by its NAME (it used to run only
    for paths: a traceback after the run directory was written); a good rule is built once, then
    remembered (the cache holds one entry per rule text)."""
    import pdlf_brian.models.rules as package
    from pdlf_brian.cli import main
    folder = tmp_path / "user_rules"
    folder.mkdir()
    (folder / "user_unitless.py").write_text(
        'NAME = "user_unitless"\nCOEFFICIENTS = ("eta",)\nNAMESPACE = {"tau_x": 20.0}\n'
        'EQUATIONS = "dxtr/dt = -xtr / tau_x : 1 (event-driven)"\nON_PRE = "eta * xtr"\nPRE_UPDATES = "xtr += 1"\n')
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    flags = ["train", "--task", "wm", "--model", "bio", "--len", "2", "--lat", "1", "--stimulus-ms", "20", "--hidden",
             "3", "--pop", "3", "--generations", "1", "--sequences", "2", "--backend", "numpy", "--quiet"]
    out = tmp_path / "run"
    assert main([*flags, "--rule", "user_unitless", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config key 'rule'" in err[0] and "DimensionMismatchError" in err[0], err
    assert not out.exists()
    cache = tmp_path / "cache" / "pdlf-brian" / "rule-builds"
    assert not cache.exists() or not list(cache.iterdir())   # a failure is not remembered
    import pdlf_brian.check as check
    builds = []
    real = check.build_problem
    monkeypatch.setattr(check, "build_problem", lambda *a: builds.append(a) or real(*a))
    for k in range(2):
        assert main([*flags, "--rule", "stdp", "--out", str(tmp_path / f"ok{k}")]) == 0
        assert len(list(cache.iterdir())) == 1
    assert len(builds) == 1   # the second run found the first one's success


def test_the_build_check_is_not_remembered_across_a_change_of_the_package_code(tmp_path, monkeypatch):
    """The cache key holds the package's code as it is (a commit id would miss an uncommitted edit of the
    model that breaks the rule's build)."""
    import pdlf_brian.check as check
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    builds = []
    monkeypatch.setattr(check, "build_problem", lambda *a: builds.append(a))
    rule = load_rule("stdp")
    assert check.build_problem_cached(rule, "bio") is None and check.build_problem_cached(rule, "bio") is None
    assert len(builds) == 1
    edited = tmp_path / "models"
    edited.mkdir()
    (edited / "extra.py").write_text("# an edit\n")
    import pdlf_brian.models as models
    monkeypatch.setattr(models, "__path__", [*models.__path__, str(edited)])
    assert check.build_problem_cached(rule, "bio") is None
    assert len(builds) == 2


def test_a_run_resumes_after_its_rule_file_left_models_rules(tmp_path, capsys, monkeypatch):
    """A rule asked for by NAME from a file in models/rules that is then renamed or removed: --resume
    uses the run's own copy (it used to refuse the saved config: unknown rule), and so does an analysis."""
    import pdlf_brian.models.rules as package
    from pdlf_brian.cli import main
    folder = tmp_path / "user_rules"
    folder.mkdir()
    (folder / "user_hebb.py").write_text('NAME = "user_hebb"\nCOEFFICIENTS = ("eta", "A")\n'
                                         'DISCRETE = "eta * (A * pre * post)"\n')
    original = list(package.__path__)
    monkeypatch.setattr(package, "__path__", [*original, str(folder)])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "run"
    flags = ["train", "--task", "wm", "--len", "2", "--lat", "1", "--hidden", "4", "--pop", "3", "--sequences", "2",
             "--quiet", "--out", str(out)]
    assert main([*flags, "--rule", "user_hebb", "--generations", "1"]) == 0
    monkeypatch.setattr(package, "__path__", original)   # the file is gone from models/rules
    capsys.readouterr()
    assert main([*flags, "--resume", "--generations", "2"]) == 0
    err = capsys.readouterr().err
    assert "rule 'user_hebb' is no longer in models/rules" in err and "models/rule.py" in err, err
    assert json.loads((out / "result.json").read_text())["generations"] == 2


def test_pdlf_rules_lists_every_rule_and_says_which_files_cannot_be_used(tmp_path, capsys, monkeypatch):
    """Each rule with the models it supports and its coefficients; a user's file with a problem (or one that
    does not import) is named on stderr, and the rest of the list is still printed (it used to stop)."""
    import pdlf_brian.models.rules as package
    from pdlf_brian.cli import main
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "scp+pdp    reference, bio  eta, A, B, C, D" in out and "stdp       bio " in out
    folder = tmp_path / "user_rules"
    folder.mkdir()
    (folder / "aaa_unused.py").write_text('NAME = "aaa_unused"\nCOEFFICIENTS = ("eta", "d0")\nDISCRETE = "eta * pre"\n')
    (folder / "broken_import.py").write_text('import no_such_module\nNAME = "broken"\n')
    (folder / "number_name.py").write_text('NAME = 3\nCOEFFICIENTS = ("eta",)\nDISCRETE = "eta * pre"\n')
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    assert main(["rules"]) == 1
    captured = capsys.readouterr()
    assert all(f"\n{name:10s} " in captured.out for name in available_rules() if name != "aaa_unused")
    assert "aaa_unused" in captured.out and "declared but unused: d0" in captured.err
    assert "broken_import.py: cannot be imported: ModuleNotFoundError" in captured.err
    assert "number_name.py: NAME must be a non-empty string" in captured.err   # it used to crash the listing


def test_unknown_rule_name_lists_the_available_ones():
    with pytest.raises(RuleError, match=r"unknown rule 'hebb'; available: .*scp\+pdp"):
        load_rule("hebb")
    with pytest.raises(RuleError, match="no such file"):
        load_rule("/nonexistent/rule.py")


def test_check_rule_reports_every_problem_one_line_each(tmp_path, capsys):
    from pdlf_brian.cli import main
    bad = tmp_path / "bad.py"
    bad.write_text('NAME = "bad"\nCOEFFICIENTS = ("eta", "A", "K")\nDISCRETE = "eta * A * pre * nope"\n'
                   'ON_PRE = "eta * A * apost * ms"\nON_POST = "eta * (A * apre"\n')
    assert main(["check-rule", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(str(bad) in line for line in err)
    joined = "\n".join(err)
    for culprit in ("DISCRETE = 'eta * A * pre * nope': unknown identifier(s) nope",
                    "ON_PRE = 'eta * A * apost * ms': unit mismatch", "ON_POST = 'eta * (A * apre': syntax error",
                    "declared but unused: K"):
        assert culprit in joined
    broken = tmp_path / "broken.py"
    broken.write_text('NAME = "b"\nCOEFFICIENTS = ("eta",)\nDISCRETE = (\n')
    assert main(["check-rule", str(broken)]) == 1
    assert "line 3: syntax error" in capsys.readouterr().err
    assert main(["check-rule", str(tmp_path / "missing.py")]) == 1


def test_check_rule_builds_good_rules_in_brian2(capsys):
    from pdlf_brian.cli import main
    assert main(["check-rule", "wm_pre"]) == 0
    out = capsys.readouterr().out
    assert "reference model: built and ran in Brian2" in out and "bio model: built and ran in Brian2" in out


def test_check_rule_catches_pathways_writing_unknown_variables(tmp_path, capsys):
    from pdlf_brian.cli import main
    bad = tmp_path / "writes.py"
    bad.write_text('from brian2 import ms\nNAME = "writes"\nCOEFFICIENTS = ("a",)\n'
                   'EQUATIONS = "dz/dt = -z / (20 * ms) : 1 (event-driven)"\n'
                   'ON_PRE = "a * z"\nPRE_UPDATES = "q += 1"\nPOST_UPDATES = "z += b"\n')
    assert main(["check-rule", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "PRE_UPDATES: 'q += 1': writes 'q', which the rule's EQUATIONS do not define" in err
    assert "POST_UPDATES: 'z += b': unknown identifier(s) b" in err
    clash = tmp_path / "clash.py"
    clash.write_text('NAME = "clash"\nCOEFFICIENTS = ("a",)\nEQUATIONS = "w2 : 1\\napre : 1"\nON_PRE = "a * apost"\n')
    assert main(["check-rule", str(clash)]) == 1
    assert "redefine the package's synaptic variable(s) apre" in capsys.readouterr().err


def test_constant_over_dt_on_a_rule_constant_is_flagged_as_slow(tmp_path):
    """'(constant over dt)' makes Brian2 recompute a subexpression for every synapse at every time step;
    the shipped rules do without it, and a user's rule gets a warning naming the line (not for rand())."""
    from pdlf_brian.rules import slow_equations
    for name in available_rules():
        assert slow_equations(load_rule(name)) == [], name
    path = write(tmp_path, '''
        from brian2 import ms
        NAME = "slow"
        COEFFICIENTS = ("k",)
        EQUATIONS = """
        tau_apre = 20 * ms * exp(k) : second (constant over dt)
        noise = 0.01 * randn() : 1 (constant over dt)
        """
        ON_PRE = "apost"
        ''')
    (warning,) = slow_equations(load_rule(path))
    assert "rule 'slow'" in warning and "'tau_apre = 20 * ms * exp(k) : second (constant over dt)'" in warning


def test_a_broken_file_in_the_rules_folder_is_its_error_not_an_unknown_name(tmp_path, monkeypatch):
    """models/rules/oja.py with a syntax error: `--rule oja` names the file and the line (the file was
    once silently skipped, and the user read "unknown rule 'oja'")."""
    import pdlf_brian.models.neurons as neurons_package
    import pdlf_brian.models.rules as rules_package
    from pdlf_brian.neurons import NeuronError, load_neuron
    from pdlf_brian.rules import RuleError, load_rule

    (tmp_path / "oja.py").write_text('NAME = "oja"\nCOEFFICIENTS = ("eta",)\nON_PRE = "eta * (apost"\nif\n')
    (tmp_path / "izh.py").write_text("import no_such_module_here\n")
    monkeypatch.setattr(rules_package, "__path__", [*rules_package.__path__, str(tmp_path)])
    monkeypatch.setattr(neurons_package, "__path__", [*neurons_package.__path__, str(tmp_path)])
    with pytest.raises(RuleError, match=r"rule file .*oja\.py: line 4: syntax error"):
        load_rule("oja")
    with pytest.raises(NeuronError, match=r"neuron file .*izh\.py: cannot be imported: ModuleNotFoundError"):
        load_neuron("izh")
    with pytest.raises(RuleError, match="unknown rule 'nosuch'"):
        load_rule("nosuch")
    assert load_rule("stdp").name == "stdp"  # the broken file hides no other


def test_a_flattened_copy_holds_every_constant_exactly(tmp_path):
    """DIR/models/rule.py and neuron.py rerun a run: their constants must be the very same floats
    (Brian2's display rounds some: triplet's 946 ms was written 0.946 s, one ulp off)."""
    from brian2 import get_dimensions

    from pdlf_brian.neurons import available_neurons, flatten as flatten_neuron, load_neuron
    from pdlf_brian.rules import available_rules, flatten

    pairs = [(load_rule(n), flatten, load_rule) for n in available_rules()]
    pairs += [(load_neuron(n), flatten_neuron, load_neuron) for n in available_neurons()]
    checked = 0
    for original, write, load in pairs:
        path = tmp_path / f"{original.name.replace('+', '_')}_{len(original.namespace)}.py"
        path.write_text(write(original))
        copy = load(str(path))
        assert set(copy.namespace) == set(original.namespace), original.name
        for k, v in original.namespace.items():
            assert float(copy.namespace[k]) == float(v), (original.name, k, v, copy.namespace[k])
            assert get_dimensions(copy.namespace[k]) == get_dimensions(v), (original.name, k)
            checked += 1
    assert checked > 20


def test_synaptic_state_must_name_event_driven_variables(tmp_path, capsys):
    from pdlf_brian.cli import main
    rule = tmp_path / "stp2.py"
    text = ('NAME = "stp2"\nCOEFFICIENTS = ("k",)\nEQUATIONS = "du_f/dt = -u_f / (100 * ms) : 1 (event-driven)"\n'
            'ON_PRE = "k * u_f"\nPRE_UPDATES = "u_f += 0.2"\nSYNAPTIC_STATE = {}\n')
    rule.write_text(text.format('("u_f",)'))
    assert load_rule(str(rule)).synaptic_state == ("u_f",) and load_rule(str(rule)).traces() == []
    rule.write_text(text.format('("u",)'))
    assert main(["check-rule", str(rule)]) == 1
    assert "SYNAPTIC_STATE names u, which EQUATIONS do not define" in capsys.readouterr().err
    rule.write_text(text.format('"u_f"'))
    with pytest.raises(RuleError, match="SYNAPTIC_STATE must be a tuple"):
        load_rule(str(rule))


def test_noise_is_found_in_every_code_field_of_rule_and_neuron():
    """A rule is stochastic if any of its code fields calls a random function: each field alone is
    found, and a rule's and a neuron's noise are united (what seeding and the --workers refusal use)."""
    import dataclasses

    from pdlf_brian.modelfiles import model_noise
    from pdlf_brian.neurons import load_neuron
    from pdlf_brian.rules import CODE_FIELDS
    rule = load_rule("scp+pdp")
    assert rule.random_names() == set() and model_noise(rule) == []
    optional_strings = {f.name for f in dataclasses.fields(rule) if f.type == "str | None"} - {"init_weights"}
    assert optional_strings == set(CODE_FIELDS)  # a new code field must be searched (and flattened) too
    for key in CODE_FIELDS:
        noisy = dataclasses.replace(rule, **{key: (getattr(rule, key) or "") + "\nw += 0 * rand()"})
        assert noisy.random_names() == {"rand"}, key
    neuron = load_neuron("lif")
    neuron = dataclasses.replace(neuron, equations=neuron.equations + "\nn_ = xi : second**-0.5")
    assert model_noise(dataclasses.replace(rule, on_pre="w += randn()"), neuron) == ["randn", "xi"]
