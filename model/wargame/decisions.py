"""Decisions beyond attack, move and hold: what a government or a patron may decide in a turn.

Each decision is read once (a pydantic model per type: one clear message naming the field), checked
against the model of today, and carried out through the model's own paths: a scenario event through
``KarabakhWar.apply_event`` wherever an event type exists (arms, mercenary contracts, coup-proofing
practices, embargoes, deployments, mediations), otherwise a thin change of the state the model
already has (recruit weights of the strategy seam, a purge in progress, a commander replaced as
after a failed coup, a mercenary contract ended, a ceasefire answer to ``Diplomacy.answers``).

Orders take effect when the turn closes (everyone decides at once, in secret). Requests to someone
else -- arms from a patron, a ceasefire to propose through a mediator, a free-form action -- are
adjudicated instead: by the patron's player if someone plays it, else by the umpire, who decides or
sets a probability (the draw comes from a stream spawned from the game's seed, so a replay is
identical); a granted request takes effect at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ..actors.patron_orders import KIT, check_decision, event_table, refuse, to_events
from ..actors.politics import replace_commander, start_purge
from ..errors import InputError, validation_problem
from ..inputs.events import MAX_CONTRACT_DAYS, MAX_EQUIPMENT, MAX_MONEY_MUSD, MAX_PERSONNEL, MEDIATION_PRESSURE
from ..inputs.forces import MERCENARY
from ..inputs.regimes import SCREENING
from .roles import GOVERNMENT_ROLES, PATRON_ROLES, UMPIRE

if TYPE_CHECKING:
    from ..model import KarabakhWar

MAX_TEXT = 2000
"""Characters in a free-form action or the terms of a proposal (a page of text)."""
ADJUDICATION_STREAM = 0xAD1
"""Spawn key of the adjudication draws (distinct from the fog's stream)."""
PLAYER_ITEMS = (*SCREENING, "political_education", "paramilitary_counterweight", "internal_intelligence")
"""Coup-proofing practices a government may set (0..1): screening (the three items), political education,
the regime guard (paramilitary counterweight) and internal intelligence. Purges are their own order."""
MAX_RECRUIT_WEIGHT = 100
"""Largest weight of a unit in the sharing of recruits (weights are relative, a unit left out counts 1):
a hundred to one already sends nearly all recruits to one unit (assumption; a form cap)."""
CONTRACT_DAYS = 180
"""A mercenary contract's length when the order names none: half a year, a form default the player
changes (assumption; the historical scenario's dated contract runs 240 days)."""

_Men = Annotated[float, Field(ge=0, le=MAX_PERSONNEL)]
_Kit = Annotated[float, Field(ge=0, le=MAX_EQUIPMENT)]
_Money = Annotated[float, Field(ge=0, le=MAX_MONEY_MUSD)]


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Supplies(_Decision):
    """Men and equipment delivered or asked for."""
    personnel: _Men = 0
    tanks: _Kit = 0
    apcs: _Kit = 0
    artillery: _Kit = 0


class Recruits(_Decision):
    """How today's recruits are shared among the government's units (weights; a unit left out: 1)."""
    type: Literal["recruits"]
    weights: dict[str, Annotated[float, Field(ge=0, le=MAX_RECRUIT_WEIGHT)]]


class RequestArms(_Supplies):
    """Ask a patron for arms, paying ``pay_musd`` from the treasury if granted (0: a request for aid)."""
    type: Literal["request_arms"]
    patron: str
    pay_musd: _Money = 0


class Hire(_Decision):
    """Contract a mercenary contingent of units.csv (its pay per month is in the file)."""
    type: Literal["hire"]
    unit: str
    district: str
    contract_days: Annotated[int, Field(gt=0, le=MAX_CONTRACT_DAYS)] = CONTRACT_DAYS


class Dismiss(_Decision):
    """End a mercenary contract: the contingent leaves on the turn's first day."""
    type: Literal["dismiss"]
    unit: str


class Purge(_Decision):
    """Purge the officer corps: training and commanders' loyalty suffer while it lasts (purge_lag_days)."""
    type: Literal["purge"]
    intensity: Annotated[float, Field(gt=0, le=1)]


class Rotate(_Decision):
    """Replace a unit's commander: the new one starts at the unit's base loyalty, with no foreign backer."""
    type: Literal["rotate"]
    unit: str


class Reward(_Decision):
    """Reward a unit's commander (money, rank, privileges): loyalty rises by ``reward_loyalty_gain`` for
    ``reward_cost_musd`` from the treasury (:meth:`model.model.KarabakhWar.reward_commander`)."""
    type: Literal["reward"]
    unit: str


class CoupProofing(_Decision):
    """Set coup-proofing practices of the regime (0..1), e.g. create or grow the regime guard."""
    type: Literal["coup_proofing"]
    items: dict[str, Annotated[float, Field(ge=0, le=1)]]

    @field_validator("items")
    @classmethod
    def _known(cls, value):
        unknown = sorted(set(value) - set(PLAYER_ITEMS))
        if unknown or not value:
            raise ValueError(f"expected some of {', '.join(PLAYER_ITEMS)}; got {', '.join(unknown) or 'none'}")
        return value


class ProposeCeasefire(_Decision):
    """Ask a mediator to open a ceasefire proposal."""
    type: Literal["propose_ceasefire"]
    mediator: str
    terms: str = Field("", max_length=MAX_TEXT)


class Ceasefire(_Decision):
    """Accept or reject open ceasefire proposals (standing), break a ceasefire in force, or leave the
    answer to the government's own state as the model computes it (``undecided``)."""
    type: Literal["ceasefire"]
    answer: Literal["accept", "reject", "break", "undecided"]


class FreeForm(_Decision):
    """Anything else, in words: the umpire adjudicates it (and carries out its consequences)."""
    type: Literal["freeform"]
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class DeliverArms(_Supplies):
    """A patron delivers arms and men (``arms``) and money (``fund``) to a government."""
    type: Literal["deliver_arms"]
    to: str
    money_musd: _Money = 0


class EmbargoOrder(_Decision):
    """A patron imposes or lifts an arms embargo (or closes its border) on a side."""
    type: Literal["embargo"]
    on: Literal["aze", "arm"]
    action: Literal["impose", "lift"] = "impose"


class Deployment(_Supplies):
    """A patron deploys a force to a district (fighting for a government, or a neutral presence), or withdraws one."""
    type: Literal["deployment"]
    action: Literal["deploy", "withdraw"]
    unit_name: str = Field(min_length=1, max_length=200)
    district: str
    fights_for: str = ""
    hand_over_to: str = ""


class Mediate(_Decision):
    """A mediator opens a ceasefire proposal; the governments decide (the model, or their players). During a
    ceasefire the initiative renews it instead (its guarantee becomes the stronger of the two)."""
    type: Literal["mediate"]
    terms: str = Field("", max_length=MAX_TEXT)
    pressure: Annotated[float, Field(ge=0, le=1)] = MEDIATION_PRESSURE


GOVERNMENT_TYPES = (Recruits, RequestArms, Hire, Dismiss, Purge, Rotate, Reward, CoupProofing, ProposeCeasefire, Ceasefire,
                    FreeForm)
PATRON_TYPES = (DeliverArms, EmbargoOrder, Deployment, Mediate, FreeForm)
REQUESTS = ("request_arms", "propose_ceasefire", "freeform")
"""Decisions adjudicated by someone else (the patron's player or the umpire) rather than carried out."""
_TYPE = TypeAdapter(Annotated[Union[tuple(dict.fromkeys((*GOVERNMENT_TYPES, *PATRON_TYPES)))],
                              Field(discriminator="type")])  # dict.fromkeys: no duplicates, a fixed order
_NAMES = {c.model_fields["type"].annotation.__args__[0]: c for c in (*GOVERNMENT_TYPES, *PATRON_TYPES)}


def read(role: str, values: dict) -> dict:
    """A decision from a form or a file, as the dictionary that is logged; one :class:`InputError` if bad."""
    allowed = GOVERNMENT_TYPES if role in GOVERNMENT_ROLES else PATRON_TYPES
    kind = values.get("type")
    if _NAMES.get(kind) not in allowed:
        names = ", ".join(c.model_fields["type"].annotation.__args__[0] for c in allowed)
        raise InputError("decision", "type", f"{str(kind)[:40]!r} is not an order of {role}; orders: {names}")
    try:
        decision = _TYPE.validate_python(values)
    except ValidationError as exc:
        field, problem = validation_problem(exc, drop=1, fields=_NAMES[kind].model_fields)
        raise InputError("decision", f"{kind}: {field or 'value'}", problem) from None
    return decision.model_dump(exclude_defaults=False)


def adjudicator(decision: dict, human: tuple[str, ...]) -> str:
    """Who decides a request: the patron's (or mediator's) player if someone plays it, else the umpire."""
    patron = decision.get("patron") or decision.get("mediator")
    return patron if patron in PATRON_ROLES and patron in human else UMPIRE


def check(model: KarabakhWar, role: str, d: dict) -> list:
    """Check a decision against the model of today; the scenario events it becomes (checked), if any."""
    kind = where = d["type"]
    f, w = model.forces, model.world
    if role in PATRON_ROLES:  # the path the built-in patron policy takes too
        return check_decision(model, model.patron(role), d)
    gov = model.government(role)
    if kind == "recruits":
        for key in d["weights"]:
            _own_unit(model, gov, key, where)
        if not any(d["weights"].values()) and len(d["weights"]) == int((f.active & (f.government == gov.index)).sum()):
            raise InputError("decision", f"{where}: weights", "at least one unit must receive recruits")
    elif kind in ("request_arms", "propose_ceasefire"):
        patron_key = d.get("patron") or d["mediator"]
        if patron_key not in model.known_names["patron"]:
            raise InputError("decision", f"{where}: patron", f"unknown patron {patron_key[:40]!r}; known: "
                                                              f"{', '.join(sorted(model.known_names['patron']))}")
        patron, need = model.patron(patron_key), ("arms" if kind == "request_arms" else "mediate")
        if need not in patron.can:
            refuse(patron, need)
        if kind == "request_arms" and d["pay_musd"] > gov.treasury_musd:
            raise InputError("decision", f"{where}: pay_musd", f"{d['pay_musd']:g} MUSD is more than the treasury "
                                                                f"holds ({gov.treasury_musd:.1f})")
    elif kind == "hire":
        row = model.unit_index.get(d["unit"])
        if d["unit"] not in model.known_names["mercenary"] or row is None:
            raise InputError("decision", f"{where}: unit", f"{d['unit'][:60]!r} is not a mercenary contingent; "
                                                            f"contingents: {', '.join(sorted(model.known_names['mercenary']))}")
        if f.active[row]:
            raise InputError("decision", f"{where}: unit", f"{d['unit']} is already in service")
        node = w.index.get(d["district"])
        if node is None or not model.side_held[gov.side_index, node]:
            raise InputError("decision", f"{where}: district", f"{d['district'][:40]!r} is not a district your side holds")
    elif kind in ("dismiss", "rotate", "reward"):
        row = _own_unit(model, gov, d["unit"], where)
        if kind == "reward" and model.p["reward_cost_musd"] > gov.treasury_musd:
            raise InputError("decision", where, f"a reward costs {model.p['reward_cost_musd']:g} MUSD; the treasury "
                                                f"holds {gov.treasury_musd:.1f}")
        if kind == "dismiss" and f.kind[row] != MERCENARY:
            raise InputError("decision", f"{where}: unit", f"{d['unit']} is not a mercenary contingent")
        if kind in ("rotate", "reward") and model.foreign[row]:
            raise InputError("decision", f"{where}: unit", f"{d['unit']} is a patron's force")
    elif kind == "ceasefire" and d["answer"] == "break" and not model.diplomacy.in_force:
        raise InputError("decision", f"{where}: answer", "no ceasefire is in force")
    return to_events(model, _event(role, d))


def carry_out(game, role: str, d: dict) -> str:
    """Carry out an order at the close of the turn (checked again: the world may have changed); a message."""
    model = game.model
    events = check(model, role, d)
    if events:
        return "; ".join(model.apply_event(ev) for ev in events)
    kind = d["type"]
    if role in PATRON_ROLES:
        return "noted"
    gov = model.government(role)
    if kind == "recruits":
        game.strategies[role].recruit_weights = dict(d["weights"])
        return "recruits shared as ordered"
    if kind == "dismiss":
        model.forces.contract_end_day[model.unit_index[d["unit"]]] = model.day  # model.mechanisms.pay releases it
        return f"{d['unit']} dismissed"
    if kind == "purge":
        start_purge(model, gov, d["intensity"])  # as after a failed coup
        return f"purge of intensity {d['intensity']:g} under way"
    if kind == "rotate":
        row = model.unit_index[d["unit"]]
        replace_commander(model, row)  # as after a failed coup, and with no foreign backer
        model.patron_backing[row] = 0.0
        return f"commander of {d['unit']} replaced"
    if kind == "reward":
        loyalty = model.reward_commander(gov, model.unit_index[d["unit"]])
        return f"commander of {d['unit']} rewarded (loyalty {loyalty:.2f})"
    if kind == "ceasefire":
        if d["answer"] == "break":  # the war resumes; later proposals get the player's answer anew
            model.diplomacy.break_off(gov)
            model.diplomacy.answers.pop(gov.index, None)
        elif d["answer"] == "undecided":
            model.diplomacy.answers.pop(gov.index, None)
        else:
            model.diplomacy.answers[gov.index] = d["answer"] == "accept"
        return f"ceasefire: {d['answer']}"
    raise ValueError(f"{kind} is a request, adjudicated rather than carried out")


def grant(game, role: str, d: dict) -> str:
    """What a granted request does, at once; a message."""
    model = game.model
    check(model, role, d)  # the request is still possible (the treasury, the mediator, ...)
    events = to_events(model, _event(role, {**d, "type": f"granted_{d['type']}"}))
    if d["type"] == "request_arms":
        gov, patron = model.government(role), model.patron(d["patron"])
        if gov.side in patron.embargo_on:
            raise InputError("adjudicate", "request", f"{patron.key} has an embargo on {gov.side}")
        gov.treasury_musd -= d["pay_musd"]
    return "; ".join(model.apply_event(ev) for ev in events) or "granted (the umpire carries out its consequences)"


def draw(seed: int, seq: int, probability: float) -> bool:
    """A weighted-probability adjudication of the request logged as ``seq``: the same draw on every replay."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ADJUDICATION_STREAM, seq)))
    return bool(rng.random() < probability)


def _event(role: str, d: dict) -> dict | None:
    """The scenario event a decision becomes, as its table (``model/inputs/events.py``)."""
    kind = d["type"]
    if role in PATRON_ROLES:
        return event_table(role, d)
    if kind == "hire":
        return {"type": "mercenary_contract", "unit": d["unit"], "government": role, "district": d["district"],
                "contract_days": d["contract_days"]}
    if kind == "coup_proofing":
        return {"type": "profile_change", "government": role, "items": d["items"]}
    if kind == "granted_request_arms":
        return {"type": "arms_transfer", "from": d["patron"], "to": role, **{q: d[q] for q in KIT if q in d}}
    if kind == "granted_propose_ceasefire":
        return {"type": "mediation", "mediator": d["mediator"], "terms": d["terms"]}
    return None


def _own_unit(model: KarabakhWar, gov, key: str, where: str) -> int:
    row = model.unit_index.get(key)
    if row is None or model.forces.government[row] != gov.index or not model.forces.active[row]:
        raise InputError("decision", f"{where}: unit", f"{str(key)[:60]!r} is not a unit of {gov.name} on the map")
    return row
