import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # tests/numpy_reference.py


@pytest.fixture(autouse=True)
def _brian_runtime():
    """Every test starts on Brian2's runtime device (a standalone test may switch it)."""
    from brian2 import set_device
    set_device("runtime")
    yield
    set_device("runtime")
