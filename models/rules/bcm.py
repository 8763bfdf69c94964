"""BCM (Bienenstock, Cooper & Munro 1982) on spike traces, with a sliding threshold; evolvable.

Rate form: dw/dt = A * x * y * (y - theta),  theta = <y>^2 / y0.  Spike form used here: at each
presynaptic spike (x enters as the spike itself)

    dw = A * apost * (apost - theta),      theta = ybar^2 / y0

where ``apost`` is the postsynaptic trace (a rate estimate, about rate x tau_apost),
``ybar = pbar * tau_y_est / tau_theta`` is a slow average of the same quantity (``pbar``
jumps by 1 at each postsynaptic spike and decays with tau_theta; ``tau_y_est`` = 20 ms is the
postsynaptic trace's time constant in ``models/bio.py``, ``tau_apost``, written here as a constant:
change both together), and y0 is the target activity.  Low postsynaptic activity depresses, high activity potentiates, and the
threshold rises with the neuron's mean activity (the homeostatic part).
Defaults: A 1e-3, tau_theta 1 s, y0 0.2 (10 Hz x 20 ms).  Each constant is
``default * exp(k)``: genome 0 is the default rule.  Biological model only.
"""
from brian2 import ms, second

NAME = "bcm"
COEFFICIENTS = ("a", "k_theta", "k_target")
NAMESPACE = {"A0": 1e-3, "tau_theta0": 1 * second, "y_target0": 0.2, "tau_y_est": 20 * ms}

EQUATIONS = """
dpbar/dt = -pbar / (tau_theta0 * exp(k_theta)) : 1 (event-driven)
theta_bcm = (pbar * tau_y_est / (tau_theta0 * exp(k_theta)))**2 / (y_target0 * exp(k_target)) : 1
"""

DISCRETE = None
ON_PRE = "A0 * exp(a) * apost * (apost - theta_bcm)"
ON_POST = None
POST_UPDATES = "pbar += 1"
DRIFT = None
INIT_WEIGHTS = "uniform:0,1"   # BCM needs activity to slide its threshold: start from weights that can drive the hidden neurons
