"""Tasks: the working-memory copy task (wm.py) and, later, the RL environments."""
