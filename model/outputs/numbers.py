"""Numbers for people: reports print ``11,310`` and ``0.333``, never ``1.131e+04`` or float noise."""

from __future__ import annotations

import math

NOISE = 1e-6
"""Below this magnitude a value is float noise (a paired difference of equal runs, a Sobol index
of a parameter without effect): it prints as ``0``, not ``-9.4e-10``."""


def readable(value: float | None, signed: bool = False, digits: int = 3) -> str:
    """``11,310`` for values of 100 and more, ``digits`` significant digits below (``59.1``, ``0.333``,
    ``0.00012``), ``0`` for noise, ``–`` for NaN or None; ``signed`` writes ``+`` before values that are
    not negative (differences). Never scientific notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if math.isinf(v):
        return ("+" if signed and v > 0 else "") + ("∞" if v > 0 else "-∞")
    if abs(v) < NOISE:
        v = 0.0
    sign = "+" if signed else ""
    if v == 0:
        return f"{sign}0"
    if abs(v) >= 100:
        return f"{v:{sign},.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    text = f"{v:{sign}.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def p_value(p: float | None) -> str:
    """A p-value for a table: ``0.032``, ``<0.001``, ``–`` if missing."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 0.001 else readable(p, digits=2)


RELATIVE_NOISE = 1e-9
"""Below this share of an interval's largest bound, a value of the interval is rounding noise around an
exact 0 (a slope through equal runs): it prints as ``0`` even where :data:`NOISE` would keep it."""


def interval(estimate: float | None, low: float | None, high: float | None) -> str:
    """A signed estimate with its interval: ``+1,234 [+85, +2,210]``; rounding noise around an exact 0
    (:data:`NOISE`, :data:`RELATIVE_NOISE`) shows as 0, a missing value as ``–``."""
    values = [math.nan if v is None else float(v) for v in (estimate, low, high)]
    scale = max((abs(v) for v in values if not math.isnan(v)), default=0.0)
    a, b, c = (0.0 if abs(v) < RELATIVE_NOISE * scale else v for v in values)
    return f"{readable(a, signed=True)} [{readable(b, signed=True)}, {readable(c, signed=True)}]"
