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

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .forces import MERCENARY
from .regimes import ITEMS

if TYPE_CHECKING:
    from ..model import KarabakhWar

MAX_PERSONNEL = 200_000  # larger than any force in this war; catches typos (assumption)
MAX_EQUIPMENT = 5_000
MAX_MONEY_MUSD = 10_000
"""Largest payment or delivery of money, million USD (ten billion): far above any payment or delivery in
this war; catches typos (assumption)."""
MAX_CONTRACT_DAYS = 3650
"""Longest mercenary contract: ten years, longer than any run; catches typos (assumption)."""
MEDIATION_PRESSURE = 0.5
"""Pressure of a mediation that names none: halfway on the 0..1 scale (marked assumption; the dated
mediations of the scenarios and the patrons' policies give their own)."""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, allow_inf_nan=False)

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

    def patron_actions(self) -> list[tuple[str, str]]:
        """(patron, action of patrons.toml ``can``) pairs this event needs, for checking ``can``."""
        return []

    def apply(self, model: KarabakhWar) -> str:
        """Change the model; return a one-line log message."""
        raise NotImplementedError


def _quantity(hi: float):
    """A number, or a disputed figure as ``[low, high]`` (drawn uniformly per run)."""
    bound = Annotated[float, Field(ge=0, le=hi)]
    return bound | tuple[bound, bound]


class Equipment(BaseModel):
    """Quantities delivered or handed over.

    Disputed figures are written as ranges, e.g. ``tanks = [100, 280]``; each run
    draws a value uniformly within the range from the event's own random stream
    (see :meth:`KarabakhWar.event_rng`), so the uncertainty shows up across seeds
    instead of being fixed at one guess.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    personnel: _quantity(MAX_PERSONNEL) = 0
    tanks: _quantity(MAX_EQUIPMENT) = 0
    apcs: _quantity(MAX_EQUIPMENT) = 0
    artillery: _quantity(MAX_EQUIPMENT) = 0
    aircraft: _quantity(MAX_EQUIPMENT) = 0

    @field_validator("personnel", "tanks", "apcs", "artillery", "aircraft")
    @classmethod
    def _range_ordered(cls, value):
        """A range is [low, high]; checked per field so that the error names the field."""
        if isinstance(value, tuple) and value[0] > value[1]:
            raise ValueError(f"got [{value[0]:g}, {value[1]:g}]; expected a range [low, high] with low <= high")
        return value

    def draw(self, rng: np.random.Generator) -> dict[str, float]:
        """This run's quantities: fixed numbers as given, ranges drawn uniformly (in field order)."""
        out = {}
        for name in QUANTITIES:
            value = getattr(self, name)
            out[name] = float(value[0] + (value[1] - value[0]) * rng.random()) if isinstance(value, tuple) \
                else float(value)
        return out


QUANTITIES = ("personnel", "tanks", "apcs", "artillery", "aircraft")


def _describe(q: dict[str, float]) -> str:
    return f"{q['personnel']:.0f} men, {q['tanks']:.0f} tanks, {q['apcs']:.0f} APCs, {q['artillery']:.0f} guns"


class ArmsTransfer(_Event, Equipment):
    """Arms, men or money from a patron (or a stockpile) to a government's forces."""

    type: Literal["arms_transfer"]
    from_: str = Field(alias="from", description="patron key or 'stockpile'")
    to: str = Field(description="government key")
    money_musd: Annotated[float, Field(ge=0, le=MAX_MONEY_MUSD)] = 0
    unit: str = Field("", description="optional unit key receiving everything")

    def references(self):
        return {"patron": [self.from_] if self.from_ != "stockpile" else [], "government": [self.to],
                "unit": [self.unit] if self.unit else []}

    def patron_actions(self):
        if self.from_ == "stockpile":
            return []
        kit = any(getattr(self, q) != 0 for q in QUANTITIES)
        return [(self.from_, a) for a, needed in (("arms", kit), ("fund", self.money_musd > 0)) if needed]

    def apply(self, model):
        gov = model.government(self.to)
        if self.from_ != "stockpile":
            patron = model.patron(self.from_)
            if gov.side in patron.embargo_on:
                return f"blocked by {patron.key} embargo on {gov.side}: {self.label()}"
        rows = [model.unit_index[self.unit]] if self.unit else None
        q = self.draw(model.event_rng(self))
        if self.from_ != "stockpile":  # what a patron delivers leaves its stock (where the stock is known)
            patron.draw_stock(q)
        model.reinforce(gov, q, rows)
        if rows and self.from_ != "stockpile":  # a patron arming one unit courts its commander
            model.court_unit(rows[0], model.patron(self.from_))
        gov.treasury_musd += self.money_musd
        return f"{self.from_} -> {self.to}: {_describe(q)}, {self.money_musd:g} MUSD"


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

    def patron_actions(self):
        return [(self.patron, self.action)]

    def apply(self, model):
        patron = model.patron(self.patron)
        q = self.draw(model.event_rng(self))
        if self.action == "deploy":
            patron.deployed.append({"unit": self.unit_name, "district": self.district})
            if self.fights_for:
                model.add_patron_unit(patron, self, q)
            return f"{patron.key} deploys {self.unit_name} to {self.district}"
        patron.deployed = [d for d in patron.deployed if d.get("unit") != self.unit_name]
        model.withdraw_patron_unit(patron, self)
        if self.hand_over_to:
            model.reinforce(model.government(self.hand_over_to), q, None,
                            near=model.world.index[self.district])
        return f"{patron.key} withdraws {self.unit_name} from {self.district}" + \
            (f", hands over {_describe(q)} to {self.hand_over_to}" if self.hand_over_to else "")


class MercenaryContract(_Event):
    """A foreign contingent (a units.csv row of kind 'mercenary') enters service."""

    type: Literal["mercenary_contract"]
    unit: str
    government: str = ""
    district: str = ""
    contract_days: Annotated[int, Field(gt=0, le=MAX_CONTRACT_DAYS)] | None = None
    pay_usd_month: Annotated[float, Field(ge=0, le=100_000)] | None = None

    def references(self):
        return {"unit": [self.unit], "mercenary": [self.unit], "government": [self.government] if self.government else [],
                "district": [self.district] if self.district else []}

    def apply(self, model):
        row = model.unit_index[self.unit]
        if model.forces.kind[row] != MERCENARY:
            raise ValueError(f"unit {self.unit!r} is not a mercenary contingent")
        moved = model.activate_unit(row, district=self.district or None, government=self.government or None,
                                    behind_the_line=True)
        f = model.forces
        # A new contract is a fresh start: full cohesion, and "bled" is judged against today's strength.
        f.cohesion[row] = 1.0
        f.initial_personnel[row] = max(f.personnel[row], 1.0)
        if self.contract_days is not None:
            model.forces.contract_end_day[row] = model.day + self.contract_days
        if self.pay_usd_month is not None:
            model.forces.pay_usd_month[row] = self.pay_usd_month
        return f"mercenary contingent {self.unit} enters service" + (f" in {moved} (the enemy holds its district)"
                                                                      if moved else "")


class UnitFormation(_Event):
    """A unit of the order of battle becomes available (its ``available_from`` date)."""

    type: Literal["unit_formation"]
    unit: str

    def references(self):
        return {"unit": [self.unit]}

    def apply(self, model):
        moved = model.activate_unit(model.unit_index[self.unit], behind_the_line=True)
        return f"unit {self.unit} formed" + (f" in {moved} (the enemy holds its district)" if moved else "")


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
    """A mediator's initiative: opens a ceasefire proposal the governments decide on, or renews the
    ceasefire in force (model.actors.diplomacy)."""

    type: Literal["mediation"]
    mediator: str
    terms: str = ""
    pressure: Annotated[float, Field(ge=0, le=1)] = MEDIATION_PRESSURE

    def references(self):
        return {"patron": [self.mediator]}

    def patron_actions(self):
        return [(self.mediator, "mediate")]

    def apply(self, model):
        renewed = model.open_mediation(self.mediator, self.pressure, self.terms)
        what = "renews the ceasefire in force" if renewed else "ceasefire proposal"
        return f"{self.mediator} mediation ({what}): {self.terms or 'no terms given'}"


class Embargo(_Event):
    """A patron imposes or lifts an arms embargo on a side."""

    type: Literal["embargo"]
    patron: str
    on: Literal["aze", "arm"]
    action: Literal["impose", "lift"] = "impose"

    def references(self):
        return {"patron": [self.patron]}

    def patron_actions(self):
        return [(self.patron, "embargo")]

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


class ProfileChange(_Event):
    """Change items of the coup-proofing profile of a government's regime in power from this date
    (e.g. a paramilitary created, a purge carried out). Values 0..1 by item key (model.coup_proofing)."""

    type: Literal["profile_change"]
    government: str
    items: dict[str, Annotated[float, Field(ge=0, le=1)]]

    @model_validator(mode="after")
    def _known_items(self):
        unknown = sorted(set(self.items) - set(ITEMS))
        if unknown:
            raise ValueError(f"items: unknown {unknown}; known: {', '.join(ITEMS)}")
        return self

    def references(self):
        return {"government": [self.government]}

    def apply(self, model):
        gov = model.government(self.government)
        model.change_profile(gov, self.items)
        return f"{self.government} ({gov.regime.key}) profile changed: {self.items}"


_CLASSES = (ArmsTransfer, PatronDeployment, MercenaryContract, UnitFormation, CoupConstraint, Mediation, Embargo,
            ParameterChange, ProfileChange)
Event = Annotated[Union[_CLASSES], Field(discriminator="type")]
# Each event type with the fields a scenario file may give it (as written in the file: 'from', not 'from_').
EVENT_FIELDS = {c.model_fields["type"].annotation.__args__[0]: tuple(f.alias or n for n, f in c.model_fields.items())
                for c in _CLASSES}
EVENT_TYPES = tuple(EVENT_FIELDS)


def sort_events(events: list) -> list:
    """Stable order by date: same-day events keep file order (deterministic)."""
    return sorted(events, key=lambda e: e.date)
