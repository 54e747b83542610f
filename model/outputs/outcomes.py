"""The headline outcomes of a run, one name each: the public outcome API."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..actors.diplomacy import durable_ceasefire
from ..inputs.history import CEASEFIRE_DATE
from .time import day_index

SIDE_GOVERNMENTS = {"aze": ("azerbaijan",), "arm": ("armenia", "nagorno_karabakh")}


def outcomes(model) -> dict[str, object]:
    """Headline outcomes of a finished run, one flat row."""
    w = model.world
    area_inside = w.area_km2 * ~np.isin(w.districts["region"].to_numpy(), ["armenia"])
    cf = day_index(model, CEASEFIRE_DATE)
    share = model.control_history[cf] if cf is not None else model.arm_share
    row: dict[str, object] = {
        "days": model.day,
        "arm_held_azssr_km2": float((area_inside * share).sum()),
        "arm_held_azssr_km2_end": float((area_inside * model.arm_share).sum()),
        "casualties_aze": float(model.casualties[0]),
        "casualties_arm": float(model.casualties[1]),
        "loss_exchange_ratio": float(model.casualties[0] / max(model.casualties[1], 1.0)),
        "displaced_aze": float(model.displaced[0]),
        "displaced_arm": float(model.displaced[1]),
        "captures": len(model.captures),
        "days_to_ceasefire": np.nan,
        "ceasefires": len(model.ceasefires),
    }
    durable = durable_ceasefire(model)
    if durable is not None:
        row["days_to_ceasefire"] = (dt.date.fromisoformat(durable["start"]) - model.start).days
    for gov in model.governments:
        attempts = [c for c in model.coups if c["country"] == gov.key and c["kind"] == "coup"]
        row[f"coup_attempts_{gov.key}"] = len(attempts)
        row[f"coups_successful_{gov.key}"] = sum(c["success"] for c in attempts)
        row[f"resignations_{gov.key}"] = sum(c["kind"] == "resignation" for c in model.coups if c["country"] == gov.key)
        first = gov.regime_history[0]["regime"]
        row[f"first_regime_{gov.key}"] = first
    for side, keys in SIDE_GOVERNMENTS.items():
        row[f"coup_attempts_{side}"] = sum(row[f"coup_attempts_{k}"] for k in keys)
        row[f"coups_successful_{side}"] = sum(row[f"coups_successful_{k}"] for k in keys)
    # Day of the first change of holder of each district (NaN if it never changed hands).
    first: dict[str, float] = {}
    for cap in model.captures:
        first.setdefault(cap["district"], float((dt.date.fromisoformat(cap["date"]) - model.start).days))
    for key in w.keys:
        row[f"capture_day_{key}"] = first.get(key, np.nan)
    return row


def territory_series(model, every: int = 7) -> np.ndarray:
    """km² of the Azerbaijan SSR held by the arm side, every ``every`` days from the start."""
    w = model.world
    area_inside = w.area_km2 * ~np.isin(w.districts["region"].to_numpy(), ["armenia"])
    return (model.control_history[: model.day + 1: every] @ area_inside).astype(np.float32)
