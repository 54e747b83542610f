"""Regimes and their coup-proofing profiles, read from the data files (no dynamics).

Each government has, per regime (leadership period), the 13 items of the Wartime
Civil-Military Relations Dataset (Narang & Talmadge 2018; seed ``000_85f62de43105f406.txt``
codes Azerbaijan 1992) as dated cells: each row holds an item's value from ``from`` to ``to``
with its confidence, the date of the latest event its evidence describes, source and note
(``data/coup_proofing.csv``; coding rules in ``data/README.md``), and the regime's policies
(``data/regimes.toml``). A regime's profile changes on its cells' dates (:meth:`Regime.at`).
What the items do in the war is :mod:`model.actors.coup_proofing`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError, read_csv_columns, read_toml_tables
from .locations import DATA_DIR

ITEMS = ("coup_origin", "coup_history", "military_leader", "ethnic_exclusion", "ideological_requirements",
         "party_membership", "political_education", "internal_repression", "military_governance",
         "paramilitary_counterweight", "internal_intelligence", "recent_purge", "civil_military_forum")
"""The 13 WCMRD questions, in the dataset's order."""
PRACTICES = ("ethnic_exclusion", "ideological_requirements", "party_membership", "political_education",
             "paramilitary_counterweight", "internal_intelligence", "recent_purge")
"""Coup-proofing practices (their mean is the coup-proofing index of data/coup_proofing_indices.toml)."""
RISK_ITEMS = ("coup_origin", "coup_history", "military_leader", "internal_repression", "military_governance")
"""Structural coup-risk factors (their mean is the risk index)."""
SCREENING = ("ethnic_exclusion", "ideological_requirements", "party_membership")
CONFIDENCE = ("high", "medium", "low")
COLUMNS = ("government", "regime", "leader", "period_start", "period_end", "item", "from", "to", "value", "confidence",
           "evidence_date", "source", "note")
CODED_UNTIL = dt.date(1994, 12, 31)
"""The last day the model simulates: a row open at the end (empty ``to``) codes its item up to this day, so
its evidence may be dated up to it and no later (rule D of data/README.md)."""


@dataclass(frozen=True)
class Cell:
    """One dated coding: an item's value from ``start`` (inclusive) until ``end`` (exclusive; None: open)."""

    item: str
    start: dt.date
    end: dt.date | None
    value: float
    confidence: str


class RegimePolicy(BaseModel):
    """One [regime] table of regimes.toml; extra provenance keys are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)
    government: str
    leader: str
    came_to_power: str = Field(pattern="^(start|coup|popular_uprising|resignation_succession|election)$")
    legitimacy_start: float = Field(ge=0, le=1)
    alignment_russia: float = Field(ge=-1, le=1)
    mediation_appetite: float = Field(ge=0, le=1)
    purge_on_takeover: float = Field(ge=0, le=1)
    armed_wing: list[str] = Field(default_factory=list)  # units.csv keys of the movement's own battalions
    caretaker: bool = False  # an acting successor from its predecessor's establishment: no honeymoon of its own
    source: str = Field(min_length=1)


@dataclass(frozen=True)
class Regime:
    """A leadership period: its 13-item profile in force, its dated cells, and its policies."""

    key: str
    government: str
    leader: str
    period_start: dt.date
    period_end: dt.date | None
    items: dict[str, float]  # the profile in force (the cells at period_start, or at the date of :meth:`at`)
    policy: RegimePolicy | None = None
    confidence: dict[str, str] = field(default_factory=dict, repr=False)  # of the cells in force
    cells: tuple[Cell, ...] = field(default=(), repr=False)  # every dated cell, in file order

    def with_items(self, overrides: dict[str, float]) -> Regime:
        """A copy with some item values replaced over the whole period (experiments, profile_change events)."""
        unknown = sorted(set(overrides) - set(ITEMS))
        if unknown:
            raise InputError("profile overrides", ", ".join(unknown), f"unknown item(s); known: {', '.join(ITEMS)}")
        cells = tuple(replace(c, value=float(overrides[c.item])) if c.item in overrides else c for c in self.cells)
        return replace(self, items={**self.items, **{k: float(v) for k, v in overrides.items()}}, cells=cells)

    def at(self, date: dt.date) -> Regime:
        """The regime with the profile its cells give on ``date`` (before the first cell of an item: the
        first; after the last: the last). Without cells (a regime built in code), itself."""
        if not self.cells:
            return self
        items, conf = dict(self.items), dict(self.confidence)
        for c in self.cells:  # file order is date order within an item (checked on loading)
            if c.start <= date or c.start == self.period_start:
                items[c.item], conf[c.item] = c.value, c.confidence
        return replace(self, items=items, confidence=conf)

    @cached_property
    def changes(self) -> frozenset[dt.date]:
        """The dates inside the period on which a cell starts: the profile may change on them."""
        return frozenset(c.start for c in self.cells if c.start > self.period_start)

    @cached_property
    def risk_index(self) -> float:
        """Mean of the structural coup-risk items (0..1); computed once (items are not changed in place:
        ``with_items`` makes a new regime), as a purge recomputes the regime's effects every day."""
        return float(np.mean([self.items[k] for k in RISK_ITEMS]))


def _date(path, where, raw: str, *, required: bool) -> dt.date | None:
    if not raw.strip():
        if required:
            raise InputError(path, where, "empty; an ISO date is required")
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(path, where, f"expected an ISO date (YYYY-MM-DD), got {raw!r}") from None


@cache
def load_regimes(profiles: Path = DATA_DIR / "coup_proofing.csv",
                 policies: Path = DATA_DIR / "regimes.toml") -> dict[str, tuple[Regime, ...]]:
    """Regimes of each government in historical order, each with 13 sourced items and its policies."""
    df = read_csv_columns(profiles, COLUMNS)
    pol = read_toml_tables(policies, RegimePolicy)
    out: dict[str, list[Regime]] = {}
    for (gov, key), grp in df.groupby(["government", "regime"], sort=False):
        first = int(grp.index[0])
        where = f"row {first + 2} (government {gov!r}, regime {key!r})"
        items = list(dict.fromkeys(grp["item"]))
        if sorted(items) != sorted(ITEMS):
            extra, absent = sorted(set(items) - set(ITEMS)), sorted(set(ITEMS) - set(items))
            raise InputError(profiles, where, f"needs the 13 items; unknown {extra}, missing {absent}")
        start = _date(profiles, f"{where}, column 'period_start'", grp["period_start"].iat[0], required=True)
        end = _date(profiles, f"{where}, column 'period_end'", grp["period_end"].iat[0], required=False)
        cells = [_cell(profiles, i, key, row) for i, row in grp.iterrows()]
        _check_dates(profiles, key, start, end, cells)
        values = {c.item: c.value for c in cells if c.start == start}
        conf = {c.item: c.confidence for c in cells if c.start == start}
        if key not in pol:
            raise InputError(policies, f"[{key}]", f"missing: regime {key!r} of {profiles.name} needs its policies")
        if pol[key].government != gov:
            raise InputError(policies, f"[{key}].government", f"{pol[key].government!r} but {profiles.name} says {gov!r}")
        out.setdefault(gov, []).append(Regime(key=key, government=gov, leader=grp["leader"].iat[0], period_start=start,
                                              period_end=end, items=values, policy=pol[key], confidence=conf,
                                              cells=tuple(cells)))
    for gov, regimes in out.items():
        regimes.sort(key=lambda r: r.period_start)
        for a, b in zip(regimes, regimes[1:]):
            if a.period_end is not None and a.period_end > b.period_start:
                raise InputError(profiles, f"government {gov!r}", f"regimes {a.key!r} and {b.key!r} overlap")
    extra = sorted(set(pol) - {r.key for rs in out.values() for r in rs})
    if extra:
        raise InputError(policies, f"[{extra[0]}]", f"regime not in {profiles.name}")
    return {g: tuple(rs) for g, rs in out.items()}


def _cell(path, i, key, row) -> Cell:
    """One row as a dated cell, checked: value in [0, 1], confidence, source, dates (no evidence dated after
    the period the row codes)."""
    w = f"row {i + 2} (regime {key!r}, item {row['item']!r})"
    try:
        v = float(row["value"])
    except ValueError:
        raise InputError(path, f"{w}, column 'value'", f"expected a number in [0, 1], got {row['value']!r}") from None
    if not (0.0 <= v <= 1.0) or math.isnan(v):
        raise InputError(path, f"{w}, column 'value'", f"{v} outside [0, 1]")
    if row["confidence"] not in CONFIDENCE:
        raise InputError(path, f"{w}, column 'confidence'", f"{row['confidence']!r} is not one of {list(CONFIDENCE)}")
    if not row["source"].strip():
        raise InputError(path, f"{w}, column 'source'", "empty: every item needs a source or 'assumption' with a note")
    start = _date(path, f"{w}, column 'from'", row["from"], required=True)
    end = _date(path, f"{w}, column 'to'", row["to"], required=False)
    evidence = _date(path, f"{w}, column 'evidence_date'", row["evidence_date"], required=True)
    if end is not None and end <= start:
        raise InputError(path, f"{w}, column 'to'", f"{end} is not after 'from' ({start})")
    if evidence > (end or CODED_UNTIL):
        raise InputError(path, f"{w}, column 'evidence_date'", f"{evidence} is after the period the row codes "
                                                               f"(to {end or CODED_UNTIL}); code that evidence in a later row")
    return Cell(row["item"], start, end, v, row["confidence"])


def _check_dates(path, key: str, start: dt.date, end: dt.date | None, cells: list[Cell]) -> None:
    """Each item's cells run back to back, in file order, from the regime's start to its end."""
    for item in ITEMS:
        mine = [c for c in cells if c.item == item]
        bounds = [start] + [c.end for c in mine[:-1]]
        ok = [c.start for c in mine] == bounds and mine[-1].end == end
        if not ok:
            spans = ", ".join(f"{c.start}..{c.end or ''}" for c in mine)
            raise InputError(path, f"regime {key!r}, item {item!r}", f"rows cover {spans}; expected rows back to back "
                                                                      f"in date order from {start} to {end or '(open)'}")


def regime_sequence(regimes: tuple[Regime, ...], start: dt.date) -> tuple[Regime, ...]:
    """The regime in power on ``start`` followed by its historical successors."""
    for i, r in enumerate(regimes):
        if r.period_start <= start and (r.period_end is None or start <= r.period_end):
            return regimes[i:]
    later = [i for i, r in enumerate(regimes) if r.period_start > start]
    return regimes[later[0]:] if later else regimes[-1:]
