"""Tasks: the working-memory copy task and the six multi-task RL environments.

Importing ``pdlf_brian`` registers the environments with gymnasium as
``pdlf/AntDir-v0``, ``pdlf/SwimmerDir-v0``, ``pdlf/HalfCheetahVel-v0``,
``pdlf/HopperVel-v0``, ``pdlf/Fetch-v0`` and ``pdlf/UR5e-v0``.  The short names
(``ant_dir`` ...) used by ``pdlf train --task`` are in :data:`ENVS`.
"""
#: short task name -> (gymnasium id, "module:Class")
ENVS = {
    "ant_dir": ("pdlf/AntDir-v0", "pdlf_brian.tasks.locomotion:AntDir"),
    "swimmer_dir": ("pdlf/SwimmerDir-v0", "pdlf_brian.tasks.locomotion:SwimmerDir"),
    "halfcheetah_vel": ("pdlf/HalfCheetahVel-v0", "pdlf_brian.tasks.locomotion:HalfCheetahVel"),
    "hopper_vel": ("pdlf/HopperVel-v0", "pdlf_brian.tasks.locomotion:HopperVel"),
    "fetch": ("pdlf/Fetch-v0", "pdlf_brian.tasks.robots:Fetch"),
    "ur5e": ("pdlf/UR5e-v0", "pdlf_brian.tasks.robots:UR5e"),
}


def register_all() -> None:
    import gymnasium as gym

    for gym_id, entry in ENVS.values():
        if gym_id not in gym.registry:
            # our envs truncate themselves (max_episode_steps, default 1000)
            gym.register(id=gym_id, entry_point=entry, disable_env_checker=True, order_enforce=False)


def make_env(name: str, **kwargs):
    """An environment by short name or gymnasium id, unwrapped (fast path for the batched loop)."""
    return env_class(name)(**kwargs)


def env_class(name: str):
    """The environment class of a short name or gymnasium id."""
    import importlib

    for short, (gym_id, entry) in ENVS.items():
        if name in (short, gym_id):
            module, cls = entry.split(":")
            return getattr(importlib.import_module(module), cls)
    raise ValueError(f"unknown environment {name!r}; choose one of {', '.join(ENVS)} "
                     f"(or their ids {', '.join(v[0] for v in ENVS.values())})")
