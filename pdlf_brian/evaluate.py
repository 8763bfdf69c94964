"""Evaluators: a batched network plus a task -> fitness per genome.

Open loop (working memory): the whole stimulus is known in advance, so it is
written into the network's input array and one ``run()`` covers the evaluation.
Closed loop (the RL tasks): one ``run()`` covers an episode of every individual
on every task; the environments are stepped from inside it
(:mod:`pdlf_brian.closed_loop`).

Every evaluator has ``layout``, ``evaluate(genomes, rng) -> (score, fitness,
diverged)``, ``test(genomes, rng, n)``, and ``state_dict()`` /
``load_state_dict()`` for what must travel with a checkpoint.
"""
from __future__ import annotations

import dataclasses
import functools
import gc

import numpy as np

from .closed_loop import EpisodeBatch, checkpoint_state, load_checkpoint_state
from .config import Config, ConfigError
from .rules import load_rule
from .tasks.wm import CopyTask


def build_network(cfg: Config, n_in: int, n_out: int, n_individuals: int, n_copies: int, n_steps: int,
                  record: bool = False, name: str = "pdlf", closed_loop: bool = False, **network_kwargs):
    """The batched controller the config asks for (:class:`pdlf_brian.builder.Controller`).

    After building, the heap is frozen (``gc.freeze``): Brian2 calls ``gc.collect()``
    in every ``run()``, and with the long-lived network objects out of the
    collector's sight that call drops from ~150 ms to ~30 ms per evaluation
    (ENGINEERING.md; measured in docs/benchmarks.md).  Brian2 >= 2.11 skips that collection
    altogether (``backends.configure_compiler``).
    """
    net = _build_network(cfg, n_in, n_out, n_individuals, n_copies, n_steps, record, name, closed_loop,
                         **network_kwargs)
    gc.collect()
    gc.freeze()
    return net


def build_runtime_network(cfg: Config, n_in: int, n_out: int, n_individuals: int, n_copies: int, n_steps: int,
                          record: bool = False, **network_kwargs):
    """The config's network on a runtime backend, for analyses that reach into it between steps
    (a standalone run is analysed on Cython; the equations are the same).  Extra keywords go to the
    controller (e.g. ``dt_hook=True``).  No ``gc.freeze``: analyses build and drop several networks."""
    if cfg.backend not in ("cython", "numpy"):
        cfg = dataclasses.replace(cfg, backend="cython")
    return _build_network(cfg, n_in, n_out, n_individuals, n_copies, n_steps, record, "pdlf", False,
                          **network_kwargs)


def check_backend_available(backend: str) -> None:
    """One line if ``backend`` cannot run here (cuda: no brian2cuda for this Python, or no GPU)."""
    if backend != "cuda":
        return
    import sys
    from .backends import gpu_visible
    try:
        import brian2cuda  # noqa: F401
    except ImportError:
        if sys.version_info >= (3, 13):
            raise ConfigError("config key 'backend': no brian2cuda exists for this Python "
                              f"{sys.version_info.major}.{sys.version_info.minor}: brian2cuda 1.0b1 needs "
                              "brian2 2.10.1, and Python 3.13 gets brian2 >= 2.11; use Python 3.11 or 3.12 "
                              "for --backend cuda") from None
        raise ConfigError("config key 'backend': 'cuda' needs brian2cuda: pip install -e '.[cuda]'") from None
    if not gpu_visible():
        raise ConfigError("config key 'backend': 'cuda' needs an NVIDIA GPU to run, and nvidia-smi lists none "
                          "(Controller(..., backend='cuda', compile=...) can still generate and compile the code)")


def _build_network(cfg, n_in, n_out, n_individuals, n_copies, n_steps, record, name, closed_loop,
                   **network_kwargs):
    from .backends import configure_compiler
    from .builder import Controller
    from .weights import for_rule

    cfg.validate()
    configure_compiler(cfg.native)
    if closed_loop and cfg.backend in ("cpp", "cuda"):
        raise ConfigError(f"config key 'backend': the closed loop steps Python environments every step; "
                          f"use cython (or numpy), not {cfg.backend}")
    check_backend_available(cfg.backend)
    rule = load_rule(cfg.rule)
    return Controller(cfg.model, rule, n_in, cfg.hidden, n_out, n_individuals, n_copies, n_steps,
                      recurrent=cfg.topology == "rec", sharing=cfg.sharing, backend=cfg.backend, record=record,
                      closed_loop=closed_loop, neuron=cfg.neuron if cfg.model == "bio" else None,
                      step_ms=cfg.env_step_ms if closed_loop else cfg.stimulus_ms, dt_ms=cfg.dt_ms,
                      init_weights=for_rule(cfg.init_weights, rule), name=name, channel_kinds=channel_kinds(cfg),
                      normalise=cfg.normalise,
                      **network_kwargs)


def channel_kinds(cfg: Config):
    """The kind of each input channel of the config's task (sharing 'channel'), or None (RL tasks)."""
    return CopyTask.from_config(cfg).channel_kinds if cfg.task == "wm" else None


def pad_genomes(genomes, n_individuals: int, size: int):
    """(n <= P, size) genomes -> ((P, size) zero-padded, n): a batched network always runs all P slots."""
    genomes = np.atleast_2d(np.asarray(genomes, dtype=float))
    n = genomes.shape[0]
    if n > n_individuals:
        raise ValueError(f"this evaluator holds {n_individuals} individuals; got {n} genomes")
    if genomes.shape[1] != size:
        raise ValueError(f"genomes have {genomes.shape[1]} numbers; this network needs {size} "
                         f"(a checkpoint from another task or network shape?)")
    padded = np.zeros((n_individuals, size))
    padded[:n] = genomes
    return padded, n


class WMEvaluator:
    """Scores genomes on fresh batches of copy-task sequences."""

    def __init__(self, cfg: Config, n_individuals: int):
        self.cfg = cfg.validate()  # fills the task- and model-dependent defaults (idempotent)
        self.task = CopyTask.from_config(cfg)
        self.P, self.B = n_individuals, cfg.sequences
        self.network = build_network(cfg, self.task.n_in, self.task.n_out, self.P, self.B, self.task.n_steps)
        self.layout = self.network.layout

    #: what a generation adds to shared statistics (none for WM; see RLEvaluator)
    collected: list = []

    def evaluate(self, genomes, rng: np.random.Generator, merge: bool = True):
        """(n <= P, size) genomes on one fresh batch -> (accuracy, fitness, diverged), each (n,)."""
        padded, n = pad_genomes(genomes, self.P, self.layout.size)
        bits = self.task.sample(rng, self.B)
        x = self.task.inputs(bits)                                       # (T, B, 3)
        x = np.broadcast_to(x[:, None], (x.shape[0], self.P) + x.shape[1:])
        readout = self.network.run_open_loop(padded, x, rng)[..., 0]    # (T, P, B); rng: initial weights
        # weights that became NaN can leave the readout finite (E2 and the LIF threshold turn a NaN
        # membrane into no spike, so the hidden layer falls silent): such a copy is scored as diverged.
        # Standalone runs write back no weights, but the NaN shows in the neurons' state they do write back
        bad = ~self.network.finite_copies()                               # (P, B)
        if bad.any():
            readout = readout.copy()
            readout[:, bad] = np.nan
        accuracy, fitness = self.task.score(readout, bits)
        diverged = ~np.all(np.isfinite(readout), axis=(0, 2))
        return accuracy[:n], fitness[:n], diverged[:n]

    def test(self, genomes, rng: np.random.Generator, n_sequences: int):
        """Mean accuracy of each genome over about ``n_sequences`` fresh sequences."""
        batches = max(1, int(np.ceil(n_sequences / self.B)))
        acc = np.mean([self.evaluate(genomes, rng)[0] for _ in range(batches)], axis=0)
        return acc

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    def merge_stats(self, collected) -> None:
        pass

    def take_events(self) -> list[str]:
        return []

    def freeze_stats(self) -> None:
        pass


class RLEvaluator:
    """Scores genomes by their mean return over training tasks (closed loop).

    Each generation every individual plays ``tasks_per_eval`` of the 8 training
    tasks (all 8 by default), one episode each, with the same environment
    seeds for every individual.  Observation statistics are learnt during
    training and frozen for :meth:`test`.
    """

    def __init__(self, cfg: Config, n_individuals: int, record: bool = False, **network_kwargs):
        self.cfg = cfg.validate()
        self.P, self.K = n_individuals, cfg.tasks_per_eval
        self.batch = EpisodeBatch(cfg.task, self.P, self.K, cfg.episode_steps, cfg.actuators, cfg.env_options)
        env = self.batch.envs[0]
        self.env_class = type(env)
        self.train_tasks = env.train_tasks() if env.task_kind else None
        plastic = load_rule(cfg.rule).plastic
        self.batch.squash[:] = not (cfg.action_bounds == "reference" and plastic)
        self.network = build_network(cfg, self.batch.n_obs, self.batch.n_act, self.P, self.K, cfg.episode_steps,
                                     record=record, closed_loop=True, **network_kwargs)
        self.layout = self.network.layout
        self.batch.finite_now = lambda: self.network.finite_copies().reshape(-1)

    def episode(self, genomes, tasks, seeds, learn_stats=False, override=None):
        """Play one episode per (genome, task): returns (n, K) per copy and the diverged flags (n,).
        Non-zero initial weights are drawn from the environment seeds (the same for every genome)."""
        padded, n = pad_genomes(genomes, self.P, self.layout.size)
        if len(tasks) != self.K or np.shape(seeds)[-1] != self.K:
            raise ValueError(f"this evaluator plays {self.K} tasks per individual; got {len(tasks)}")
        self.batch.start(tasks, seeds, learn_stats, override)
        rng = np.random.default_rng(np.asarray(seeds, dtype=np.int64).ravel().tolist())
        self.network.run_closed_loop(padded, self.batch, rng=rng)
        self.batch.finish()
        returns = self.batch.returns.reshape(self.P, self.K)
        diverged = self.batch.diverged.reshape(self.P, self.K).any(axis=1)
        return returns[:n], diverged[:n]

    def _draw(self, rng):
        if self.train_tasks is None:
            tasks = [None] * self.K
        elif self.K == len(self.train_tasks):
            tasks = list(self.train_tasks)
        else:
            tasks = list(rng.choice(self.train_tasks, self.K, replace=False))
        return tasks, rng.integers(2**31 - 1, size=self.K)

    def evaluate(self, genomes, rng: np.random.Generator, merge: bool = True):
        """Scores with the statistics of the previous generations; then (``merge``) this
        generation's observations join the statistics, individual by individual.
        Without ``merge`` they are left in ``self.collected`` (worker processes)."""
        tasks, seeds = self._draw(rng)
        returns, diverged = self.episode(genomes, tasks, seeds, learn_stats=True)
        self.collected = self.batch.collected(len(returns))
        if merge:
            self.merge_stats(self.collected)
        score = returns.mean(axis=1)
        return score, score, diverged

    def merge_stats(self, collected) -> None:
        self.batch.normaliser.merge_all(collected)

    def test(self, genomes, rng: np.random.Generator, n_episodes: int = 8):
        """Mean return per genome with statistics frozen: every training task once (task envs),
        or ``n_episodes`` fresh-seeded episodes (fetch, ur5e)."""
        if self.train_tasks is None:
            plan = [[None] * self.K for _ in range(max(1, int(np.ceil(n_episodes / self.K))))]
        else:
            tasks = list(self.train_tasks)
            plan = [tasks[i:i + self.K] for i in range(0, len(tasks), self.K)]
        scores = []
        for chunk in plan:
            filled = (chunk + [chunk[0]] * self.K)[:self.K]  # pad a short last chunk, then drop it
            r, _ = self.episode(genomes, filled, rng.integers(2**31 - 1, size=self.K))
            scores.append(r[:, :len(chunk)])
        return np.concatenate(scores, axis=1).mean(axis=1)

    def state_dict(self) -> dict:
        return checkpoint_state(self.batch.normaliser)

    def load_state_dict(self, state: dict) -> None:
        load_checkpoint_state(self.batch.normaliser, state)

    def take_events(self) -> list[str]:
        """Environment events (blown-up simulations) since the last call."""
        events, self.batch.events = self.batch.events, []
        return events

    def freeze_stats(self) -> None:
        """docs/method.md 4: the statistics are frozen for evaluation (the final test, analyses)."""
        self.batch.normaliser.frozen = True


def make_evaluator(cfg: Config, n_individuals: int, **kwargs):
    """The evaluator for ``cfg.task``."""
    return WMEvaluator(cfg, n_individuals) if cfg.task == "wm" else RLEvaluator(cfg, n_individuals, **kwargs)


def io_sizes(cfg: Config) -> tuple[int, int]:
    """(n_in, n_out) of one controller for the config's task."""
    if cfg.task == "wm":
        task = CopyTask.from_config(cfg)
        return task.n_in, task.n_out
    n_obs, n_act, _ = env_sizes(cfg.task)
    return n_obs, n_act


@functools.lru_cache(maxsize=None)
def env_sizes(task: str) -> tuple[int, int, bool]:
    """(observation size, action size, whether the last observation is the raw task value) of an
    environment; built once per process (the pools and the exporter ask for it repeatedly).  Built
    without env_options: an option that changed these sizes would need them here too (none does)."""
    from .tasks import make_env
    env = make_env(task)
    sizes = (env.observation_space.shape[0], env.action_space.shape[0], env.task_kind is not None)
    env.close()
    return sizes


def layout_for(cfg: Config):
    """The genome layout of a run's controller (without building a network)."""
    from .builder import controller_layout

    n_in, n_out = io_sizes(cfg)
    return controller_layout(cfg.model, load_rule(cfg.rule).coefficients, n_in, cfg.hidden, n_out,
                             cfg.topology == "rec", cfg.sharing, channel_kinds(cfg))


#: bytes per synapse of a batched network: w, the pre/post indices and Brian2's bookkeeping, plus 8
#: per coefficient stored per synapse (sharing 'synapse'); measured with tracemalloc/RSS in
#: docs/benchmarks.md ("Memory")
BYTES_PER_SYNAPSE = 48
BYTES_PER_COEFFICIENT = 8
#: one process's interpreter, Brian2 and code objects before its network (docs/benchmarks.md measured
#: about 250 MiB beside a 1,728 MiB network); each worker is such a process, and so is the main one
BYTES_PER_PROCESS = 300 * 2**20


def memory_estimate(cfg: Config) -> int:
    """Estimated bytes of a run before building: its batched networks (all workers together) and one
    process per worker, plus the main process where there are workers."""
    layout = layout_for(cfg)
    copies = (cfg.pop + 1) * (cfg.sequences if cfg.task == "wm" else cfg.tasks_per_eval)
    total = 0
    for layer in layout.layers:
        per_synapse = BYTES_PER_SYNAPSE
        if layout.per_layer[layer.name] == "synapse":
            per_synapse += BYTES_PER_COEFFICIENT * len(layout.coefficients)
        total += layer.n_pre * layer.n_post * per_synapse
    processes = cfg.workers + (1 if cfg.workers > 1 else 0)
    return int(total * copies + BYTES_PER_PROCESS * processes)


def available_memory() -> int | None:
    """Bytes of memory available now (Linux: MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_memory(cfg: Config) -> None:
    """One line, before anything is built, if the run's networks cannot fit in this machine's memory
    (a Ray cluster spreads them over its nodes: not checked there)."""
    need = memory_estimate(cfg)
    have = available_memory()
    if cfg.ray or have is None or need <= 0.8 * have:
        return
    raise ConfigError(f"config key 'pop': the batched networks for {cfg.pop + 1} individuals need about "
                      f"{need / 2**30:,.1f} GiB (estimated), more than the {have / 2**30:,.1f} GiB available; "
                      f"lower --pop, --sequences, --tasks-per-eval or --hidden, or spread the run over a Ray "
                      f"cluster (--ray)")
