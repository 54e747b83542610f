"""External patrons as read from ``data/patrons.toml``: alignment, stocks, interests, actions, and the
parameters of their policy (the rules by which a patron decides, :mod:`model.actors.patron_policy`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import read_toml_tables
from .locations import DATA_DIR

ACTIONS = ("arms", "deploy", "withdraw", "fund", "embargo", "mediate")
MODES = ("scheduled", "endogenous", "mixed")
"""How a patron acts in a run: ``scheduled`` — only its dated scenario events (the default);
``endogenous`` — its dated events are dropped and it decides each month; ``mixed`` — both."""

PolicyValue = float | str | list[str]
"""A policy parameter: a number, or the key of a district, region or government, or a list of them."""


def _known_actions(can: list[str]) -> None:
    bad = [a for a in can if a not in ACTIONS]
    if bad:
        raise ValueError(f"unknown action(s) {bad} in 'can'; known: {list(ACTIONS)}")


class PatronConfig(BaseModel):
    """One [table] of patrons.toml; extra *_source / note fields are kept for provenance.

    ``policy`` holds the parameters of the patron's decision rules; each needs a reference or a
    marked assumption under the same name in ``policy_sources``."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str
    alignment: float = Field(ge=-1, le=1)
    arms_stock: dict[str, float | None] = Field(default_factory=dict)
    money_musd_per_year: float | None = Field(default=None, ge=0)
    interests: list[str] = Field(default_factory=list)
    can: list[str] = Field(default_factory=list)
    deployed: list[dict] = Field(default_factory=list)
    blockade_supply_loss: float = Field(default=0.0, ge=0, lt=1)  # supply a side loses while its border is closed
    blockade_supply_loss_source: str = ""
    policy: dict[str, PolicyValue] = Field(default_factory=dict)
    policy_sources: dict[str, str] = Field(default_factory=dict)
    policy_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)  # the fit's bounds (calibrate --patrons)
    policy_ranges_source: str = ""

    @model_validator(mode="after")
    def _checked(self):
        _known_actions(self.can)
        unsourced = [k for k in self.policy if not self.policy_sources.get(k)]
        if unsourced:
            raise ValueError(f"policy parameter(s) {unsourced} have no entry in 'policy_sources' "
                             "(a reference or a marked assumption)")
        for k, (low, high) in self.policy_ranges.items():
            value = self.policy.get(k)
            if isinstance(value, (str, list)) or value is None or not low <= value <= high:
                raise ValueError(f"policy_ranges.{k}: [{low:g}, {high:g}] needs a numeric policy value inside it")
        if self.blockade_supply_loss and not self.blockade_supply_loss_source:
            raise ValueError("blockade_supply_loss needs a blockade_supply_loss_source (a reference or a marked assumption)")
        if self.policy_ranges and not self.policy_ranges_source:
            raise ValueError("policy_ranges need a policy_ranges_source (a reference or a marked assumption)")
        return self


class PatronSetting(BaseModel):
    """A scenario's ``[patrons.<key>]`` table: how that patron acts in the scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal[MODES] = "scheduled"
    policy: dict[str, PolicyValue] = Field(default_factory=dict)
    can: list[str] | None = None  # replaces the patron's 'can' list (a counterfactual that grants an action)
    note: str = ""

    @model_validator(mode="after")
    def _checked(self):
        if self.can is not None:
            _known_actions(self.can)
        return self

    def merged(self, child: PatronSetting) -> PatronSetting:
        """This (inherited) setting with an extending file's setting over it; ``mode`` and ``can``
        come from the child only when it gives them."""
        given = child.model_fields_set
        return PatronSetting(mode=child.mode if "mode" in given else self.mode,
                             policy={**self.policy, **child.policy},
                             can=child.can if child.can is not None else self.can,
                             note=child.note or self.note)


def kind_of(value: PolicyValue) -> str:
    """How a policy value is written, for checking a scenario's override against the data file's."""
    return "a list of names" if isinstance(value, list) else "a name" if isinstance(value, str) else "a number"


def cannot(patron: str, action: str, can: list[str]) -> str:
    """The one message for an action a patron may not take."""
    return f"{patron} cannot {action}: model/data/patrons.toml ('can') allows it only {', '.join(can) or 'nothing'}"


@cache
def load_patrons(path: Path = DATA_DIR / "patrons.toml") -> dict[str, PatronConfig]:
    """Patrons keyed by id, in file order."""
    return read_toml_tables(path, PatronConfig)
