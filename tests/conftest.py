import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # tests/numpy_reference.py


@pytest.fixture(autouse=True)
def _brian_runtime(request, monkeypatch):
    """Every test starts on Brian2's runtime device (a standalone test may switch it).

    Unless a test is marked ``cython`` (or PDLF_TEST_CYTHON=1), the ``cython`` backend runs as Brian2's
    numpy target: the same generated equations, nothing compiled.  A cold Cython cache (every CI run)
    compiles about 11 modules per reference network and 22 per biological network configuration, at
    several seconds each: most of the suite's time.  The tests that are about the compiled runtime
    (the oracle comparisons on Cython, cpp against Cython, the smoke subset) are marked and compile."""
    from brian2 import set_device
    from pdlf_brian import backends
    if request.node.get_closest_marker("cython") is None and os.environ.get("PDLF_TEST_CYTHON") != "1":
        real = backends.activate_runtime
        monkeypatch.setattr(backends, "activate_runtime", lambda name: real("numpy" if name == "cython" else name))
    set_device("runtime")
    yield
    set_device("runtime")
