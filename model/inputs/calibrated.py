"""Calibrated parameter sets: data in ``calibration/params/<name>.toml`` written by ``karabakh calibrate``."""

from __future__ import annotations

import tomllib

from ..errors import InputError
from .locations import PARAMS_DIR


def load_calibrated(name: str = "default") -> dict:
    """A committed calibrated parameter set (``calibration/params/<name>.toml``), or {} if absent."""
    path = PARAMS_DIR / f"{name}.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc
