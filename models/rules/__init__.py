"""Plasticity rules, one file per rule.

A rule file is a plain Python module with a few module-level names
(see ``scp.py`` for a commented example):

``NAME``          the name used on the command line (``--rule NAME``)
``COEFFICIENTS``  the per-synapse variables the genome fills, in genome order
``DISCRETE``      reference model: the weight increment of one step, an
                  expression in ``pre``, ``post``, ``w`` and the coefficients
``ON_PRE``        biological model: increment at each presynaptic spike, in
                  ``apre``, ``apost`` (traces), ``w`` and the coefficients
``ON_POST``       biological model: increment at each postsynaptic spike
``DRIFT``         biological model: constant drift, increment per ``tau_drift``
``STATIC``        optional, True for a rule without plasticity whose genome is
                  the weights themselves (``weights.py``)

Optional, biological model only (see ``stdp.py``, ``triplet.py``, ``bcm.py``):

``EQUATIONS``     extra Brian2 synaptic equations: the rule's own traces or
                  subexpressions; defining ``tau_apre``/``tau_apost`` overrides
                  the time constants of the package's traces per synapse
``PRE_UPDATES``   statements run at a presynaptic spike after the weight
                  increment (they may only write the rule's own variables)
``POST_UPDATES``  the same at a postsynaptic spike (not on the readout, which
                  does not spike: there ``ON_POST`` and ``POST_UPDATES`` are unused)
``BEFORE_TRANSMIT`` statements run at a presynaptic spike before it transmits
                  (short-term facilitation: ``u_f += ...``; see ``stp.py``)
``EFFICACY``      what a presynaptic spike transmits instead of ``w`` (e.g.
                  ``w * u * x``: short-term plasticity); the long-term ``w`` is
                  still what ON_PRE/ON_POST/DRIFT, the bound and the scaling act on
``SYNAPTIC_STATE`` event-driven variables of EQUATIONS that are synaptic efficacy
                  (stp's ``u_f``, ``x_d``), not spike traces: the WM probes' delay
                  wipe zeroes every other event-driven variable and keeps these
``NAMESPACE``     constants with units used by the rule's strings (they may not redefine the
                  neuron's or the model's constants)
``INIT_WEIGHTS``  the initial weights the rule's paper used (``uniform:0,1``; default: all zero,
                  as PDLF); ``--init-weights`` overrides it

A form a rule does not give (``None`` or absent) means "no term".  A rule that
gives neither ``DISCRETE`` nor the biological forms cannot be used with the
corresponding model; that is reported when the run starts.
"""
