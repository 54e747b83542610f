"""Numbers for people: reports print counts with thousands separators, not ``1.131e+04``."""

from __future__ import annotations

import math


def readable(value: float, signed: bool = False) -> str:
    """``11,310`` for large values, three significant digits below 100 (``59.1``, ``0.333``), ``–`` for NaN;
    ``signed`` writes ``+`` before values that are not negative (differences)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "+" if signed else ""
    if abs(value) >= 100:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.3g}"
