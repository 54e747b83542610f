"""Governments' political state: configuration from data and legitimacy dynamics.

Governments (``data/governments.toml``) carry a leader, legitimacy, budget and
war aims. Here legitimacy falls with territory lost and recovers slowly; it
scales how many recruits a government can raise. Coups and coup-proofing
(issue 3) build on this module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .errors import read_toml_tables

DATA_DIR = Path(__file__).parent / "data"


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


@cache
def load_governments(path: Path = DATA_DIR / "governments.toml") -> dict[str, GovernmentConfig]:
    """Governments keyed by id, in file order (that order is the Forces.government code)."""
    return read_toml_tables(path, GovernmentConfig)


RECRUIT_PARAM = {"azerbaijan": "recruits_per_day_aze", "armenia": "recruits_per_day_arm",
                 "nagorno_karabakh": "recruits_per_day_nk"}


def update_legitimacy(governments, districts_lost: np.ndarray, p: dict[str, float]) -> None:
    """Defeats cost legitimacy; each day restores a little of what is missing.

    ``districts_lost[s]`` counts the districts whose holder changed away from side ``s``
    today. Counting changes of holder rather than daily shares keeps a front that sways back
    and forth inside one district from draining legitimacy (only real losses count).
    """
    loss_rate, recovery = p["legitimacy_loss_per_capture"], p["legitimacy_recovery_per_day"]
    for gov in governments:
        value = gov.legitimacy - loss_rate * districts_lost[gov.side_index] + recovery * (1.0 - gov.legitimacy)
        gov.legitimacy = min(max(float(value), 0.0), 1.0)
