"""Regimes and their coup-proofing profiles, read from the data files (no dynamics).

Each government has, per regime (leadership period), the 13 items of the Wartime
Civil-Military Relations Dataset (Narang & Talmadge 2018; seed ``000_85f62de43105f406.txt``
codes Azerbaijan 1992) with value 0..1, confidence and source (``data/coup_proofing.csv``),
and the regime's policies (``data/regimes.toml``). What the items do in the war is
:mod:`model.actors.coup_proofing`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from functools import cache
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
COLUMNS = ("government", "regime", "leader", "period_start", "period_end", "item", "value", "confidence",
           "source", "note")


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
    source: str = Field(min_length=1)


@dataclass(frozen=True)
class Regime:
    """A leadership period: its 13-item profile and its policies."""

    key: str
    government: str
    leader: str
    period_start: dt.date
    period_end: dt.date | None
    items: dict[str, float]
    policy: RegimePolicy | None = None
    confidence: dict[str, str] = field(default_factory=dict, repr=False)

    def with_items(self, overrides: dict[str, float]) -> Regime:
        """A copy with some item values replaced (experiments, profile_change events)."""
        unknown = sorted(set(overrides) - set(ITEMS))
        if unknown:
            raise InputError("profile overrides", ", ".join(unknown), f"unknown item(s); known: {', '.join(ITEMS)}")
        return replace(self, items={**self.items, **{k: float(v) for k, v in overrides.items()}})

    @property
    def risk_index(self) -> float:
        """Mean of the structural coup-risk items (0..1)."""
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
        items = list(grp["item"])
        if sorted(items) != sorted(ITEMS):
            extra, absent = sorted(set(items) - set(ITEMS)), sorted(set(ITEMS) - set(items))
            dup = sorted({i for i in items if items.count(i) > 1})
            raise InputError(profiles, where, f"needs exactly the 13 items once each; unknown {extra}, "
                                              f"missing {absent}, repeated {dup}")
        values, conf = {}, {}
        for i, row in grp.iterrows():
            w = f"row {i + 2} (regime {key!r}, item {row['item']!r})"
            try:
                v = float(row["value"])
            except ValueError:
                raise InputError(profiles, f"{w}, column 'value'", f"expected a number in [0, 1], got {row['value']!r}") from None
            if not (0.0 <= v <= 1.0) or math.isnan(v):
                raise InputError(profiles, f"{w}, column 'value'", f"{v} outside [0, 1]")
            if row["confidence"] not in CONFIDENCE:
                raise InputError(profiles, f"{w}, column 'confidence'", f"{row['confidence']!r} is not one of {list(CONFIDENCE)}")
            if not row["source"].strip():
                raise InputError(profiles, f"{w}, column 'source'", "empty: every item needs a source or 'assumption' with a note")
            values[row["item"]], conf[row["item"]] = v, row["confidence"]
        start = _date(profiles, f"{where}, column 'period_start'", grp["period_start"].iat[0], required=True)
        end = _date(profiles, f"{where}, column 'period_end'", grp["period_end"].iat[0], required=False)
        if key not in pol:
            raise InputError(policies, f"[{key}]", f"missing: regime {key!r} of {profiles.name} needs its policies")
        if pol[key].government != gov:
            raise InputError(policies, f"[{key}].government", f"{pol[key].government!r} but {profiles.name} says {gov!r}")
        out.setdefault(gov, []).append(Regime(key=key, government=gov, leader=grp["leader"].iat[0], period_start=start,
                                              period_end=end, items=values, policy=pol[key], confidence=conf))
    for gov, regimes in out.items():
        regimes.sort(key=lambda r: r.period_start)
        for a, b in zip(regimes, regimes[1:]):
            if a.period_end is not None and a.period_end > b.period_start:
                raise InputError(profiles, f"government {gov!r}", f"regimes {a.key!r} and {b.key!r} overlap")
    extra = sorted(set(pol) - {r.key for rs in out.values() for r in rs})
    if extra:
        raise InputError(policies, f"[{extra[0]}]", f"regime not in {profiles.name}")
    return {g: tuple(rs) for g, rs in out.items()}


def regime_sequence(regimes: tuple[Regime, ...], start: dt.date) -> tuple[Regime, ...]:
    """The regime in power on ``start`` followed by its historical successors."""
    for i, r in enumerate(regimes):
        if r.period_start <= start and (r.period_end is None or start <= r.period_end):
            return regimes[i:]
    later = [i for i, r in enumerate(regimes) if r.period_start > start]
    return regimes[later[0]:] if later else regimes[-1:]
