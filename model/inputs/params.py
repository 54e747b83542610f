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
_REQUIRED = ("value", "unit", "source", "note")


@dataclass(frozen=True)
class Parameter:
    """One documented parameter: its default value, plausible range and source."""

    name: str
    value: float
    unit: str
    source: str
    note: str
    low: float | None = None
    high: float | None = None
    min: float | None = None  # hard bounds: values outside make no sense in the model (input error)
    max: float | None = None


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
        p = Parameter(name=name, **{k: entry[k] for k in ("value", "unit", "source", "note")},
                      low=entry.get("low"), high=entry.get("high"), min=entry.get("min"), max=entry.get("max"))
        if p.low is not None and p.high is not None and not p.low <= p.value <= p.high:
            raise InputError(path, f"[{name}]", f"value {p.value} outside its range [{p.low}, {p.high}]")
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


def accepted_bounds(p: Parameter) -> tuple[float, float]:
    """The values the model accepts: the hard ``min``/``max`` where given; otherwise the type-level
    rule that a parameter whose documented range is non-negative cannot be negative."""
    lo = p.min if p.min is not None else (0.0 if (p.low if p.low is not None else p.value) >= 0 else -math.inf)
    return lo, p.max if p.max is not None else math.inf


def unknown_name(name: str, known) -> str:
    """'unknown' with a did-you-mean suggestion when a known name is close."""
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f"unknown parameter; did you mean '{close[0]}'? ('karabakh params' lists them)" if close else \
        "unknown parameter ('karabakh params' lists them)"


def resolve(overrides: Mapping[str, float] | None = None, *, origin: str = "parameters") -> dict[str, float]:
    """Default values updated by ``overrides``; unknown names and values the model cannot take
    (non-numbers, NaN, infinities, values outside :func:`accepted_bounds`) are input errors."""
    defaults = load_parameters()
    values = {name: float(p.value) for name, p in defaults.items()}
    for name, value in (overrides or {}).items():
        if name not in defaults:
            raise InputError(origin, f"parameter {short(name)}", unknown_name(name, defaults))
        try:
            values[name] = float(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InputError(origin, f"parameter '{name}'", f"expected a number, got {short(value)}") from exc
        if not math.isfinite(values[name]):
            raise InputError(origin, f"parameter '{name}'", f"expected a finite number, got {values[name]}")
        lo, hi = accepted_bounds(defaults[name])
        if not lo <= values[name] <= hi:
            raise InputError(origin, f"parameter '{name}'", f"{values[name]:g} outside the values the model accepts "
                                                            f"[{lo:g}, {hi:g}]")
    return values
