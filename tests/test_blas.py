"""numpy's OpenBLAS is pinned (one thread; on x86-64 the baseline kernel) when pdlf_brian is imported
before numpy: another kernel or thread count rounds CMA-ES's linear algebra otherwise, and a long run
then ends elsewhere on another machine (docs/benchmarks.md)."""
import json
import os
import platform
import subprocess
import sys

import pytest

X86 = platform.machine().lower() in ("x86_64", "amd64")


def _numpy_blas():
    from threadpoolctl import threadpool_info
    return [i["internal_api"] for i in threadpool_info() if i["user_api"] == "blas"]


pytestmark = pytest.mark.skipif(_numpy_blas() != ["openblas"],
                                reason="the package pins OpenBLAS only; this numpy runs on another BLAS")


def _python(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


PROBE = ("import json; from threadpoolctl import threadpool_info; "
         "b = [i for i in threadpool_info() if i['user_api'] == 'blas'][0]; ")


def test_importing_the_package_first_pins_openblas():
    got = _python("import pdlf_brian, numpy; from pdlf_brian.rundir import blas; " + PROBE
                  + "print(json.dumps([blas(), b['architecture'], b['num_threads']]))")
    state, kernel, threads = got
    assert state["pinned"] and threads == 1, state
    if X86:   # the kernel OpenBLAS runs when it is told the baseline one, whatever this CPU is
        asked = _python("import numpy; " + PROBE + "print(json.dumps(b['architecture']))",
                        OPENBLAS_CORETYPE="Prescott", OPENBLAS_NUM_THREADS="1")
        assert kernel == asked and f"kernel {kernel}, 1 thread" in state["description"]


def test_numpy_imported_first_is_said_and_warned_at_training():
    state = _python("import numpy, pdlf_brian; from pdlf_brian.rundir import blas; import json; "
                    "print(json.dumps(blas()))")
    assert not state["pinned"] and "numpy was imported before pdlf_brian" in state["why"]
    # the environment's own pinning counts as pinned, in whatever order the imports come
    env = {"OPENBLAS_NUM_THREADS": "1", **({"OPENBLAS_CORETYPE": "Prescott"} if X86 else {})}
    state = _python("import numpy, pdlf_brian; from pdlf_brian.rundir import blas; import json; "
                    "print(json.dumps(blas()))", **env)
    assert state["pinned"], state


def test_training_warns_where_the_blas_is_not_pinned(monkeypatch):
    from pdlf_brian import rundir
    from pdlf_brian.config import Config
    from pdlf_brian.evolve import start_warnings

    assert not any("BLAS" in w for w in start_warnings(Config().validate()))   # this process: pinned
    monkeypatch.setattr(rundir, "blas", lambda: {"description": "openblas 0.3.30, kernel SkylakeX, 2 threads",
                                                 "pinned": False, "why": "numpy was imported before pdlf_brian"})
    said = [w for w in start_warnings(Config().validate()) if "BLAS" in w]
    assert len(said) == 1 and "SkylakeX" in said[0] and "imported before" in said[0]
