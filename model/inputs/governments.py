"""Governments as read from ``data/governments.toml``: leader, legitimacy, budget, war aims."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import read_toml_tables
from .locations import DATA_DIR


class GovernmentConfig(BaseModel):
    """One [table] of governments.toml; extra *_source / note fields are kept for provenance."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str
    side: str = Field(pattern="^(aze|arm)$")
    capital: str
    leader: str
    legitimacy: float = Field(ge=0, le=1)
    budget_musd_per_year: float = Field(ge=0, le=100_000)
    war_aims: list[str]
    recruits_param: str = ""
    training_capacity_param: str = ""  # parameter capping the recruits it can train and send to units a day; "" = none
    command_cohesion: float = Field(0.5, ge=0, le=1)  # how far it commands its forces as one army at the start
    opportunism: float | None = Field(None, ge=0, le=1)  # value of districts outside its aims (default: the parameter)
    force_generation_start: float = Field(1.0, ge=0, le=1)  # share of full recruiting capacity on 1991-12-01
    theatre: list[str] = []  # regions (districts.csv `region`) its staff sends reserves to; [] = wherever its side holds


@cache
def load_governments(path: Path = DATA_DIR / "governments.toml") -> dict[str, GovernmentConfig]:
    """Governments keyed by id, in file order (that order is the Forces.government code)."""
    return read_toml_tables(path, GovernmentConfig)


RECRUIT_PARAM = {"azerbaijan": "recruits_per_day_aze", "armenia": "recruits_per_day_arm",
                 "nagorno_karabakh": "recruits_per_day_nk"}
