"""cpp_standalone: compiled once, new genomes through run_args, same numbers as NumPy E1-E6."""
import numpy as np
import pytest

from numpy_reference import run_controller
from pdlf_brian.rules import load_rule
from pdlf_brian.builder import Controller

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cpp_net(tmp_path_factory):
    from brian2 import set_device
    net = Controller("reference", load_rule("scp+pdp"), 4, 6, 2, 2, 2, 20, recurrent=True, backend="cpp",
                              record=True, directory=tmp_path_factory.mktemp("cpp"))
    yield net
    set_device("runtime")


def test_cpp_matches_numpy_for_several_genomes_without_recompiling(cpp_net):
    net = cpp_net
    binary_mtime = None
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        g = rng.normal(0, 0.6, (2, net.layout.size))
        x = rng.normal(0, 1.5, (20, 2, 2, 4))
        a = net.run_open_loop(g, x)
        rec = net.recorded()
        d = net.layout.decode(g)
        for p in range(2):
            c = {layer: {k: v[p] for k, v in dd.items()} for layer, dd in d.items()}
            for b in range(2):
                acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c["rec"])
                assert np.abs(spikes).sum() > 0
                np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9)
                np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9)
                np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9)
        main = net.directory / "code" / "main"
        mtime = main.stat().st_mtime
        assert binary_mtime in (None, mtime), "the program must not be rebuilt between evaluations"
        binary_mtime = mtime


def test_cpp_e6_per_postsynaptic_neuron_matches_numpy(tmp_path):
    """normalise='post' compiled: one E6 slot per (layer, copy, postsynaptic neuron), the program's buffers
    sized for them (a slot beyond them would read or write another array)."""
    from brian2 import set_device
    try:
        net = Controller("reference", load_rule("scp+pdp"), 4, 6, 3, 2, 2, 20, recurrent=True, backend="cpp",
                         record=True, directory=tmp_path / "cpp", normalise="post", sharing="post,out=synapse")
        rng = np.random.default_rng(7)
        g = rng.normal(0, 0.6, (2, net.layout.size))
        x = rng.normal(0, 1.5, (20, 2, 2, 4))
        a = net.run_open_loop(g, x)
        rec = net.recorded()
    finally:
        set_device("runtime")
    d = net.layout.decode(g)
    for p in range(2):
        c = {layer: {k: np.broadcast_to(v[p], (net.layout.layer(layer).n_pre, net.layout.layer(layer).n_post))
                     for k, v in dd.items()} for layer, dd in d.items()}
        for b in range(2):
            acts, spikes, w1, w2 = run_controller(x[:, p, b], c["in"], c["out"], c["rec"], per="post")
            assert np.abs(spikes).sum() > 0
            np.testing.assert_allclose(a[:, p, b], acts, atol=1e-9)
            np.testing.assert_allclose(rec["w_in"][:, p, b], w1, atol=1e-9)
            np.testing.assert_allclose(rec["w_out"][:, p, b], w2, atol=1e-9)


def test_evaluations_leave_no_files_behind(cpp_net):
    """Brian2 writes each run's arrays (genomes, stimuli) to new files in static_arrays and keeps them:
    1.1 GB after 225 generations of a biological run.  They are removed after each run, and the
    results are the last run's only."""
    static = cpp_net.directory / "code" / "static_arrays"
    before = sorted(p.name for p in static.iterdir())
    for seed in (3, 4, 5):
        rng = np.random.default_rng(seed)
        a = cpp_net.run_open_loop(rng.normal(0, 0.6, (2, cpp_net.layout.size)), rng.normal(0, 1.5, (20, 2, 2, 4)))
        assert np.isfinite(a).all()
    assert sorted(p.name for p in static.iterdir()) == before
    assert cpp_net.device.run_args_arrays, "the runs did give arrays through files"
    # the coefficients are not written back, yet read back as the run was given them
    g = np.random.default_rng(6).normal(0, 0.6, (2, cpp_net.layout.size))
    cpp_net.run_open_loop(g, np.ones((20, 2, 2, 4)))
    for (owner, var), values in cpp_net.coefficient_arrays(g).items():
        np.testing.assert_array_equal(np.asarray(getattr(owner, var)[:]), values)


def test_cpp_divergent_copy_is_nan_not_a_crash(cpp_net):
    g = np.zeros((2, cpp_net.layout.size))
    g[1] = 1e300
    a = cpp_net.run_open_loop(g, np.ones((20, 2, 2, 4)))
    assert np.all(np.isfinite(a[:, 0])) and not np.all(np.isfinite(a[:, 1]))


def test_two_compiled_shapes_live_in_one_process(cpp_net, tmp_path):
    other = Controller("reference", load_rule("scp"), 3, 5, 1, 1, 2, 6, backend="cpp", directory=tmp_path)
    g = np.random.default_rng(0).normal(0, 0.5, (1, other.layout.size))
    y = other.run_open_loop(g, np.ones((6, 1, 2, 3)))
    assert y.shape == (6, 1, 2, 1) and np.all(np.isfinite(y))
    a = cpp_net.run_open_loop(np.zeros((2, cpp_net.layout.size)), np.ones((20, 2, 2, 4)))
    assert a.shape == (20, 2, 2, 2)


def test_a_controllers_own_code_folder_is_removed_with_it():
    """Each compiled controller made a folder in the temporary directory (tens of MB: the program, its
    arrays) and left it there after the process ended.  A folder it made itself goes with it; one
    given by the caller stays."""
    import gc
    net = Controller("reference", load_rule("scp"), 3, 5, 1, 1, 2, 6, backend="cpp", name="own_folder")
    folder = net.directory
    assert np.isfinite(net.run_open_loop(np.zeros((1, net.layout.size)), np.ones((6, 1, 2, 3)))).all()
    assert folder.is_dir()
    del net
    gc.collect()
    assert not folder.exists()


def test_a_failed_run_keeps_its_code_folder(capsys):
    """A compiled run that fails leaves its folder (code, inputs, logs) for a look by hand, and says where;
    its own folder is otherwise removed with the controller."""
    import gc
    net = Controller("reference", load_rule("scp"), 3, 5, 1, 1, 2, 6, backend="cpp", name="failing_run")
    folder = net.directory
    (folder / "code" / "main").write_text("#!/bin/sh\nexit 3\n")  # a program that fails
    with pytest.raises(RuntimeError):
        net.run_open_loop(np.zeros((1, net.layout.size)), np.ones((6, 1, 2, 3)))
    assert f"a compiled run failed; its code stays in {folder}" in capsys.readouterr().err
    del net
    gc.collect()
    assert folder.is_dir()
    import shutil
    shutil.rmtree(folder)
