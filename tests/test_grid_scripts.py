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


def test_the_rl_summary_finds_every_finished_run_of_the_task(tmp_path):
    """A grid run in parts (one arm or seed per invocation) is summarised whole: rl_grid.finished reads
    the folder's run names, arm names with underscores included, and only runs that finished."""
    from rl_grid import finished
    for name, done in [("halfcheetah_vel_pdlf_s0", True), ("halfcheetah_vel_pdlf_post_e6post_s2", True),
                       ("halfcheetah_vel_weights_s1", False),      # still running: no result.json
                       ("ant_dir_pdlf_s0", True),                  # another task
                       ("halfcheetah_vel_pdlf_extra_s0", True)]:   # not an arm of the script
        (tmp_path / name).mkdir()
        if done:
            (tmp_path / name / "result.json").write_text("{}")
    assert finished(tmp_path, "halfcheetah_vel") == {"pdlf": {0}, "pdlf_post_e6post": {2}}
    assert finished(tmp_path / "missing", "ant_dir") == {}
