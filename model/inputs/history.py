"""The documented history the model is scored against: timeline of changes of control and aggregate targets."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, read_csv_columns, read_text
from .governments import load_governments
from .locations import CHANGES_OF_POWER, DATA_DIR, TARGETS, TIMELINE
from .world import SIDES, load_world

START = dt.date(1991, 12, 1)
"""First day of the documented period and of the historical scenario."""
CEASEFIRE_DATE = dt.date(1994, 5, 12)
"""The Bishkek-protocol ceasefire came into force on 12 May 1994 (seed 002_ab05866d2733586f.txt);
outputs report territory on this date whatever the run did."""


MIN_JUMP = 0.3
"""Documented changes smaller than this share (e.g. single villages of an exclave) are not holder changes."""


COLUMNS = ("district", "date", "date_low", "date_high", "date_precision", "from_side", "to_side", "arm_share_after_low",
           "arm_share_after_high", "event", "operation", "source", "confidence", "note")


PRECISIONS = ("day", "week", "month", "season", "range", "year")
"""How precisely the sources date a change; the documented window is [date_low, date_high]."""
MAJOR = ("askeran", "shusha", "lachin", "kalbajar", "aghdam", "fuzuli", "jabrayil", "qubadli", "zangilan",
         "shahumyan", "mardakert")
"""Districts of the major documented captures (Khojaly is in Askeran) and the 1992 Azerbaijani gains."""


def _row_date(path: Path, where: str, column: str, value: str) -> dt.date:
    """A documented row's ISO date, or one clear error naming the file, row and column."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(path, f"{where}, column '{column}'", f"{value[:40]!r}; expected an ISO date (YYYY-MM-DD)") from None


def _row_source(path: Path, where: str, value: str) -> None:
    """Every documented row names its source (one clear error otherwise)."""
    if not value.strip():
        raise InputError(path, f"{where}, column 'source'", "empty: every documented change needs a source")


@cache
def load_timeline(path: Path = TIMELINE) -> pd.DataFrame:
    """The documented changes of control, validated (errors name the row and column)."""
    df = read_csv_columns(path, COLUMNS)
    keys = set(load_world().keys)
    out = df.astype(object)  # pandas 3 string columns reject dates and floats
    for i, row in df.iterrows():
        where = f"row {i + 2}"
        if row["district"] not in keys:
            raise InputError(path, f"{where}, column 'district'", f"unknown district {row['district']!r}")
        dates = {}
        for col in ("date", "date_low", "date_high"):
            dates[col] = _row_date(path, where, col, row[col])
            if not START <= dates[col] <= CEASEFIRE_DATE:
                raise InputError(path, f"{where}, column '{col}'", f"{dates[col]} outside {START}..{CEASEFIRE_DATE}")
        if not dates["date_low"] <= dates["date"] <= dates["date_high"]:
            raise InputError(path, f"{where}, column 'date'", f"need date_low <= date <= date_high, got "
                                                              f"{dates['date_low']} <= {dates['date']} <= {dates['date_high']}")
        for col in ("from_side", "to_side"):
            if row[col] not in ("aze", "arm"):
                raise InputError(path, f"{where}, column '{col}'", f"{row[col]!r} is not 'aze' or 'arm'")
        if row["date_precision"] not in PRECISIONS:
            raise InputError(path, f"{where}, column 'date_precision'", f"expected one of {', '.join(PRECISIONS)}")
        try:
            lo, hi = float(row["arm_share_after_low"]), float(row["arm_share_after_high"])
        except ValueError:
            raise InputError(path, f"{where}, column 'arm_share_after_low'", "expected numbers in [0, 1]") from None
        if not 0 <= lo <= hi <= 1:
            raise InputError(path, f"{where}, column 'arm_share_after_high'", f"need 0 <= low <= high <= 1, got {lo}..{hi}")
        _row_source(path, where, row["source"])
        for col, day in dates.items():
            out.at[i, col] = day
    out["arm_share_after_low"] = out["arm_share_after_low"].astype(float)
    out["arm_share_after_high"] = out["arm_share_after_high"].astype(float)
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def documented_shares(world, n_days: int, timeline: pd.DataFrame | None = None
                      ) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], tuple[int, int]]]:
    """The documented record on the model's calendar (day 0 = START): per day and district the arm share's
    documented low and high, (n_days, N) each, and for each dated change (node, day) its documented window
    (day_low, day_high). After the last dated change the record holds (the ceasefire of May 1994 held)."""
    timeline = load_timeline() if timeline is None else timeline
    low = np.tile(world.arm_share_start_low, (n_days, 1)).astype(float)
    high = np.tile(world.arm_share_start_high, (n_days, 1)).astype(float)
    window: dict[tuple[int, int], tuple[int, int]] = {}
    for row in timeline.itertuples(index=False):
        day = (row.date - START).days
        if day >= n_days:
            continue
        v = world.index[row.district]
        low[day:, v] = row.arm_share_after_low
        high[day:, v] = row.arm_share_after_high
        window[(v, day)] = ((row.date_low - START).days, (row.date_high - START).days)
    return low, high, window


DISPLACED_COUNTS = {"all": "everyone who fled: from districts as they changed hands and from shelling",
                    "captures": "those who fled districts as they changed hands (not shelling)"}
"""What model count a ``displaced_*`` target of targets.toml is compared with (its ``counts``; :func:`load_targets`
fills in ``all`` where it is missing): the sources of a range count some flows and not others (``counts_note`` says
which and why)."""


@cache
def load_targets(path: Path = TARGETS) -> dict[str, dict]:
    """Aggregate targets: each a table with low, high, unit, source."""
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc
    for key, t in raw.items():
        missing = [k for k in ("low", "high", "unit", "source") if k not in t]
        if missing:
            raise InputError(path, f"[{key}]", f"missing {missing}")
        if key.startswith("displaced_"):
            t.setdefault("counts", "all")
            if t["counts"] not in DISPLACED_COUNTS:
                raise InputError(path, f"[{key}] counts", f"found {t['counts']!r}, expected one of "
                                 f"{', '.join(map(repr, DISPLACED_COUNTS))}")
    return raw


def captures_only() -> np.ndarray:
    """(aze, arm) bool: whether each side's displaced target counts only those who fled districts as they changed
    hands (targets.toml ``counts = "captures"``), not those who fled shelling."""
    t = load_targets()
    return np.array([t[f"displaced_{side}"]["counts"] == "captures" for side in SIDES])


def front_sides() -> tuple[int, ...]:
    """The sides (0 aze, 1 arm) whose men in their units on the map have a target (targets.toml ``front_<side>``): the
    one list the loss, the score card and the time-series figure read."""
    t = load_targets()
    return tuple(s for s, side in enumerate(SIDES) if f"front_{side}" in t)


def counted_displaced(displaced: np.ndarray, front: np.ndarray) -> np.ndarray:
    """The displaced persons each side's target counts (:data:`DISPLACED_COUNTS`), from a run's ``displaced`` and,
    of them, those who fled shelling (``front``), by side in the last axis ((2,) for a day, (days, 2) for the
    histories): the sources of a range count some flows and not others."""
    return displaced - front * captures_only()


POWER_PATHS = ("resignation", "uprising", "coup")
"""The paths by which power changes hands in the model (model.actors.politics): a leader who resigns, an armed
opposition's uprising, a commander's revolt."""


@cache
def load_changes_of_power(path: Path = CHANGES_OF_POWER) -> pd.DataFrame:
    """The documented changes of power in the war (country, path, date, source, note), validated: the score
    card sets the model's changes of power beside them (errors name the row and column). Not part of the fit:
    the fit scores the patterns of power in targets.toml."""
    df = read_csv_columns(path, ("country", "path", "date", "source", "note"))
    countries = set(load_governments())
    for i, row in df.iterrows():
        where = f"row {i + 2}"
        if row["country"] not in countries:
            raise InputError(path, f"{where}, column 'country'",
                             f"unknown government {row['country'][:40]!r}; expected one of {sorted(countries)}")
        if row["path"] not in POWER_PATHS:
            raise InputError(path, f"{where}, column 'path'", f"{row['path'][:40]!r}; expected one of {list(POWER_PATHS)}")
        _row_date(path, where, "date", row["date"])
        _row_source(path, where, row["source"])
    return df


def data_version() -> str:
    """Hash of the data a calibrated parameter set was fitted to (recorded with every set): the documented
    history and targets, who held what on the first day, and the network (districts and roads: since stop 35,
    when splitting two rayons changed the fit without changing this hash)."""
    h = hashlib.sha256()
    for p in (TIMELINE, TARGETS, DATA_DIR / "control_start.csv", DATA_DIR / "districts.csv", DATA_DIR / "roads.csv"):
        h.update(Path(p).read_bytes())
    return "sha256:" + h.hexdigest()[:16]
