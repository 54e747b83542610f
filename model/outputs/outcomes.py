"""The headline outcomes of a run, one name each: the public outcome API.

:func:`outcomes` returns one flat row; the CLI's summary, ``summary.json``, the experiments,
sweeps, comparisons and calibration all read these names, and Mesa's DataCollector reports the
numeric headline (:data:`model.model.HEADLINE`, from :meth:`model.model.KarabakhWar.headline`) under
the same names and with the same values.
:data:`OUTCOMES` documents every column (the README's table is generated from the same
list and a test keeps them equal).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

from ..actors.diplomacy import durable_ceasefire
from ..model import HEADLINE

SIDE_GOVERNMENTS = {"aze": ("azerbaijan",), "arm": ("armenia", "nagorno_karabakh")}
OUTCOMES: dict[str, str] = {
    "days": "days simulated",
    "arm_held_azssr_km2": "km² of the Azerbaijan SSR (with Nakhchivan) held by the arm side on 1994-05-12 "
                          "(at the end if the run stops earlier)",
    "arm_held_azssr_km2_end": "the same at the end of the run",
    "casualties_aze": "military casualties of the aze side (killed, wounded, captured)",
    "casualties_arm": "military casualties of the arm side (killed, wounded, captured)",
    "loss_exchange_ratio": "casualties_aze / casualties_arm",
    "displaced_aze": "Azerbaijani civilians who fled districts as they changed hands or under shelling",
    "displaced_arm": "Armenian civilians who fled districts as they changed hands or under shelling",
    "displaced_front_aze": "of displaced_aze, those who fled shelling of their district (no capture)",
    "displaced_front_arm": "of displaced_arm, those who fled shelling of their district (no capture)",
    "captures": "changes of holder of any district",
    "ceasefires": "ceasefires agreed (durable or not)",
    "ceasefire_date": "start of the first durable ceasefire (ISO date; empty if none)",
    "days_to_ceasefire": "days from the start to the first durable ceasefire (NaN if none)",
    "coup_attempts_<government>": "coup attempts in that government (azerbaijan, armenia, nagorno_karabakh)",
    "coups_successful_<government>": "successful coups in that government",
    "resignations_<government>": "leaders who resigned under pressure",
    "first_regime_<government>": "regime in power at the start",
    "coup_attempts_<side>": "coup attempts on that side (aze, arm)",
    "coups_successful_<side>": "successful coups on that side",
    "capture_day_<district>": "day of the district's first change of holder (NaN if never)",
}
"""Every outcome column; ``<government>``, ``<side>`` and ``<district>`` stand for the keys."""


LABELS: dict[str, tuple[str, str]] = {
    "arm_held_azssr_km2": ("Azerbaijan SSR held by the arm side on 1994-05-12", "km²"),
    "arm_held_azssr_km2_end": ("Azerbaijan SSR held by the arm side at the end", "km²"),
    "casualties_aze": ("casualties, aze side", "people"),
    "casualties_arm": ("casualties, arm side", "people"),
    "loss_exchange_ratio": ("loss-exchange ratio, aze / arm", "ratio"),
    "displaced_aze": ("displaced Azerbaijani civilians", "people"),
    "displaced_arm": ("displaced Armenian civilians", "people"),
    "displaced_front_aze": ("Azerbaijani civilians who fled shelling", "people"),
    "displaced_front_arm": ("Armenian civilians who fled shelling", "people"),
    "captures": ("changes of holder of districts", "count"),
    "ceasefires": ("ceasefires agreed", "count"),
    "days_to_ceasefire": ("days from the start to the durable ceasefire", "days"),
    "coup_attempts_aze": ("coup attempts, aze side", "count"),
    "coup_attempts_arm": ("coup attempts, arm side", "count"),
    "coups_successful_aze": ("successful coups, aze side", "count"),
    "coups_successful_arm": ("successful coups, arm side", "count"),
    "coup_attempts_azerbaijan": ("coup attempts in Azerbaijan", "count"),
    "coups_successful_azerbaijan": ("successful coups in Azerbaijan", "count"),
}
"""Short label and unit of the outcomes that tables and plots show, for people (axis titles, report rows)."""


SWEEP_HEADLINE = ("arm_held_azssr_km2", "casualties_aze", "casualties_arm", "coup_attempts_aze", "days_to_ceasefire")
"""Territory at the ceasefire date, casualties, coups and the ceasefire date: what a sweep reports
when its spec keeps every outcome."""


def label(name: str, unit: bool = True) -> str:
    """``'casualties, aze side (people)'`` for ``casualties_aze``; other names with spaces for underscores."""
    text, u = LABELS.get(name, (name.replace("_", " "), ""))
    return f"{text} ({u})" if unit and u else text


def is_outcome(name: str) -> bool:
    """Whether ``name`` is an outcome column of :func:`outcomes` (patterns included)."""
    return any(re.fullmatch(re.sub(r"<\w+>", r"[a-z0-9_]+", k), name) for k in OUTCOMES)


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
    for side in SIDE_GOVERNMENTS:
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
