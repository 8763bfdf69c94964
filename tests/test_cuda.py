"""cuda_standalone (brian2cuda): the CUDA code of both models is generated here, and compiled where
nvcc and cuRAND are present.  Running it needs a GPU (see docs/benchmarks.md for GPU runs).

brian2cuda exists for Python 3.11 (1.0a7, brian2 2.8.0) and 3.12 (1.0b1, brian2 2.10.1): CI runs this
file in a Python 3.12 environment with the cuda extra (.ci/run)."""
import importlib.util
import shutil

import pytest

pytest.importorskip("brian2cuda")

from pdlf_brian.rules import load_rule  # noqa: E402
from pdlf_brian.builder import Controller  # noqa: E402


def _curand_available():
    try:
        if importlib.util.find_spec("nvidia.curand") is not None:
            return True
    except ModuleNotFoundError:  # no 'nvidia' namespace package at all
        pass
    nvcc = shutil.which("nvcc")
    if not nvcc:
        return False
    import os
    root = os.path.dirname(os.path.dirname(os.path.realpath(nvcc)))
    return any(os.path.exists(os.path.join(root, d, "curand.h")) for d in ("include", "cuda/include"))


def _check_generated(code):
    rules = [p for p in (code / "code_objects").glob("pdlf_rule_*_codeobject*.cu")]
    assert len(rules) == 3, "one rule kernel per layer (in, rec, out)"
    assert all("pdlf_max_acc" in p.read_text() for p in rules), "E6's running max is accumulated on the GPU"
    assert all("pdlf_max_get" in p.read_text() for p in (code / "code_objects").glob("pdlf_normalise_*.cu"))
    makefile = (code / "makefile").read_text()
    assert "-std=c++17" in makefile and "-std=c++11" not in makefile
    assert "maxnorm_cuda.cu" in makefile


def test_cuda_code_is_generated(tmp_path):
    net = Controller("reference", load_rule("scp+pdp"), 3, 4, 1, 2, 2, 5, recurrent=True, backend="cuda",
                              directory=tmp_path / "cuda", compile=False)
    _check_generated(tmp_path / "cuda" / "code")
    assert (tmp_path / "cuda" / "maxnorm_cuda.cu").read_text().count("pdlf_maxbuf_d[12]") == 1  # 3 layers x 2 x 2 copies


@pytest.mark.skipif(not shutil.which("nvcc") or not _curand_available(), reason="needs nvcc and cuRAND")
def test_cuda_code_compiles_with_nvcc(tmp_path):
    net = Controller("reference", load_rule("scp+pdp"), 3, 4, 1, 2, 2, 5, recurrent=True, backend="cuda",
                              directory=tmp_path / "cuda", compile=True)
    _check_generated(tmp_path / "cuda" / "code")
    assert (tmp_path / "cuda" / "code" / "main").exists(), "nvcc built the program"


def test_cuda_backend_without_gpu_is_a_clear_error(tmp_path):
    from pdlf_brian.backends import gpu_visible
    from pdlf_brian.cli import main
    if gpu_visible():
        pytest.skip("a GPU is visible here")
    assert main(["train", "--backend", "cuda", "--hidden", "4", "--len", "2", "--lat", "1", "--pop", "3",
                 "--generations", "1", "--out", str(tmp_path / "r")]) == 2


def _check_bio_generated(code):
    objects = code / "code_objects"
    sums = list(objects.glob("pdlf_bio_scale_sum_*_codeobject*.cu"))
    assert len(sums) == 3, "one synaptic-scaling sum kernel per layer (in, rec, out)"
    assert all("l1_" in p.read_text() for p in sums)
    assert list(objects.glob("pdlf_bio_syn_in_pre_codeobject*.cu")), "the input synapses' on_pre pathway"
    makefile = (code / "makefile").read_text()
    assert "-std=c++17" in makefile and "-std=c++11" not in makefile


def test_cuda_code_is_generated_for_the_bio_model(tmp_path):
    Controller("bio", load_rule("scp+pdp"), 3, 4, 1, 2, 2, 3, step_ms=20.0, recurrent=True, backend="cuda",
               sharing="post", directory=tmp_path / "cuda", compile=False)
    _check_bio_generated(tmp_path / "cuda" / "code")


@pytest.mark.skipif(not shutil.which("nvcc") or not _curand_available(), reason="needs nvcc and cuRAND")
def test_cuda_code_compiles_with_nvcc_for_the_bio_model(tmp_path):
    Controller("bio", load_rule("scp+pdp"), 3, 4, 1, 2, 2, 3, step_ms=20.0, recurrent=True, backend="cuda",
               sharing="post", directory=tmp_path / "cuda", compile=True)
    _check_bio_generated(tmp_path / "cuda" / "code")
    assert (tmp_path / "cuda" / "code" / "main").exists(), "nvcc built the program"
