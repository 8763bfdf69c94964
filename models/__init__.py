"""Neuron models and plasticity rules as Brian2 equation strings.

These files are the ones a neuroscientist edits.  They are installed as the
sub-package ``pdlf_brian.models`` (see ``pyproject.toml``), so they never clash
with another package's top-level ``models``.

* ``reference.py`` -- the discrete-time reference controller (docs/method.md E1-E4, E6).
* ``bio.py``       -- the continuous-time (ms, event-driven) controller.
* ``rules/``       -- one file per plasticity rule (SCP, PDP, their sum, ...).
"""
