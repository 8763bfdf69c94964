"""The synaptic theory of working memory (examples/synaptic_theory_wm.py, Mongillo et al. 2008 Fig 2A):
its key numbers, as the paper states them, and the control that shows the memory is in u.

One seed each way (the numpy target is deterministic for a seed); docs/results.md gives the rate over
ten seeds.  With the cue: the cued population stays near its baseline rate through the delay, its u stays
high, and the non-specific readout reactivates it (a population spike) and no other population.
Without the cue (same seed, same noise): nothing is facilitated, and the readout reactivates nothing."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "synaptic_theory_wm.py"
SEED = 1


def _run(tmp_path, *flags):
    out = tmp_path / "stwm"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--seed", str(SEED), "--out", str(out), *flags],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Path(str(out) + ".png").stat().st_size > 20_000
    return json.loads(Path(str(out) + ".json").read_text())


@pytest.fixture(scope="module")
def cued(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("cued"))


def test_the_memory_is_in_u_not_in_activity(cued):
    assert cued["u_cued_end_of_delay"] > cued["u_other_end_of_delay"] + 0.15, cued
    assert cued["u_other_end_of_delay"] < 0.3, "uncued populations stay near U = 0.2"
    assert cued["delay_rate_cued_hz"] < cued["baseline_rate_hz"] + 1.0, "no persistent activity in the delay"
    assert cued["delay_peak_any_hz"] < 10, "no population spike during the delay (the paper's Fig 2A regime)"


def test_the_readout_reactivates_the_cued_population_only(cued):
    assert cued["readout_peak_cued_hz"] > 40, cued
    assert cued["readout_peak_cued_hz"] > 5 * cued["readout_peak_others_hz"], cued
    assert cued["reactivated"] is True   # the script's own verdict agrees


def test_the_default_run_lands_in_a_run_folder_with_its_settings(tmp_path):
    """No --out: the files go to runs/synaptic_theory_wm/ under the working directory, named by the settings."""
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-cue", "--delay", "0.5"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    numbers = json.loads((tmp_path / "runs/synaptic_theory_wm/seed1_nocue_delay0.5_quick.json").read_text())
    assert numbers["reactivated"] is False and numbers["no_cue"] is True and numbers["seed"] == 1
    assert "reactivated the cued population: no" in proc.stdout


def test_without_the_cue_the_readout_reactivates_nothing(tmp_path):
    control = _run(tmp_path, "--no-cue")
    assert abs(control["u_cued_end_of_delay"] - control["u_other_end_of_delay"]) < 0.05, control
    assert max(control["readout_peak_cued_hz"], control["readout_peak_others_hz"]) < 20, control
