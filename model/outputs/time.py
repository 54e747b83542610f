"""The run's calendar: day indices of dates, and the dates the control map shows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import KarabakhWar

MAP_DATES = ("1992-05-01", "1993-01-01", "1993-09-01", "1994-05-12")
"""Snapshot dates for the control map (plus the last day): after Shusha/Lachin, the 1992
Azerbaijani offensive, the 1993 offensives, and the ceasefire (seed 002_ab05866d2733586f.txt)."""


def day_index(model: KarabakhWar, date: dt.date) -> int | None:
    """Day index of a calendar date within the simulated period, or None."""
    d = (date - model.start).days
    return d if 0 <= d <= model.day else None
