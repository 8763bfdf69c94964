"""Analyses of trained runs (plasticity windows, ...): functions from run data to numbers and figures."""
