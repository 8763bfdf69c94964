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


def test_the_wm_summary_finds_every_finished_cell_and_marks_mixed_budgets(tmp_path, monkeypatch, capsys):
    """wm_grid --summarise-only with one asked cell also summarises the other finished cells in --out, skips
    runs still going and names that are not cells, and says when a cell's runs had different budgets."""
    import json

    import wm_grid
    runs = {"len8_lat8_pdlf_s0": (0.7, 1000, 64), "len8_lat8_pdlf_s1": (0.6, 120, 32),
            "len8_lat8_weights_s0": (0.55, 1000, 64), "len16_lat0_pdlf_s2": (0.9, 1000, 64),
            "len16_lat0_weights_s0": None,                                   # still running
            "len8_lat8_pdlf_extra_s0": (0.1, 1000, 64)}                      # not a cell of the script
    for name, r in runs.items():
        (tmp_path / name).mkdir()
        flags = ["--task", "wm", "--seed", name[-1], "--rule", "weights" if "weights" in name else "scp+pdp"]
        (tmp_path / name / "cell.json").write_text(json.dumps(flags + (["--hold", "2"] if name == "len16_lat0_pdlf_s2"
                                                                        else [])))
        if r:
            (tmp_path / name / "result.json").write_text(json.dumps(
                {"score_centre": r[0], "score_best": r[0], "wall_seconds": 60, "generations": r[1], "pop": r[2]}))
    assert wm_grid.finished(tmp_path) == {(8, 8): {"pdlf": {0, 1}, "weights": {0}}, (16, 0): {"pdlf": {2}}}
    monkeypatch.setattr(sys, "argv", ["wm_grid.py", "--out", str(tmp_path), "--lens", "8", "--lats", "8",
                                      "--seeds", "0", "--summarise-only"])
    wm_grid.main()
    table = (tmp_path / "grid.md").read_text().splitlines()
    assert table[2] == "| 8 | 8 | 0.65 ± 0.071 (2) | 0.55 (1) | 1.0 | 1.0 | 120 x 32 / 1000 x 64 (mixed) |"
    assert table[3] == "| 16 | 0 | 0.9 (1) | - (0) | 1.0 | - | 1000 x 64 |"
    assert len(table) == 4
    # a seed run with other flags than its arm's other seeds is said
    (tmp_path / "len8_lat8_pdlf_s1" / "cell.json").write_text(json.dumps(["--task", "wm", "--seed", "1", "--hidden", "64"]))
    wm_grid.main()
    table = (tmp_path / "grid.md").read_text().splitlines()
    assert table[2].endswith("| 120 x 32 / 1000 x 64 (mixed); pdlf seeds ran with different flags |")
    assert table[3].endswith("| 1000 x 64 |")
