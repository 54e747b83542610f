"""Where the shipped inputs live: the data files, the built-in scenarios, the calibration.

In a checkout (an editable install) the scenarios and calibration are the top-level
``scenarios/`` and ``calibration/`` folders users edit; a wheel or ``pip install .``
carries copies inside the package (``model/scenarios``, ``model/calibration``; see
``pyproject.toml``), so a non-editable install runs the same built-in scenarios.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PACKAGE_DIR / "data"
CHECKOUT_DIR = PACKAGE_DIR.parent


def _shipped(folder: str) -> Path:
    """The checkout's top-level folder when running from a checkout, else the packaged copy."""
    top = CHECKOUT_DIR / folder
    if top.is_dir() and (CHECKOUT_DIR / "pyproject.toml").is_file():
        return top
    return PACKAGE_DIR / folder


SCENARIO_DIR = _shipped("scenarios")
CALIBRATION_DIR = _shipped("calibration")
TIMELINE = CALIBRATION_DIR / "timeline.csv"
TARGETS = CALIBRATION_DIR / "targets.toml"
CHANGES_OF_POWER = CALIBRATION_DIR / "changes_of_power.csv"
PARAMS_DIR = CALIBRATION_DIR / "params"
