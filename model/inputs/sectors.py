"""Sectors of the front as read from ``data/sectors.toml``: which districts each sector formation serves in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError, read_csv_columns, read_toml_tables
from .locations import DATA_DIR

SECTORS = DATA_DIR / "sectors.toml"


class Sector(BaseModel):
    """One [table] of sectors.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    units: list[str] = Field(min_length=1)
    districts: list[str] = Field(min_length=1)
    source: str = Field(min_length=1)


@cache
def load_sectors(path: Path = SECTORS) -> dict[str, Sector]:
    """Sectors keyed by name, in file order; one clear error for a unit or district that data/units.csv or
    data/districts.csv does not have, or a unit in two sectors. (A model on a synthetic world uses those of its
    districts and units that it has.)"""
    sectors = read_toml_tables(path, Sector)
    known = {"units": set(read_csv_columns(DATA_DIR / "units.csv", ("key",))["key"]),
             "districts": set(read_csv_columns(DATA_DIR / "districts.csv", ("key",))["key"])}
    seen: dict[str, str] = {}
    for name, sector in sectors.items():
        for field in ("units", "districts"):
            for key in getattr(sector, field):
                if key not in known[field]:
                    raise InputError(path, f"[{name}].{field}", f"'{key}' is not a key of data/{field}.csv")
        for key in sector.units:
            if key in seen:
                raise InputError(path, f"[{name}].units", f"'{key}' is already in sector [{seen[key]}]; a unit serves "
                                                          "in one sector")
            seen[key] = name
    return sectors
