"""Ray backend for parallel evaluation (``pdlf train --ray ADDRESS``).

Each Ray actor holds one slice of the population as a compiled batched
network, built once, reused every generation (see :mod:`pdlf_brian.parallel`
for the slicing and merging, shared with the local processes).

``--ray auto`` joins the cluster this machine belongs to (``ray start --head``
on the head node, ``ray start --address HEAD:6379`` on the others);
``--ray HOST:PORT`` joins a given one; ``--ray local`` starts a private
single-machine instance for this run.  If ``ray.init`` was already called in
this process (tests, notebooks) that instance is used.

A worker that dies (node lost, process killed) raises ``RayActorError`` on
its result: the actor is replaced, its slice evaluated again with the same
inputs, and the event recorded; the generation completes with the same
numbers as without the failure.
"""
from __future__ import annotations

import os

import numpy as np

from .parallel import WorkerError, _Pool, _Served

MAX_RETRIES = 3


def _actor_class():
    import ray

    @ray.remote(num_cpus=1)
    class EvaluatorActor:
        def __init__(self, cfg_dict, n_individuals):
            self.served = _Served(cfg_dict, n_individuals)

        def run(self, *msg):
            return self.served(*msg)

        def pid(self):
            return os.getpid()

        def blas(self):
            from .rundir import blas
            return blas()

    return EvaluatorActor


class RayPool(_Pool):
    def __init__(self, cfg, n_individuals, n_workers, address):
        self.address = address
        super().__init__(cfg, n_individuals, n_workers)

    def _start(self):
        import ray

        self._owns_ray = False
        if not ray.is_initialized():
            if self.address == "local":
                ray.init(include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            self._owns_ray = True
        self._cls = _actor_class()
        self.actors = [self._new(w) for w in range(len(self.slices))]
        ray.get([a.pid.remote() for a in self.actors])  # wait until every network is built

    def _new(self, w):
        from . import BLAS_PINNED

        # Ray's workers import numpy before any of our code: OpenBLAS is pinned for each actor through its
        # environment (the tasks' small products run there; pdlf_brian.BLAS_PINNED says why), also where
        # the user started Ray or it runs on a cluster
        env = {"env_vars": {k: os.environ.get(k, v) for k, v in BLAS_PINNED.items()}}
        return self._cls.options(runtime_env=env).remote(self.cfg.to_dict(), len(self.slices[w]))

    def _run(self, jobs):
        import ray
        from ray.exceptions import RayActorError

        refs = {w: self.actors[w].run.remote(*msg) for w, msg in jobs}
        out = []
        for w, msg in jobs:
            for attempt in range(MAX_RETRIES + 1):
                try:
                    out.append(ray.get(refs[w]))
                    break
                except RayActorError as exc:
                    if attempt == MAX_RETRIES:
                        raise WorkerError(f"Ray worker {w} died {MAX_RETRIES + 1} times: {exc}") from None
                    self._events.append(f"Ray worker {w} died ({type(exc).__name__}); replaced, its "
                                        f"{len(self.slices[w])} individuals evaluated again")
                    self.actors[w] = self._new(w)
                    refs[w] = self.actors[w].run.remote(*msg)
        return out

    def worker_pids(self) -> list[int]:
        import ray
        return ray.get([a.pid.remote() for a in self.actors])

    def close(self):
        import ray

        for a in self.actors:
            ray.kill(a)
        if self._owns_ray:
            ray.shutdown()
