"""``pdlf bench``: throughput measured side by side (these machines are noisy: compare ratios).

``pdlf bench wm``: seconds per WM generation on several Brian2 devices, the same genomes and
sequences, in alternating rounds; build and compile times printed separately.

``pdlf bench loop``: closed-loop throughput against bare environment stepping, side by side.

    pdlf bench loop --task ant_dir --model reference --batch 64

The same P x K environments (K = 8 training tasks, P = batch / K) are stepped
(a) by the batched Brian2 controller inside one ``run()`` per episode and
(b) bare, by the same Python loop with random actions and no network, in
alternating rounds in one process (so machine noise hits both alike).  Prints
the throughput of each, where the closed loop's time goes (environment
stepping, Brian2, glue), and ``ratio=<closed-loop / bare>`` as the last line.
"""
from __future__ import annotations

import time

import numpy as np

from .config import Config


def _bare_round(batch, rng, tasks, seeds):
    """Step the batch's environments with random actions until every episode ends; (steps, seconds)."""
    batch.start(tasks, seeds, learn_stats=False)
    t0 = time.perf_counter()
    steps = 0
    live = list(range(batch.N))
    for _ in range(batch.episode_steps):
        actions = rng.uniform(batch.low, batch.high, (batch.N, batch.n_act))
        nxt = []
        for k in live:
            _, _, term, trunc, _ = batch.envs[k].step(actions[k])
            steps += 1
            if not (term or trunc):
                nxt.append(k)
        live = nxt
        if not live:
            break
    return steps, time.perf_counter() - t0


def bench_loop(task: str, model: str = "reference", batch: int = 64, episode_steps: int = 200, rounds: int = 3,
               hidden: int = 32, env_step_ms: float = 20.0, seed: int = 0, sigma: float = 0.1, out=print) -> float:
    from .evaluate import RLEvaluator

    K = 8
    if batch % K:
        raise ValueError(f"--batch must be a multiple of {K} (individuals x the 8 training tasks), got {batch}")
    cfg = Config(task=task, model=model, pop=max(3, batch // K), hidden=hidden, episode_steps=episode_steps,
                 tasks_per_eval=K, env_step_ms=env_step_ms, seed=seed).validate()
    P = batch // K
    t0 = time.perf_counter()
    ev = RLEvaluator(cfg, P)
    rng = np.random.default_rng(seed)
    genomes = rng.normal(0, sigma, (P, ev.layout.size))
    ev.evaluate(genomes, np.random.default_rng(0))  # warm-up: compiles the code objects
    out(f"bench loop: {task}, model {model}, {P} individuals x {K} tasks = {batch} copies, "
        f"{episode_steps} steps per episode, hidden {hidden}; built and warmed up in {time.perf_counter() - t0:.1f}s")
    timer = _StepTimer(ev.batch)
    closed, bare = [], []
    for r in range(rounds):
        g = np.random.default_rng([seed, r])
        tasks, seeds = ev._draw(g)
        timer.reset()
        t0 = time.perf_counter()
        ev.episode(genomes, tasks, seeds, learn_stats=True)
        seconds = time.perf_counter() - t0
        steps = int(ev.batch.lengths.sum())
        closed.append((steps, seconds, timer.env_seconds, timer.glue_seconds))
        bare.append(_bare_round(ev.batch, g, tasks, seeds))
    cs, ct = sum(c[0] for c in closed), sum(c[1] for c in closed)
    bs, bt = sum(b[0] for b in bare), sum(b[1] for b in bare)
    env_t, glue_t = sum(c[2] for c in closed), sum(c[3] for c in closed)
    rate_c, rate_b = cs / ct, bs / bt
    out(f"closed loop : {rate_c:10.0f} env-steps/s  ({cs} steps in {ct:.2f}s)")
    out(f"bare        : {rate_b:10.0f} env-steps/s  ({bs} steps in {bt:.2f}s, random actions)")
    brian = ct - env_t - glue_t
    out(f"closed-loop time: environments {100 * env_t / ct:.0f}%, Brian2 (network, rule, E6) "
        f"{100 * brian / ct:.0f}%, glue (actions, normalisation, bookkeeping) {100 * glue_t / ct:.0f}%")
    ratio = rate_c / rate_b
    out(f"ratio={ratio:.3f}")
    return ratio


class _StepTimer:
    """Wraps EpisodeBatch.step to split its time into environment stepping and the rest (glue)."""

    def __init__(self, batch):
        self.batch = batch
        step_env = [e.step for e in batch.envs]
        timer = self

        for k, env in enumerate(batch.envs):
            def timed(a, _f=step_env[k]):
                t0 = time.perf_counter()
                res = _f(a)
                timer.env_seconds += time.perf_counter() - t0
                return res
            env.step = timed
        original = batch.step

        def step(readout):
            t0 = time.perf_counter()
            e0 = timer.env_seconds
            res = original(readout)
            timer.glue_seconds += (time.perf_counter() - t0) - (timer.env_seconds - e0)
            return res
        batch.step = step
        self.reset()

    def reset(self):
        self.env_seconds = 0.0
        self.glue_seconds = 0.0


def _rss_mib(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def bench_scaling(task: str, workers: int = 2, ray: str | None = None, pop: int = 31, rounds: int = 3,
                  episode_steps: int = 100, hidden: int = 32, seed: int = 0, backend: str | None = None,
                  out=print) -> float:
    """Generation throughput with ``workers`` workers against one process, in alternating rounds.
    ``backend``: the Brian2 target of every evaluator (default: the task's default)."""
    import os

    from .evaluate import make_evaluator
    from .parallel import LocalPool

    extra = {"episode_steps": episode_steps} if task != "wm" else {}
    if backend is not None:
        extra["backend"] = backend
    cfg = Config(task=task, pop=pop, hidden=hidden, seed=seed, **extra).validate()
    P = pop + 1
    t0 = time.perf_counter()
    one = make_evaluator(cfg, P)
    if ray:
        from .ray_pool import RayPool
        many = RayPool(cfg, P, workers, ray)
        pids = many.worker_pids()
    else:
        many = LocalPool(cfg, P, workers)
        pids = [p.pid for p in many.procs]
    rng = np.random.default_rng(seed)
    genomes = rng.normal(0, 0.1, (P, one.layout.size))
    one.evaluate(genomes, np.random.default_rng(0))
    many.evaluate(genomes, np.random.default_rng(0))
    out(f"bench scaling: {task} on {cfg.backend}, {hidden} hidden, population {P}, {workers} {'Ray actors' if ray else 'local processes'} "
        f"vs 1 process; built and warmed up in {time.perf_counter() - t0:.1f}s")
    t_one = t_many = 0.0
    try:
        for r in range(rounds):
            g = np.random.default_rng([seed, r])
            t = time.perf_counter()
            one.evaluate(genomes, g)
            t_one += time.perf_counter() - t
            g = np.random.default_rng([seed, r])
            t = time.perf_counter()
            many.evaluate(genomes, g)
            t_many += time.perf_counter() - t
        rss = [_rss_mib(p) for p in pids]
    finally:
        many.close()
    out(f"1 process   : {rounds * P / t_one:8.2f} individuals/s ({t_one / rounds:.2f} s per generation)")
    out(f"{workers} workers   : {rounds * P / t_many:8.2f} individuals/s ({t_many / rounds:.2f} s per generation)")
    out(f"memory: main process {_rss_mib(os.getpid()):.0f} MiB; per worker "
        + ", ".join(f"{m:.0f}" for m in rss) + " MiB (RSS)")
    speedup = t_one / t_many
    out(f"efficiency={speedup / workers:.2f}")
    out(f"speedup={speedup:.3f}")
    return speedup


def bench_wm(model: str = "reference", backends=("cython", "cpp"), pop: int = 64, sequences: int = 32,
             rounds: int = 3, length: int = 8, latency: int = 8, hidden: int = 32, sharing: str | None = None,
             topology: str | None = None, stimulus_ms: float = 200.0, seed: int = 0, out=print,
             wm_context: str | None = None) -> float:
    """Seconds per WM generation (pop + 1 genomes x ``sequences``) for each backend, measured in
    alternating rounds on the same genomes and sequences; the readouts are cross-checked.  Prints
    ``ratio=<first backend's seconds / last backend's seconds>`` last."""
    from .evaluate import WMEvaluator

    evaluators, build = {}, {}
    for backend in backends:
        cfg = Config(task="wm", model=model, backend=backend, pop=pop, sequences=sequences, length=length,
                     latency=latency, hidden=hidden, sharing=sharing, topology=topology, stimulus_ms=stimulus_ms,
                     wm_context=wm_context, seed=seed).validate()
        t0 = time.perf_counter()
        evaluators[backend] = WMEvaluator(cfg, pop + 1)
        build[backend] = time.perf_counter() - t0
    first = next(iter(evaluators.values()))
    rng = np.random.default_rng(seed)
    genomes = rng.normal(0, 0.1, (pop + 1, first.layout.size))
    # warm-up (Cython compiles its code objects at the first run) and cross-check
    warm, reference = {}, None
    for backend, ev in evaluators.items():
        t0 = time.perf_counter()
        acc = ev.evaluate(genomes, np.random.default_rng([seed, 0]))[0]
        warm[backend] = time.perf_counter() - t0
        if reference is None:
            reference = acc
        elif not np.allclose(acc, reference):
            out(f"warning: {backend}'s accuracies differ from {backends[0]}'s (largest difference "
                f"{np.abs(acc - reference).max():.3g})")
    seconds = {b: [] for b in evaluators}
    for r in range(rounds):
        for backend, ev in evaluators.items():
            t0 = time.perf_counter()
            ev.evaluate(genomes, np.random.default_rng([seed, r + 1]))
            seconds[backend].append(time.perf_counter() - t0)
    med = {b: float(np.median(v)) for b, v in seconds.items()}
    n_steps = first.task.n_steps
    out(f"bench wm: model {model}, Len {length} / Lat {latency} ({n_steps} stimuli"
        + (f" x {stimulus_ms:g} ms" if model == "bio" else "") + f"), {pop + 1} genomes x {sequences} sequences, "
        f"hidden {hidden}, sharing {first.cfg.sharing}, topology {first.cfg.topology}, context {first.cfg.wm_context}; "
        f"median of {rounds} rounds")
    out("| backend | build (s, compile included) | first evaluation (s) | s per generation | sequences / s |")
    out("|---|---|---|---|---|")
    for b in evaluators:
        out(f"| {b} | {build[b]:.1f} | {warm[b]:.2f} | {med[b]:.3f} | {(pop + 1) * sequences / med[b]:,.0f} |")
    ratio = med[backends[0]] / med[backends[-1]]
    out(f"ratio={ratio:.3f}")
    return ratio
