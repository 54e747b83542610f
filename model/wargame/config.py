"""A game's configuration, checked once when the instructor creates the game.

Everything that changes the course of the game but is not a player's or the umpire's action lives
here, so that configuration + log is the whole game (:mod:`model.wargame.game`).
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, validation_problem
from .roles import GOVERNMENT_ROLES, PLAYABLE

TURN_LENGTH = re.compile(r"^([1-9][0-9]?) (day|week|month)s?$")
"""'1 month', '2 weeks', '10 days': a number and a calendar unit."""


class GameConfig(BaseModel):
    """What the instructor chooses when creating a game."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scenario: str = Field("historical", min_length=1, max_length=200)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    start: dt.date | None = None  # None: the scenario's start; later: the model plays the months before
    turn_length: str = "1 month"
    turn_minutes: float = Field(20.0, ge=0, le=7 * 24 * 60)  # deadline per turn (a week at most); 0: no deadline
    human: tuple[str, ...] = GOVERNMENT_ROLES  # the roles students play; the built-in AI plays the others
    intel_noise: float = Field(0.3, ge=0, le=2)  # sigma of the log-normal error of intelligence estimates
    title: str = Field("", max_length=200)

    @field_validator("turn_length")
    @classmethod
    def _turn_length(cls, value: str) -> str:
        if not TURN_LENGTH.match(value.strip()):
            raise ValueError("expected a number and a unit, e.g. '1 month', '2 weeks' or '10 days'")
        return value.strip()

    @field_validator("human")
    @classmethod
    def _human(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [r for r in value if r not in PLAYABLE]
        if unknown:
            raise ValueError(f"unknown role {unknown[0][:40]!r}; roles: {', '.join(PLAYABLE)}")
        return tuple(r for r in PLAYABLE if r in value)  # role order, no duplicates

    def turn_end(self, start: dt.date, turn: int) -> dt.date:
        """The first date after turn ``turn`` (1-based) of a game that starts on ``start``."""
        count, unit = TURN_LENGTH.match(self.turn_length).groups()
        n = int(count) * turn
        if unit == "day":
            return start + dt.timedelta(days=n)
        if unit == "week":
            return start + dt.timedelta(weeks=n)
        month = start.month - 1 + n
        year, month = start.year + month // 12, month % 12 + 1
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, min(start.day, last))


def read_config(values: dict) -> GameConfig:
    """A configuration from a form or a file; the first problem is one :class:`InputError`."""
    try:
        return GameConfig.model_validate(values)
    except ValidationError as exc:
        field, problem = validation_problem(exc, fields=GameConfig.model_fields)
        raise InputError("game settings", field or "game", problem) from None
