"""The grid scripts' summary cells (scripts/_cells.py): what a table says for 0, 1 and several seeds."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from _cells import mean_sd  # noqa: E402


@pytest.mark.parametrize("mean, sd, n, cell", [(0.7, 0.031, 3, "0.7 ± 0.031 (3)"),   # several seeds: the spread
                                               (0.597, None, 1, "0.597 (1)"),        # one seed has none
                                               (None, None, 0, "- (0)")])            # no finished seed, no score
def test_a_cell_says_mean_spread_and_seeds(mean, sd, n, cell):
    assert mean_sd(mean, sd, n) == cell
    assert "None" not in mean_sd(mean, sd, n)
