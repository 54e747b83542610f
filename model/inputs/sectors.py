"""Sectors of the front as read from ``data/sectors.toml``: which districts each sector formation serves in."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError, read_toml_tables
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
    """Sectors keyed by name, in file order."""
    return read_toml_tables(path, Sector)


def check_sectors(sectors: dict[str, Sector], unit_keys: set[str], district_keys: set[str],
                  path: Path = SECTORS) -> None:
    """One clear error for a unit or district a sector names that the data do not have, or a unit in two sectors."""
    seen: dict[str, str] = {}
    for name, sector in sectors.items():
        for field, names, known in (("units", sector.units, unit_keys), ("districts", sector.districts, district_keys)):
            for key in names:
                if key not in known:
                    table = "units.csv" if field == "units" else "districts.csv"
                    raise InputError(path, f"[{name}].{field}", f"'{key}' is not a key of data/{table}")
        for key in sector.units:
            if key in seen:
                raise InputError(path, f"[{name}].units", f"'{key}' is already in sector [{seen[key]}]; a unit serves "
                                                          "in one sector")
            seen[key] = name
