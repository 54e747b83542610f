"""Model parameters with provenance, loaded from ``data/parameters.toml``.

Parameters live in a data file, not in code, so that every number carries its
source or the reason it is an assumption, and so that scenarios, calibration and
sweeps can override them by name.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from ..errors import InputError, short
from .locations import DATA_DIR

PARAMETERS_FILE = DATA_DIR / "parameters.toml"
_REQUIRED = ("value", "min", "max", "bounds", "unit", "source", "note")


@dataclass(frozen=True)
class Parameter:
    """One documented parameter: its default value, plausible range, hard bounds and source."""

    name: str
    value: float
    min: float  # hard bounds: values outside make no sense in the model (an input error) ...
    max: float
    bounds: str  # ... for this reason
    unit: str
    source: str
    note: str
    low: float | None = None
    high: float | None = None
    switch: bool = False  # a mechanism on (any value above 0) or off (0): a fit tries 0 and 1, never values between


@cache
def load_parameters(path: Path = PARAMETERS_FILE) -> Mapping[str, Parameter]:
    """Read and check the parameter file; every entry must say where it comes from."""
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(path, "file", f"not valid TOML ({exc})") from exc
    params = {}
    for name, entry in raw.items():
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            raise InputError(path, f"[{name}]", f"missing field(s) {missing}; each parameter needs {list(_REQUIRED)}")
        if not str(entry["source"]).strip():
            raise InputError(path, f"[{name}].source", "empty; give a reference or 'assumption' with a note")
        p = Parameter(name=name, **{k: entry[k] for k in _REQUIRED}, low=entry.get("low"), high=entry.get("high"),
                      switch=entry.get("switch", False))
        if p.switch is not False and (p.switch is not True or (p.min, p.max) != (0, 1) or p.value not in (0, 1)):
            raise InputError(path, f"[{name}].switch", f"{p.switch!r} with value {p.value} and hard bounds "
                                                       f"[{p.min}, {p.max}]; a switch is true, with value 0 or 1 "
                                                       "and hard bounds [0, 1]")
        if p.low is not None and p.high is not None and not p.low <= p.value <= p.high:
            raise InputError(path, f"[{name}]", f"value {p.value} outside its range [{p.low}, {p.high}]")
        if not all(math.isfinite(x) for x in (p.min, p.max)) or \
                not p.min <= min(p.value, p.low if p.low is not None else p.value) <= \
                max(p.value, p.high if p.high is not None else p.value) <= p.max:
            raise InputError(path, f"[{name}]", f"hard bounds [{p.min}, {p.max}] must be finite and contain the "
                                                "value and its range")
        params[name] = p
    return MappingProxyType(params)


def in_force(scenario_params: Mapping[str, float], scenario_origins: Mapping[str, str],
             overrides: Mapping[str, float] | None = None) -> list[tuple[Parameter, float, str]]:
    """Each parameter with the value a run uses and where that value comes from: the documented
    default, the scenario's calibrated set or its own ``[params]``, or an override (``--set``)."""
    values = resolve({**scenario_params, **(overrides or {})}, origin="--set")
    out = []
    for name, p in load_parameters().items():
        if overrides and name in overrides:
            origin = "--set"
        else:
            origin = scenario_origins.get(name, "default (data/parameters.toml)") if name in scenario_params \
                else "default (data/parameters.toml)"
        out.append((p, values[name], origin))
    return out


def unknown_name(name: str, known) -> str:
    """'unknown' with a did-you-mean suggestion when a known name is close."""
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f"unknown parameter; did you mean '{close[0]}'? ('karabakh params' lists them)" if close else \
        "unknown parameter ('karabakh params' lists them)"


def resolve(overrides: Mapping[str, float] | None = None, *, origin: str = "parameters") -> dict[str, float]:
    """Default values updated by ``overrides``; unknown names and values the model cannot take
    (non-numbers, NaN, infinities, values outside the hard ``min``/``max``) are input errors."""
    values = {name: float(p.value) for name, p in load_parameters().items()}
    for name, value in (overrides or {}).items():
        values[name] = checked(name, value, origin)
    return values


def checked(name: str, value, origin: str) -> float:
    """``value`` as the float the model uses for parameter ``name``; an unknown name, a non-number,
    NaN, an infinity or a value outside the hard ``min``/``max`` is an :class:`InputError` from ``origin``."""
    defaults = load_parameters()
    if name not in defaults:
        raise InputError(origin, f"parameter {short(name)}", unknown_name(name, defaults))
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(origin, f"parameter '{name}'", f"expected a number, got {short(value)}") from exc
    if not math.isfinite(number):
        raise InputError(origin, f"parameter '{name}'", f"expected a finite number, got {number}")
    p = defaults[name]
    if not p.min <= number <= p.max:
        raise InputError(origin, f"parameter '{name}'", f"{number:g} outside the values the model accepts "
                                                        f"[{p.min:g}, {p.max:g}] ({p.bounds})")
    return number
