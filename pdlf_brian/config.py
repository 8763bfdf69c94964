"""One config object: the only way settings travel (saved as DIR/config.json).

Every key is checked before anything is built; an error names the key.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from .backends import BACKENDS
from .genome import NORMALISATIONS, parse_sharing
from .modelfiles import model_noise
from .tasks import ENVS
from .tasks.wm import CONTEXTS as WM_CONTEXTS

TASKS = ("wm",) + tuple(ENVS)
ACTION_BOUNDS = ("equal", "reference")
ACTUATORS = ("gym", "brax")  # tasks.base.ACTUATORS (not imported: the tasks package imports gymnasium)

#: defaults that depend on the task (filled in where a key is left at None)
COMMON_DEFAULTS = {"hidden": 32, "sequences": 32, "sigma0": 0.1, "backend": "cython", "wm_context": "none"}
TASK_DEFAULTS = {
    # the best measured WM protocol (docs/results.md): one rule per postsynaptic neuron, population 64,
    # 1,000 generations, plastic recurrence: 0.67 ± 0.02 at Len 8 / Lat 8 over 3 seeds
    "wm": {"topology": "rec", "generations": 1000, "sharing": "post", "pop": 64},
    # the scaled RL protocol: 8 tasks x 1 episode of 200 steps, feed-forward (the reference topology),
    # one rule per synapse (the paper)
    "rl": {"topology": "ff", "generations": 100, "sharing": "synapse", "pop": 32},
}
#: the biological model on the WM task (docs/results.md, "Biological model"): the ordinal-position context
#: (tasks/wm.py; with the paper's three channels nothing learns), feed-forward, the input layer's rule per
#: kind of presynaptic input neuron (with one rule per postsynaptic neuron and zero initial weights, the
#: push-pull input pair makes the network unable to tell a sequence from its complement:
#: tests/test_bio_wm.py; one rule per input neuron evolves the same position rule eight times and took
#: 4x the generations where both learnt), population 32 x 16 sequences, sigma0 0.1 (a spike moves a
#: weight by eta x coefficient, and an input fires hundreds of times a trial: larger steps saturate every
#: weight), compiled C++, 300 generations: 5-10 minutes on 2 cores with --workers 2
BIO_WM_DEFAULTS = {"wm_context": "position", "topology": "ff", "sharing": "post,in=channel", "pop": 32,
                   "sequences": 16, "sigma0": 0.1, "backend": "cpp", "generations": 300}
MODELS = ("reference", "bio")
TOPOLOGIES = ("ff", "rec")


class ConfigError(ValueError):
    """An invalid setting; the message names the config key."""


#: the largest seed: the ES draws from RandomState(seed + 1) (pdlf_brian.evolve), which takes < 2**32
MAX_SEED = 2**32 - 2


@dataclass
class Config:
    task: str = "wm"
    model: str = "reference"
    rule: str = "scp+pdp"
    sharing: str | None = None  # None: 'post' for wm, 'synapse' (the paper) for the RL tasks; per layer:
    #                             'post,out=synapse' (layers: in, rec, out)
    backend: str | None = None  # None: 'cython'; 'cpp' for the biological model on wm
    topology: str | None = None  # 'ff': input -> hidden -> readout (the reference); 'rec': plus plastic
    #                              hidden -> hidden.  None: 'rec' for wm, 'ff' for the RL tasks
    hidden: int | None = None    # None: 32
    init_weights: str | None = None  # 'zero', 'uniform:LOW,HIGH', 'normal:MU,SD'; None: the rule's published
    #                                  default (INIT_WEIGHTS; zero for PDLF's rules, as the paper)
    normalise: str = "layer"    # reference model, E6: 'layer' (the paper: W / max|W| per layer) or 'post' (each
    #                             postsynaptic neuron's incoming weights by their own max |w|; a variant)
    # working-memory task
    length: int = 8
    latency: int = 8
    hold: int = 1               # reference model: steps per stimulus, answer read at the last (tasks/wm.py);
    #                             the bio model holds each stimulus for stimulus_ms instead
    wm_context: str | None = None  # 'none': the paper's three input channels; 'position': plus an ordinal-position
    #                                context (tasks/wm.py).  None: 'none' (bio: see BIO_WM_DEFAULTS)
    sequences: int | None = None  # sequences per evaluation (copies per individual); None: 32 (bio: 16)
    test_sequences: int = 512   # fresh sequences for the final score
    # RL tasks (closed loop)
    episode_steps: int = 200    # environment steps per episode (the paper: 1000)
    tasks_per_eval: int = 8     # training tasks each individual plays per generation (all 8 by default)
    action_bounds: str = "equal"  # 'equal': tanh readout for every agent; 'reference': the plastic agent's
    #                               readout is linear (clipped only by the action space), as the reference
    actuators: str = "gym"      # 'gym': controls clipped to the actuators' range; 'brax': the paper's Brax v1
    #                             torque actuators (torque = action x strength, unclipped; tasks/base.py)
    env_step_ms: float = 20.0   # biological model: simulated time per environment step
    env_options: dict = field(default_factory=dict)  # further keyword arguments of the environment, e.g.
    #                             {"min_target_radius": 0.15} for ur5e (tasks/robots.py): a change of the task
    # biological model
    neuron: str = "lif"         # the hidden neurons: a file of models/neurons/ (lif, adex) or a path
    stimulus_ms: float = 200.0  # one WM stimulus
    dt_ms: float = 1.0
    # compiled code: False = portable flags (the same numbers on any x86-64 machine); True = Brian2's
    # -march=native -ffast-math (faster; the numbers then depend on the CPU)
    native: bool = False
    # evolution
    pop: int | None = None      # None: 64 for wm, 32 for the RL tasks
    generations: int | None = None  # None: 1,000 for wm, 100 for the RL tasks
    sigma0: float | None = None  # None: 0.1
    seed: int = 0
    separable_above: int = 500  # genome dimension above which separable (diagonal) CMA-ES is used
    # execution (not part of the science: a run may be resumed with other values)
    workers: int = 1            # local worker processes, each holding its slice of the population
    ray: str | None = None      # Ray cluster address ('auto' or host:port); None: local processes
    # bookkeeping (not part of the science)
    extra: dict = field(default_factory=dict)
    # written by pdlf train at the start of a run: versions and compile flags (rundir.environment)
    environment: dict = field(default_factory=dict)

    def validate(self) -> "Config":
        def choose(key, options):
            if getattr(self, key) not in options:
                raise ConfigError(f"config key '{key}': unknown value {getattr(self, key)!r}; "
                                  f"choose one of {', '.join(options)}")

        if not isinstance(self.task, str):
            raise ConfigError(f"config key 'task': must be a string, got {self.task!r}")
        choose("task", TASKS)
        defaults = dict(COMMON_DEFAULTS, **TASK_DEFAULTS["wm" if self.task == "wm" else "rl"])
        if self.task == "wm" and self.model == "bio":
            defaults.update(BIO_WM_DEFAULTS)
        for key, value in defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        for key in ("model", "rule", "sharing", "backend", "action_bounds", "actuators", "neuron", "wm_context",
                    "normalise"):
            if not isinstance(getattr(self, key), str):
                raise ConfigError(f"config key '{key}': must be a string, got {getattr(self, key)!r}")
        for key in ("extra", "environment", "env_options"):
            if not isinstance(getattr(self, key), dict):
                raise ConfigError(f"config key '{key}': must be an object (dict), got {getattr(self, key)!r}")
        choose("action_bounds", ACTION_BOUNDS)
        choose("actuators", ACTUATORS)
        choose("model", MODELS)
        choose("backend", BACKENDS)
        choose("topology", TOPOLOGIES)
        choose("wm_context", WM_CONTEXTS)
        choose("normalise", NORMALISATIONS)
        if self.normalise != "layer" and self.model != "reference":
            raise ConfigError(f"config key 'normalise': {self.normalise!r} is E6 of the reference model; the "
                              f"{self.model} model scales each neuron's weights by its own rule (models/bio.py)")
        if self.task != "wm" and self.wm_context != "none":
            raise ConfigError(f"config key 'wm_context': only the wm task has one; task '{self.task}' needs 'none'")
        try:
            default_sharing, per_layer = parse_sharing(self.sharing)
        except ValueError as exc:
            raise ConfigError(f"config key 'sharing': {exc}") from None
        layers = ("in", "rec", "out") if self.topology == "rec" else ("in", "out")
        for name in per_layer:
            if name not in layers:
                raise ConfigError(f"config key 'sharing': layer '{name}' is not a plastic layer of topology "
                                  f"'{self.topology}' ({', '.join(layers)})")
        channel = [l for l in layers if per_layer.get(l, default_sharing) == "channel"]
        if channel and channel != ["in"]:
            raise ConfigError(f"config key 'sharing': 'channel' (one rule per kind of input channel) applies to "
                              f"the input layer only, not {', '.join(l for l in channel if l != 'in')}; "
                              "e.g. 'post,in=channel'")
        if channel and self.task != "wm":
            raise ConfigError(f"config key 'sharing': 'channel' needs a task that names its kinds of input channel "
                              f"(wm); task '{self.task}' does not: use 'in=pre'")
        if default_sharing is None and set(per_layer) != set(layers):
            raise ConfigError(f"config key 'sharing': '{self.sharing}' leaves layer(s) "
                              f"{', '.join(l for l in layers if l not in per_layer)} without a sharing")
        for key, lo in (("hidden", 1), ("length", 1), ("latency", 0), ("hold", 1), ("sequences", 1),
                        ("test_sequences", 1), ("pop", 3), ("generations", 1), ("separable_above", 0),
                        ("episode_steps", 1), ("tasks_per_eval", 1), ("workers", 1)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                why = (" (CMA-ES's step-size adaptation uses two samples of every generation)" if key == "pop"
                       else "")
                raise ConfigError(f"config key '{key}': must be an integer >= {lo}{why}, got {v!r}")
        if not isinstance(self.native, bool):
            raise ConfigError(f"config key 'native': must be true or false, got {self.native!r}")
        if self.ray is not None and (not isinstance(self.ray, str) or not self.ray):
            raise ConfigError(f"config key 'ray': an address ('auto' or host:port) or null, got {self.ray!r}")
        if isinstance(self.workers, int) and isinstance(self.pop, int) and self.workers > self.pop + 1:
            raise ConfigError(f"config key 'workers': at most pop + 1 = {self.pop + 1} (one individual each), "
                              f"got {self.workers}")
        self._check_applicable()
        if self.env_options:
            self._check_env_options()
        if self.task != "wm" and self.tasks_per_eval > 8:
            raise ConfigError(f"config key 'tasks_per_eval': at most 8 (the training tasks), got {self.tasks_per_eval}")
        for key in ("sigma0", "stimulus_ms", "dt_ms", "env_step_ms"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < float("inf"):
                raise ConfigError(f"config key '{key}': must be a positive finite number, got {v!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_SEED:
            # the ES's generator is RandomState(seed + 1), which takes at most 2**32 - 1
            raise ConfigError(f"config key 'seed': must be an integer from 0 to {MAX_SEED}, got {self.seed!r}")
        if self.model == "bio" and self.hold != 1:
            raise ConfigError(f"config key 'hold': {self.hold} steps per stimulus applies to the reference model; the "
                              "bio model holds each stimulus for stimulus_ms (--stimulus-ms): leave hold at 1")
        if self.model == "bio" and self.stimulus_ms < 10 * self.dt_ms:
            raise ConfigError("config key 'stimulus_ms': must span at least 10 time steps (dt_ms)")
        if self.model == "bio" and self.env_step_ms < 2 * self.dt_ms:
            raise ConfigError("config key 'env_step_ms': must span at least 2 time steps (dt_ms)")
        for key in (("stimulus_ms",) if self.task == "wm" else ("env_step_ms",)):
            ratio = getattr(self, key) / self.dt_ms
            if self.model == "bio" and abs(ratio - round(ratio)) > 1e-9 * max(1.0, ratio):
                # a stimulus or environment step edge between two time steps would fall on whichever step
                # Brian2's TimedArray rounds to (Brian2 notes it only at log level 'info')
                raise ConfigError(f"config key '{key}': {getattr(self, key)} ms is not a whole number of time "
                                  f"steps of dt_ms = {self.dt_ms} ms")
        from .rules import RuleError, load_rule
        try:
            rule = load_rule(self.rule)
        except RuleError as exc:
            raise ConfigError(f"config key 'rule': {exc}") from None
        if self.model == "reference" and not rule.has_discrete():
            raise ConfigError(f"config key 'rule': rule '{rule.name}' has no DISCRETE form for the reference model")
        if self.model == "bio" and not rule.has_events():
            raise ConfigError(f"config key 'rule': rule '{rule.name}' has no ON_PRE/ON_POST/DRIFT form for the bio model")
        if self.normalise != "layer" and not rule.plastic:
            raise ConfigError(f"config key 'normalise': rule '{rule.name}' is not plastic, and E6 normalises only "
                              f"what a rule changes; leave it at 'layer'")
        from .weights import InitWeightsError, for_rule
        if self.init_weights is not None and not isinstance(self.init_weights, str):
            raise ConfigError(f"config key 'init_weights': must be a string, got {self.init_weights!r}")
        try:
            for_rule(self.init_weights, rule)
        except InitWeightsError as exc:
            raise ConfigError(f"config key 'init_weights': {exc}") from None
        if self.model == "reference" and self.neuron != "lif":
            raise ConfigError(f"config key 'neuron': {self.neuron!r} applies to the bio model; the reference model's "
                              "neurons are its own (docs/method.md E1-E3): use --model bio or leave --neuron out")
        if self.model == "bio":
            from .models import bio as bio_model
            from .neurons import NeuronError, clashes, load_neuron
            try:
                neuron = load_neuron(self.neuron)
            except NeuronError as exc:
                raise ConfigError(f"config key 'neuron': {exc}") from None
            found = clashes(neuron, rule, bio_model.NAMESPACE)
            if found:
                raise ConfigError(f"config keys 'neuron' and 'rule': {found[0]}")
        noise = model_noise(rule, neuron if self.model == "bio" else None)
        if noise and (self.workers > 1 or self.ray):
            # Brian2 draws the noise of the whole batched network from one stream, so an individual's
            # noise would depend on which process and slot holds it
            key = "ray" if self.ray else "workers"
            raise ConfigError(f"config key '{key}': the rule or neuron uses {', '.join(noise)}, whose noise is "
                              "drawn for the whole batch in one process; split over processes, the numbers "
                              "would change with the split. Use one process (--workers 1)")
        return self

    def _check_applicable(self) -> None:
        """A key set away from its default where this run never reads it (``--len 16`` on an RL task)
        was stored, silently ignored, and then blocked a resume that left it out.  One line naming it."""
        base = Config()
        rl, bio = self.task != "wm", self.model == "bio"
        groups = (((("length", "latency", "hold", "test_sequences"), "the wm task"), not rl),
                  ((("episode_steps", "tasks_per_eval", "action_bounds", "actuators"), "the RL tasks"), rl),
                  ((("stimulus_ms",), "the bio model on the wm task"), bio and not rl),
                  ((("env_step_ms",), "the bio model on the RL tasks"), bio and rl),
                  ((("dt_ms",), "the bio model"), bio))
        for (keys, what), used in groups:
            for key in keys if not used else ():
                if getattr(self, key) != getattr(base, key):
                    raise ConfigError(f"config key '{key}': {getattr(self, key)!r} applies to {what}; this run "
                                      f"(task {self.task}, model {self.model}) does not use it: leave it out")
        if rl and self.sequences != COMMON_DEFAULTS["sequences"]:
            raise ConfigError(f"config key 'sequences': {self.sequences!r} applies to the wm task; this run (task "
                              f"{self.task}) does not use it: leave it out")

    def task_label(self) -> str:
        """The task as figures and exported scripts name it: with the actuators and environment options
        when they change the task (``ur5e (min_target_radius=0.15)``)."""
        changed = dict({"actuators": self.actuators} if self.task != "wm" and self.actuators != "gym" else {},
                       **self.env_options)
        return self.task + (f" ({', '.join(f'{k}={v}' for k, v in changed.items())})" if changed else "")

    def _check_env_options(self) -> None:
        """Each option a keyword argument the environment takes (not one with its own key), and the
        environment built with them (its own check of their values)."""
        if self.task == "wm":
            raise ConfigError("config key 'env_options': the wm task takes no environment options")
        import inspect

        from .tasks import env_class, make_env
        params = inspect.signature(env_class(self.task).__init__).parameters
        own = {"max_episode_steps": "episode_steps", "actuators": "actuators"}
        takes = sorted(k for k, v in params.items() if k != "self" and k not in own
                       and v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY))
        for key in self.env_options:
            if key in own:
                raise ConfigError(f"config key 'env_options': '{key}' has its own config key '{own[key]}'")
            if key not in takes:
                raise ConfigError(f"config key 'env_options': {self.task} has no option '{key}'; it takes "
                                  f"{', '.join(takes) or 'none'}")
        try:
            make_env(self.task, **self.env_options).close()
        except (TypeError, ValueError) as exc:
            given = ", ".join(f"{k}={v!r}" for k, v in self.env_options.items())
            raise ConfigError(f"config key 'env_options': {self.task} ({given}): {exc}") from None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def save(self, path: Path) -> None:
        from .rundir import write_atomic
        write_atomic(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def check_keys(cls, data: dict) -> None:
        """A ConfigError naming the keys of ``data`` that are no config keys."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown config key(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")

    @classmethod
    def from_dict(cls, data: dict) -> "Config":
        cls.check_keys(data)
        return cls(**data).validate()

    def science(self) -> dict:
        """The keys that define a run's result (a resumed run must match these)."""
        d = self.to_dict()
        for key in ("extra", "workers", "ray", "environment"):
            d.pop(key)
        return d

    @classmethod
    def load(cls, path: Path) -> "Config":
        """A config file; every error names the file."""
        return cls.load_dict(read_json(path), path)

    @classmethod
    def load_dict(cls, data: dict, path) -> "Config":
        """:meth:`from_dict` for the contents of config file ``path``: errors name the file."""
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None


def read_json(path: Path) -> dict:
    """The JSON object in ``path``, or a ConfigError naming the file (missing, a directory, not JSON)."""
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid JSON: {exc}") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path}: is a directory; give the config.json inside it") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot be read: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: must hold a JSON object")
    return data
