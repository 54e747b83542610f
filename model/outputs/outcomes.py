"""The headline outcomes of a run, one name each: the public outcome API.

:func:`outcomes` returns one flat row; the CLI's summary, ``summary.json``, the experiments,
sweeps, comparisons and calibration all read these names, and Mesa's DataCollector reports the
numeric headline (:data:`model.model.HEADLINE`, from :meth:`model.model.KarabakhWar.headline`) under
the same names and with the same values.
:data:`OUTCOMES` documents every column, with the label and unit tables and plots show (the
README's table is generated from the same list and a test keeps them equal).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np

from ..actors.diplomacy import durable_ceasefire
from ..model import HEADLINE

SIDE_GOVERNMENTS = {"aze": ("azerbaijan",), "arm": ("armenia", "nagorno_karabakh")}


@dataclass(frozen=True)
class Outcome:
    """What an outcome column means (the README's table) and, where tables and plots show it, a short
    label for people and its unit. In the label of a ``<...>`` name, ``{key}`` stands for the key and
    ``{name}`` for it written as a name (``nagorno_karabakh``: Nagorno-Karabakh)."""

    meaning: str
    label: str = ""
    unit: str = ""


OUTCOMES: dict[str, Outcome] = {
    "days": Outcome("days simulated"),
    "arm_held_azssr_km2": Outcome("km² of the Azerbaijan SSR (with Nakhchivan) held by the arm side on 1994-05-12 "
                                  "(at the end if the run stops earlier)",
                                  "Azerbaijan SSR held by the arm side on 1994-05-12", "km²"),
    "arm_held_azssr_km2_end": Outcome("the same at the end of the run", "Azerbaijan SSR held by the arm side at the end",
                                      "km²"),
    "casualties_aze": Outcome("military casualties of the aze side (killed, wounded, captured)",
                              "casualties, aze side", "people"),
    "casualties_arm": Outcome("military casualties of the arm side (killed, wounded, captured)",
                              "casualties, arm side", "people"),
    "casualties_attacking_aze": Outcome("of casualties_aze, those lost in the aze side's own attacks (the rest: "
                                        "holding its lines, shelled, cut off, in ceasefire incidents)",
                                        "casualties in own attacks, aze side", "people"),
    "casualties_attacking_arm": Outcome("of casualties_arm, those lost in the arm side's own attacks",
                                        "casualties in own attacks, arm side", "people"),
    "loss_exchange_ratio": Outcome("casualties_aze / casualties_arm", "loss-exchange ratio, aze / arm", "ratio"),
    "displaced_aze": Outcome("Azerbaijani civilians who fled districts as they changed hands or under shelling",
                             "displaced Azerbaijani civilians", "people"),
    "displaced_arm": Outcome("Armenian civilians who fled districts as they changed hands or under shelling",
                             "displaced Armenian civilians", "people"),
    "displaced_front_aze": Outcome("of displaced_aze, those who fled shelling of their district (no capture)",
                                   "Azerbaijani civilians who fled shelling", "people"),
    "displaced_front_arm": Outcome("of displaced_arm, those who fled shelling of their district (no capture)",
                                   "Armenian civilians who fled shelling", "people"),
    "deserted_aze": Outcome("soldiers of the aze side who left their units under attack (not counted as casualties)",
                            "deserters, aze side", "people"),
    "deserted_arm": Outcome("soldiers of the arm side who left their units under attack", "deserters, arm side",
                            "people"),
    "personnel_aze": Outcome("personnel in the aze side's units, regime guards and depots on 1994-05-12 (at the end if the "
                             "run stops earlier)", "personnel in service, aze side, 1994-05-12", "people"),
    "personnel_arm": Outcome("personnel in the arm side's units, regime guards and depots on 1994-05-12 (at the end if the "
                             "run stops earlier)", "personnel in service, arm side, 1994-05-12", "people"),
    "front_aze": Outcome("of personnel_aze, those in its units on the map (not the regime guards, not the depots) on "
                         "1994-05-12 (at the end if the run stops earlier)", "men in units on the map, aze side, 1994-05-12",
                         "people"),
    "front_arm": Outcome("of personnel_arm, those in its units on the map (not the regime guards, not the depots) on "
                         "1994-05-12 (at the end if the run stops earlier)", "men in units on the map, arm side, 1994-05-12",
                         "people"),
    "captures": Outcome("changes of holder of any district", "changes of holder of districts", "count"),
    "ceasefires": Outcome("ceasefires agreed (durable or not)", "ceasefires agreed", "count"),
    "ceasefires_broken_<side>": Outcome("ceasefires broken by that side's governments (aze, arm)",
                                        "ceasefires broken, {key} side", "count"),
    "ceasefire_date": Outcome("start of the first durable ceasefire (ISO date; empty if none)"),
    "days_to_ceasefire": Outcome("days from the start to the first durable ceasefire (NaN if none)",
                                 "days from the start to the durable ceasefire", "days"),
    "coup_attempts_<government>": Outcome("coup attempts in that government (azerbaijan, armenia, nagorno_karabakh)",
                                          "coup attempts in {name}", "count"),
    "coups_successful_<government>": Outcome("successful coups in that government", "successful coups in {name}",
                                             "count"),
    "resignations_<government>": Outcome("leaders who resigned under pressure"),
    "first_regime_<government>": Outcome("regime in power at the start"),
    "coup_attempts_<side>": Outcome("coup attempts on that side (aze, arm)", "coup attempts, {key} side", "count"),
    "coups_successful_<side>": Outcome("successful coups on that side", "successful coups, {key} side", "count"),
    "capture_day_<district>": Outcome("day of the district's first change of holder (NaN if never)"),
}
"""Every outcome column; ``<government>``, ``<side>`` and ``<district>`` stand for the keys."""
_KEYS = {"side": tuple(SIDE_GOVERNMENTS), "government": tuple(g for gs in SIDE_GOVERNMENTS.values() for g in gs)}
"""What ``<side>`` and ``<government>`` stand for when a label is looked up (``coup_attempts_aze`` is a side's)."""


SWEEP_HEADLINE = ("arm_held_azssr_km2", "casualties_aze", "casualties_arm", "coup_attempts_aze", "days_to_ceasefire")
"""Territory at the ceasefire date, casualties, coups and the ceasefire date: what a sweep reports
when its spec keeps every outcome."""


def label(name: str, unit: bool = True) -> str:
    """``'casualties, aze side (people)'`` for ``casualties_aze``; other names with spaces for underscores."""
    text, u = _labelled(name)
    return f"{text} ({u})" if unit and u else text


def unit_of(name: str) -> str:
    """The unit of an outcome that tables and plots show (``'people'``), else ``''``."""
    return _labelled(name)[1]


def is_outcome(name: str) -> bool:
    """Whether ``name`` is an outcome column of :func:`outcomes` (patterns included)."""
    return any(_match(k, name) for k in OUTCOMES)


def _match(pattern: str, name: str, strict: bool = False) -> re.Match | None:
    """``name`` against an outcome name with ``<...>`` for a key (``strict``: only the keys of :data:`_KEYS`)."""
    def key(m: re.Match) -> str:
        keys = _KEYS.get(m.group(1)) if strict else None
        return f"({'|'.join(keys)})" if keys else "([a-z0-9_]+)"
    return re.fullmatch(re.sub(r"<(\w+)>", key, pattern), name)


def _labelled(name: str) -> tuple[str, str]:
    """Label and unit of an outcome (:data:`OUTCOMES`); the name with spaces and no unit if it has none."""
    for pattern, o in OUTCOMES.items():
        m = _match(pattern, name, strict=True) if o.label else None
        if m:
            key = m.group(1) if m.groups() else ""
            return o.label.format(key=key, name=key.replace("_", "-").title()), o.unit
    return name.replace("_", " "), ""


def outcomes(model) -> dict[str, object]:
    """Headline outcomes of a run (finished or not), one flat row named as in :data:`OUTCOMES`."""
    w = model.world
    head = model.headline()
    row: dict[str, object] = {k: head[k] for k in HEADLINE if not k.startswith("coup")}
    row["ceasefire_date"] = ""
    row["days_to_ceasefire"] = np.nan
    durable = durable_ceasefire(model)
    if durable is not None:
        row["ceasefire_date"] = durable["start"]
        row["days_to_ceasefire"] = (dt.date.fromisoformat(durable["start"]) - model.start).days
    for gov in model.governments:
        attempts = [c for c in model.coups if c["country"] == gov.key and c["kind"] == "coup"]
        row[f"coup_attempts_{gov.key}"] = len(attempts)
        row[f"coups_successful_{gov.key}"] = sum(c["success"] for c in attempts)
        row[f"resignations_{gov.key}"] = sum(c["kind"] == "resignation" for c in model.coups if c["country"] == gov.key)
        row[f"first_regime_{gov.key}"] = gov.regime_history[0]["regime"]
    for side, governments in SIDE_GOVERNMENTS.items():
        row[f"ceasefires_broken_{side}"] = sum(c["broken_by"] in governments for c in model.ceasefires)
        row[f"coup_attempts_{side}"] = head[f"coup_attempts_{side}"]
        row[f"coups_successful_{side}"] = head[f"coups_successful_{side}"]
    # Day of the first change of holder of each district (NaN if it never changed hands).
    first: dict[str, float] = {}
    for cap in model.captures:
        first.setdefault(cap["district"], float((dt.date.fromisoformat(cap["date"]) - model.start).days))
    for key in w.keys:
        row[f"capture_day_{key}"] = first.get(key, np.nan)
    return row


def json_ready(row: dict[str, object]) -> dict[str, object]:
    """The row with NaN as null (JSON has no NaN)."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def territory_series(model, every: int = 7) -> np.ndarray:
    """km² of the Azerbaijan SSR held by the arm side, every ``every`` days from the start."""
    return (model.control_history[: model.day + 1: every] @ model.area_azssr_km2).astype(np.float32)
