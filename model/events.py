"""Exogenous events on calendar dates: the one way scenarios act on a run.

Each event type is a pydantic model (so scenario files are validated with clear
errors) with an ``apply(model)`` method. The model schedules all events of a day
through Mesa's ``schedule_event`` just before that day's step, in file order.

No event type sets who controls a district: arms, forces, money, constraints
and parameters change, and captures emerge from the dynamics.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .forces import MERCENARY

if TYPE_CHECKING:
    from .model import KarabakhWar

MAX_PERSONNEL = 200_000  # larger than any force in this war; catches typos (assumption)
MAX_EQUIPMENT = 5_000


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    date: dt.date
    id: str = ""
    source: str = Field("", description="Reference for this event (seed file name or public source)")
    note: str = ""

    def label(self) -> str:
        """Short human description for logs and error messages."""
        return self.id or f"{self.type} on {self.date}"

    def references(self) -> dict[str, list[str]]:
        """Names this event refers to, by kind, for checking against the data files."""
        return {}

    def apply(self, model: KarabakhWar) -> str:
        """Change the model; return a one-line log message."""
        raise NotImplementedError


class Equipment(BaseModel):
    """Quantities delivered or handed over."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    personnel: Annotated[float, Field(ge=0, le=MAX_PERSONNEL)] = 0
    tanks: Annotated[float, Field(ge=0, le=MAX_EQUIPMENT)] = 0
    apcs: Annotated[float, Field(ge=0, le=MAX_EQUIPMENT)] = 0
    artillery: Annotated[float, Field(ge=0, le=MAX_EQUIPMENT)] = 0
    aircraft: Annotated[float, Field(ge=0, le=MAX_EQUIPMENT)] = 0


class ArmsTransfer(_Event, Equipment):
    """Arms, men or money from a patron (or a stockpile) to a government's forces."""

    type: Literal["arms_transfer"]
    from_: str = Field(alias="from", description="patron key or 'stockpile'")
    to: str = Field(description="government key")
    money_musd: Annotated[float, Field(ge=0, le=10_000)] = 0
    unit: str = Field("", description="optional unit key receiving everything")

    def references(self):
        return {"patron": [self.from_] if self.from_ != "stockpile" else [], "government": [self.to],
                "unit": [self.unit] if self.unit else []}

    def apply(self, model):
        gov = model.government(self.to)
        if self.from_ != "stockpile":
            patron = model.patron(self.from_)
            if gov.side in patron.embargo_on:
                return f"blocked by {patron.key} embargo on {gov.side}: {self.label()}"
        rows = [model.unit_index[self.unit]] if self.unit else None
        model.reinforce(gov, self, rows)
        gov.treasury_musd += self.money_musd
        return f"{self.from_} -> {self.to}: {self.personnel:g} men, {self.tanks:g} tanks, {self.apcs:g} APCs, " \
               f"{self.artillery:g} guns, {self.money_musd:g} MUSD"


class PatronDeployment(_Event, Equipment):
    """A patron's force arrives in or leaves a district (e.g. a Russian regiment leaving a city).

    ``fights_for`` names the government the force fights for, if any; a neutral
    presence is recorded only. On withdrawal, ``hand_over_to`` receives the
    equipment left behind.
    """

    type: Literal["patron_deployment"]
    patron: str
    action: Literal["deploy", "withdraw"]
    unit_name: str
    district: str
    fights_for: str = ""
    hand_over_to: str = ""

    def references(self):
        return {"patron": [self.patron], "district": [self.district],
                "government": [g for g in (self.fights_for, self.hand_over_to) if g]}

    def apply(self, model):
        patron = model.patron(self.patron)
        if self.action == "deploy":
            patron.deployed.append({"unit": self.unit_name, "district": self.district})
            if self.fights_for:
                model.add_patron_unit(patron, self)
            return f"{patron.key} deploys {self.unit_name} to {self.district}"
        patron.deployed = [d for d in patron.deployed if d.get("unit") != self.unit_name]
        model.withdraw_patron_unit(patron, self)
        if self.hand_over_to:
            model.reinforce(model.government(self.hand_over_to), self, None,
                            near=model.world.index[self.district])
        return f"{patron.key} withdraws {self.unit_name} from {self.district}" + \
            (f", equipment to {self.hand_over_to}" if self.hand_over_to else "")


class MercenaryContract(_Event):
    """A foreign contingent (a units.csv row of kind 'mercenary') enters service."""

    type: Literal["mercenary_contract"]
    unit: str
    government: str = ""
    district: str = ""
    contract_days: Annotated[int, Field(gt=0, le=3650)] | None = None
    pay_usd_month: Annotated[float, Field(ge=0, le=100_000)] | None = None

    def references(self):
        return {"unit": [self.unit], "government": [self.government] if self.government else [],
                "district": [self.district] if self.district else []}

    def apply(self, model):
        row = model.unit_index[self.unit]
        if model.forces.kind[row] != MERCENARY:
            raise ValueError(f"unit {self.unit!r} is not a mercenary contingent")
        model.activate_unit(row, district=self.district or None, government=self.government or None)
        if self.contract_days is not None:
            model.forces.contract_end_day[row] = model.day + self.contract_days
        if self.pay_usd_month is not None:
            model.forces.pay_usd_month[row] = self.pay_usd_month
        return f"mercenary contingent {self.unit} enters service"


class UnitFormation(_Event):
    """A unit of the order of battle becomes available (its ``available_from`` date)."""

    type: Literal["unit_formation"]
    unit: str

    def references(self):
        return {"unit": [self.unit]}

    def apply(self, model):
        model.activate_unit(model.unit_index[self.unit])
        return f"unit {self.unit} formed"


class CoupConstraint(_Event):
    """Forbid, allow or force a coup in a country for a window (used by regime politics)."""

    type: Literal["coup_constraint"]
    government: str
    action: Literal["forbid", "allow", "force"]
    until: dt.date | None = None

    def references(self):
        return {"government": [self.government]}

    def apply(self, model):
        gov = model.government(self.government)
        gov.coup_constraint = None if self.action == "allow" else self.action
        gov.coup_constraint_until = self.until
        return f"coups {self.action} in {self.government}"


class Mediation(_Event):
    """A mediator's initiative; recorded for the ceasefire dynamics."""

    type: Literal["mediation"]
    mediator: str
    terms: str = ""
    pressure: Annotated[float, Field(ge=0, le=1)] = 0.5

    def references(self):
        return {"patron": [self.mediator]}

    def apply(self, model):
        model.patron(self.mediator).mediating = True
        model.mediations.append({"date": str(model.date), "mediator": self.mediator, "terms": self.terms,
                                 "pressure": self.pressure})
        return f"{self.mediator} mediation: {self.terms or 'no terms given'}"


class Embargo(_Event):
    """A patron imposes or lifts an arms embargo on a side."""

    type: Literal["embargo"]
    patron: str
    on: Literal["aze", "arm"]
    action: Literal["impose", "lift"] = "impose"

    def references(self):
        return {"patron": [self.patron]}

    def apply(self, model):
        patron = model.patron(self.patron)
        (patron.embargo_on.add if self.action == "impose" else patron.embargo_on.discard)(self.on)
        return f"{self.patron} {self.action}s embargo on {self.on}"


class ParameterChange(_Event):
    """Change model parameters from this date on (names as in data/parameters.toml)."""

    type: Literal["parameter_change"]
    params: dict[str, float]

    def apply(self, model):
        model.set_params(self.params, origin=f"event {self.label()}")
        return f"parameters changed: {self.params}"


Event = Annotated[Union[ArmsTransfer, PatronDeployment, MercenaryContract, UnitFormation, CoupConstraint,
                        Mediation, Embargo, ParameterChange], Field(discriminator="type")]
EVENT_TYPES = ("arms_transfer", "patron_deployment", "mercenary_contract", "unit_formation", "coup_constraint",
               "mediation", "embargo", "parameter_change")


def sort_events(events: list) -> list:
    """Stable order by date: same-day events keep file order (deterministic)."""
    return sorted(events, key=lambda e: e.date)
