"""Neuron models of the biological controller, one file per neuron.

A neuron file is a plain Python module with a few module-level names (see ``lif.py`` for a
commented example and ``docs/models.md`` for the recipe):

``NAME``        the name used on the command line (``--neuron NAME``)
``EQUATIONS``   Brian2 equations of one hidden neuron (with units)
``THRESHOLD``   the spike condition (required)
``RESET``       the statements run at a spike (required)
``REFRACTORY``  optional refractory period (an expression or a quantity name)
``METHOD``      optional integration method (default ``exact``)
``TRANSMIT``    what a presynaptic spike of weight ``w`` (dimensionless) does to the neuron,
                e.g. ``v_post += w_scale * w``
``INITIAL``     optional initial values, e.g. ``{"vm": "E_L"}`` (strings are Brian2 expressions)
``NAMESPACE``   the constants (with units) of the strings above

The file is validated before anything is built: units, unknown names, unused constants, a missing
threshold or reset, Brian2's ``i`` and ``N`` (they count every neuron of the batched population), and
names that clash with the rule's.  A file answers to its ``NAME`` and to its file name; two files may
not share a ``NAME``.
"""
