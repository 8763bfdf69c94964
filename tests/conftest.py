import os
import sys

import pytest

import pdlf_brian  # noqa: F401  (first: it pins numpy's OpenBLAS before any test module loads numpy)

sys.path.insert(0, os.path.dirname(__file__))  # tests/numpy_reference.py

ALL_CYTHON = os.environ.get("PDLF_TEST_CYTHON") == "1"
_compile = {"cython": ALL_CYTHON}


@pytest.fixture(scope="session", autouse=True)
def _cython_as_numpy_unless_marked():
    """Unless a test is marked ``cython`` (or PDLF_TEST_CYTHON=1), the ``cython`` backend runs as Brian2's
    numpy target in this process: the same generated equations, nothing compiled.  A cold Cython cache
    (every CI run) compiles about 11 modules per reference network and 22 per biological network
    configuration, at several seconds each: most of the suite's time.  The tests that are about the
    compiled runtime (the oracle comparisons on Cython, the smoke subset) are marked and compile.
    Session-wide, so that module fixtures (runs trained for several tests) follow it too; worker
    processes that a test starts are not affected."""
    from pdlf_brian import backends
    real = backends.activate_runtime

    def activate(name):
        return real("numpy" if name == "cython" and not _compile["cython"] else name)

    patch = pytest.MonkeyPatch()
    patch.setattr(backends, "activate_runtime", activate)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _brian_runtime(request):
    """Every test starts on Brian2's runtime device (a standalone test may switch it)."""
    from brian2 import set_device
    _compile["cython"] = ALL_CYTHON or request.node.get_closest_marker("cython") is not None
    set_device("runtime")
    yield
    set_device("runtime")
    _compile["cython"] = ALL_CYTHON
