"""Inputs: the district network, order of battle, governments, patrons, regimes, parameters,
scenario files, calibrated parameter sets and the documented history — read and validated,
no dynamics. Lowest layer above ``model.errors``."""
