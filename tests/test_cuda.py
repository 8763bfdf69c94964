"""cuda_standalone (brian2cuda): the reference network's CUDA code is generated here, and compiled
where nvcc and cuRAND are present.  Running it needs a GPU (see docs/benchmarks.md for GPU runs)."""
import importlib.util
import shutil

import pytest

pytest.importorskip("brian2cuda")

from pdlf_brian.rules import load_rule  # noqa: E402
from pdlf_brian.standalone import StandaloneReference  # noqa: E402


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
    net = StandaloneReference(load_rule("scp+pdp"), 3, 4, 1, 2, 2, 5, recurrent=True, backend="cuda",
                              directory=tmp_path / "cuda", compile=False)
    _check_generated(tmp_path / "cuda" / "code")
    assert (tmp_path / "cuda" / "maxnorm_cuda.cu").read_text().count("pdlf_maxbuf_d[12]") == 1  # 3 layers x 2 x 2 copies


@pytest.mark.skipif(not shutil.which("nvcc") or not _curand_available(), reason="needs nvcc and cuRAND")
def test_cuda_code_compiles_with_nvcc(tmp_path):
    net = StandaloneReference(load_rule("scp+pdp"), 3, 4, 1, 2, 2, 5, recurrent=True, backend="cuda",
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
