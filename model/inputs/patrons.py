"""External patrons as read from ``data/patrons.toml``: alignment, stocks, interests, actions."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import read_toml_tables
from .locations import DATA_DIR

ACTIONS = ("arms", "deploy", "withdraw", "fund", "embargo", "mediate")


class PatronConfig(BaseModel):
    """One [table] of patrons.toml; extra *_source / note fields are kept for provenance."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str
    alignment: float = Field(ge=-1, le=1)
    arms_stock: dict[str, float | None] = Field(default_factory=dict)
    money_musd_per_year: float | None = Field(default=None, ge=0)
    interests: list[str] = Field(default_factory=list)
    can: list[str] = Field(default_factory=list)
    deployed: list[dict] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_actions(self):
        bad = [a for a in self.can if a not in ACTIONS]
        if bad:
            raise ValueError(f"unknown action(s) {bad} in 'can'; known: {list(ACTIONS)}")
        return self


@cache
def load_patrons(path: Path = DATA_DIR / "patrons.toml") -> dict[str, PatronConfig]:
    """Patrons keyed by id, in file order."""
    return read_toml_tables(path, PatronConfig)
