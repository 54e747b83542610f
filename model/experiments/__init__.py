"""Experiments over many runs: the runner, statistics, comparisons, sweeps, sensitivity,
the fit metric, calibration, validation and the coup-proofing harness."""
