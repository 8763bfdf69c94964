"""Closed loop: P individuals x K tasks of one environment, driven by one batched network.

One ``Network.run`` covers an episode batch.  Once per environment step the
network's single environment operation hands the readout to
:class:`EpisodeBatch.step`, which

1. turns the readout into actions (tanh for both agents by default: equal
   action bounds; ``action_bounds="reference"`` gives the plastic agent the
   reference's unbounded linear readout, clipped only by the environment),
2. steps every live environment (terminated ones cost no physics and earn no
   reward),
3. normalises the observations (docs/method.md section 4: running mean and
   variance over training observations, ``clip((o - m) / s, -5, 5)``, variance
   clipped to [1e-6, 1e6], the task value left raw) and returns them as the
   next inputs.

The statistics are updated once per generation, not within it: every
individual of a generation sees the same normalisation (a fair ranking), and
the observations each individual's copies fed to the network are summed per
individual and merged in individual order, so the result does not depend on
how the population is split across worker processes.

A non-finite observation (a blown-up simulation) ends that episode with
``NAN_PENALTY`` added to its return and is recorded as an event; the batch goes on.
A diverged controller (non-finite readout during the episode, or non-finite
weights at its end) gets the finite worst return ``DIVERGED_PER_STEP *
episode_steps``, lower than any return the tasks can produce.
"""
from __future__ import annotations

import numpy as np

from .tasks import make_env

NAN_PENALTY = -100.0
DIVERGED_PER_STEP = -100.0


class ObsNormaliser:
    """Running mean/variance (Chan et al. parallel update); frozen at evaluation."""

    def __init__(self, n_obs: int, raw_last: bool):
        self.n = n_obs - 1 if raw_last else n_obs
        self.raw_last = raw_last
        self.count = 0.0
        self.mean = np.zeros(self.n)
        self.m2 = np.zeros(self.n)
        self.frozen = False

    def update(self, obs: np.ndarray) -> None:
        """Add a batch of observations (rows)."""
        if len(obs) == 0:
            return
        x = obs[:, :self.n]
        mean_b = x.mean(axis=0)
        self.merge(len(x), mean_b, ((x - mean_b) ** 2).sum(axis=0))

    def merge(self, n_b: float, mean_b: np.ndarray, m2_b: np.ndarray) -> None:
        """Add the statistics of another sample (Chan et al.); ignored while frozen."""
        if self.frozen or n_b == 0:
            return
        delta = mean_b - self.mean
        total = self.count + n_b
        self.mean = self.mean + delta * n_b / total
        self.m2 = self.m2 + m2_b + delta ** 2 * self.count * n_b / total
        self.count = total

    @property
    def std(self) -> np.ndarray:
        var = self.m2 / self.count if self.count > 1 else np.ones(self.n)
        return np.sqrt(np.clip(var, 1e-6, 1e6))

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        out = np.array(obs, dtype=float)
        out[..., :self.n] = np.clip((out[..., :self.n] - self.mean) / self.std, -5.0, 5.0)
        return out

    def merge_all(self, collected) -> None:
        """Merge (count, mean, m2) samples in the given order (individuals in population order)."""
        for n_b, mean_b, m2_b in collected:
            self.merge(n_b, mean_b, m2_b)

    def state_dict(self) -> dict:
        return {"count": self.count, "mean": self.mean.copy(), "m2": self.m2.copy(), "n": self.n,
                "raw_last": self.raw_last}

    def load_state_dict(self, state: dict) -> None:
        if state["n"] != self.n or state["raw_last"] != self.raw_last:
            raise ValueError(f"observation statistics are for {state['n']} normalised inputs, "
                             f"this environment has {self.n}")
        self.count, self.mean, self.m2 = state["count"], np.array(state["mean"]), np.array(state["m2"])


def checkpoint_state(normaliser: ObsNormaliser | None) -> dict:
    """What an evaluator contributes to a checkpoint: the observation statistics (none for WM)."""
    return {} if normaliser is None else {"obs_normaliser": normaliser.state_dict()}


def load_checkpoint_state(normaliser: ObsNormaliser | None, state: dict) -> None:
    if normaliser is None:
        return
    if "obs_normaliser" not in state:
        raise ValueError("the checkpoint has no observation statistics (a checkpoint of another task?)")
    normaliser.load_state_dict(state["obs_normaliser"])


class EpisodeBatch:
    """P x K environments (copy k = p * K + b plays task b) and their returns for one episode."""

    def __init__(self, env_name: str, P: int, K: int, episode_steps: int, actuators: str = "gym",
                 env_options: dict | None = None):
        self.P, self.K, self.N = P, K, P * K
        self.envs = [make_env(env_name, max_episode_steps=episode_steps, actuators=actuators, **(env_options or {}))
                     for _ in range(self.N)]
        e = self.envs[0]
        self.n_obs = e.observation_space.shape[0]
        self.n_act = e.action_space.shape[0]
        self.low, self.high = e.action_space.low, e.action_space.high
        self.normaliser = ObsNormaliser(self.n_obs, raw_last=e.task_kind is not None)
        self.episode_steps = episode_steps
        self.squash = np.full(self.N, True)  # tanh on the readout (False: linear, the reference's PDLF)
        #: callables hook(t, batch) run after every environment step (analyses: injuries, recordings)
        self.hooks = []
        #: callable () -> (N,) bool, True where a copy's weights are all finite (runtime networks); read
        #: when copies end their episode, so that what happens after an episode's end is not scored
        self.finite_now = None
        self.events: list[str] = []

    # --------------------------------------------------------------- episode
    def start(self, tasks, seeds, learn_stats: bool, override=None):
        """Reset every environment: copy (p, b) gets ``tasks[b]`` (None: random targets) and ``seeds[b]``
        (or ``seeds[p, b]`` when seeds is a (P, K) array).

        ``override(step, obs)`` may rewrite observations before the network sees them (analyses).
        """
        self.returns = np.zeros(self.N)
        self.lengths = np.zeros(self.N, dtype=int)
        self.alive = np.ones(self.N, dtype=bool)
        self.diverged = np.zeros(self.N, dtype=bool)
        #: weight finiteness of each copy when its episode ended (True until then)
        self.finite_at_end = np.ones(self.N, dtype=bool)
        self.learn = learn_stats
        self.override = override
        n = self.normaliser.n
        self.acc_n, self.acc_s1, self.acc_s2 = np.zeros(self.N), np.zeros((self.N, n)), np.zeros((self.N, n))
        self.t = 0
        self.rewards_log = []
        obs = np.empty((self.N, self.n_obs))
        seeds = np.asarray(seeds)
        for k, env in enumerate(self.envs):
            p, b = divmod(k, self.K)
            opts = None if tasks[b] is None else {"task": float(tasks[b])}
            obs[k], _ = env.reset(seed=int(seeds[p, b] if seeds.ndim == 2 else seeds[b]), options=opts)
        self.obs = obs
        return obs

    def first(self):
        for hook in self.hooks:
            hook(0, self)
        self._collect(np.ones(self.N, dtype=bool))
        return self._inputs(self.obs)

    def _collect(self, rows):
        """Sum the observations the network is about to see, per copy (for the statistics)."""
        if self.learn:
            x = self.obs[rows, :self.normaliser.n]
            self.acc_n[rows] += 1
            self.acc_s1[rows] += x
            self.acc_s2[rows] += x * x

    def collected(self, n_individuals: int) -> list[tuple]:
        """(count, mean, m2) of the observations of each of the first ``n_individuals``."""
        out = []
        n = self.normaliser.n
        c = self.acc_n.reshape(self.P, self.K).sum(axis=1)
        s1 = self.acc_s1.reshape(self.P, self.K, n).sum(axis=1)
        s2 = self.acc_s2.reshape(self.P, self.K, n).sum(axis=1)
        for p in range(n_individuals):
            if c[p] == 0:
                continue
            mean = s1[p] / c[p]
            out.append((float(c[p]), mean, np.maximum(s2[p] - c[p] * mean * mean, 0.0)))
        return out

    def _inputs(self, obs):
        x = self.normaliser(obs)
        if self.override is not None:
            x = self.override(self.t, x)
        return x.reshape(self.P, self.K, self.n_obs)

    def actions(self, readout: np.ndarray) -> np.ndarray:
        a = readout.reshape(self.N, self.n_act)
        a = np.where(self.squash[:, None], np.tanh(a), a)
        return np.clip(a, self.low, self.high)

    def step(self, readout):
        """One environment step of every live copy; the next inputs, or None when all are done."""
        actions = self.actions(readout)
        rewards = np.zeros(self.N)
        bad = self.alive & ~np.all(np.isfinite(actions), axis=1)
        if bad.any():  # a diverged controller (non-finite weights or readout): its episodes end here
            self.diverged |= bad
            self.alive &= ~bad
        live = np.flatnonzero(self.alive)
        was_alive = self.alive.copy()
        for k in live:
            obs, r, terminated, truncated, _ = self.envs[k].step(actions[k])
            if not np.all(np.isfinite(obs)) or not np.isfinite(r):
                self.events.append(f"copy {k}: non-finite observation or reward at step {self.t + 1}; "
                                   f"episode ended with penalty {NAN_PENALTY}")
                r, terminated, obs = NAN_PENALTY, True, np.zeros(self.n_obs)
            self.obs[k] = obs
            rewards[k] = r
            if terminated or truncated:
                self.alive[k] = False
        self.returns += rewards
        self.lengths[live] += 1
        ended = was_alive & ~self.alive
        if ended.any() and self.finite_now is not None:
            # the weights these copies ended their episode with (the network runs on until every copy is
            # done, and a copy that diverges after its episode has ended has earned its return)
            self.finite_at_end[ended] = self.finite_now()[ended]
        self.rewards_log.append(rewards)
        self.t += 1
        for hook in self.hooks:
            hook(self.t, self)
        if not self.alive.any():
            return None
        self._collect(self.alive)
        return self._inputs(self.obs)

    def finish(self) -> None:
        """After the run: copies whose weights were not all finite at the end of their episode (copies
        still playing: now) diverged too; give them the worst return."""
        if self.finite_now is not None and self.alive.any():
            self.finite_at_end[self.alive] = self.finite_now()[self.alive]
        self.diverged |= ~self.finite_at_end
        self.returns[self.diverged] = DIVERGED_PER_STEP * self.episode_steps

    def close(self):
        for e in self.envs:
            e.close()
