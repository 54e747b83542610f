"""A patron's decision, checked and turned into the scenario events that carry it out.

One path for every patron decision, whoever takes it: a wargame player's order
(:mod:`model.wargame.decisions`) or the built-in policy (:mod:`model.actors.patron_policy`). A decision
is a table in the wargame's format (``deliver_arms``, ``embargo``, ``deployment``, ``mediate``); it
is checked against the patron's ``can`` list, its stock and its deployed forces, then becomes the
same event a scenario file would schedule, applied through ``KarabakhWar.apply_event``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InputError
from ..inputs.patrons import cannot
from ..inputs.scenario import check_event_references, parse_events

if TYPE_CHECKING:
    from .agents import Patron
    from ..model import KarabakhWar

KIT = ("personnel", "tanks", "apcs", "artillery")
"""What a delivery or a deployment counts (the fields of a decision)."""
NEEDS = {"deliver_arms": "arms", "embargo": "embargo", "deploy": "deploy", "withdraw": "withdraw", "mediate": "mediate"}
"""The patrons.toml ``can`` action each patron order needs (a deployment: its own action, deploy or withdraw);
also the action the log of patron decisions names (:func:`action`)."""


def action(d: dict) -> str | None:
    """The ``can`` action of a patron order (None for a free-form action, which the umpire adjudicates)."""
    return NEEDS.get(d.get("action") if d["type"] == "deployment" else d["type"])


def refuse(patron: Patron, action: str) -> None:
    """A decision the patron's ``can`` list does not allow: one input error."""
    raise InputError("decision", patron.key, cannot(patron.key, action, patron.can))


def check_decision(model: KarabakhWar, patron: Patron, d: dict) -> list:
    """Check a patron's decision against the model of today; the scenario events it becomes."""
    kind = where = d["type"]
    need = action(d)
    if kind == "deliver_arms":
        need = "arms" if any(d[q] for q in KIT) else "fund"
        if need == "fund" and not d["money_musd"]:
            raise InputError("decision", where, "nothing to deliver: give men, equipment or money")
        if d["money_musd"] and "fund" not in patron.can:
            refuse(patron, "fund")
        short = [q for q in KIT if q in patron.arms_stock and d[q] > patron.arms_stock[q] + 1e-9]
        if short:
            raise InputError("decision", f"{where}: {short[0]}", f"{d[short[0]]:g} is more than {patron.key}'s stock "
                                                                  f"({patron.arms_stock[short[0]]:g} left)")
    if need and need not in patron.can:
        refuse(patron, need)
    if kind == "deployment" and d["action"] == "withdraw" and \
            d["unit_name"] not in [x.get("unit") for x in patron.deployed]:
        raise InputError("decision", f"{where}: unit_name", f"{patron.key} has no force named "
                                                             f"{d['unit_name'][:60]!r} deployed")
    return to_events(model, event_table(patron.key, d))


def event_table(patron: str, d: dict) -> dict | None:
    """The scenario event a patron's decision becomes, as its table (``model/inputs/events.py``)."""
    kind = d["type"]
    kit = {q: d[q] for q in KIT if q in d}
    if kind == "deliver_arms":
        return {"type": "arms_transfer", "from": patron, "to": d["to"], "money_musd": d["money_musd"], **kit}
    if kind == "embargo":
        return {"type": "embargo", "patron": patron, "on": d["on"], "action": d["action"]}
    if kind == "deployment":
        return {"type": "patron_deployment", "patron": patron, **{k: d[k] for k in (
            "action", "unit_name", "district", "fights_for", "hand_over_to")}, **kit}
    if kind == "mediate":
        return {"type": "mediation", "mediator": patron, "terms": d["terms"], "pressure": d["pressure"]}
    return None


def to_events(model: KarabakhWar, table: dict | None) -> list:
    """The event of ``table`` dated today, its names checked against the model (none for None)."""
    if table is None:
        return []
    events = parse_events("decision", [{**table, "date": str(model.date)}])
    for ev in events:
        check_event_references(ev, model.known_names, "decision", model.war_scenario.exclude_units)
    return events
