"""Patron decisions: on the first day of each month, every patron that decides (scenario mode
``endogenous`` or ``mixed``) hands the state of the war to its strategy; each decision is checked and
carried out as a scenario event (:mod:`model.actors.patron_orders`), and logged with the state that
triggered it. In ``scheduled`` mode (the default) nothing happens here, and nothing is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..actors.patron_orders import KIT, action, check_decision
from ..errors import InputError
from ..actors.patron_policy import war_state
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar

def quantity(d: dict) -> dict[str, float]:
    """What a decision moves: men, equipment, money or a mediator's pressure (non-zero values only)."""
    values = {q: d.get(q, 0.0) for q in (*KIT, "money_musd", "pressure")}
    return {k: float(v) for k, v in values.items() if v}


class PatronDecisions(Mechanism):
    """The monthly decision of the patrons that decide (model.actors.patron_policy)."""

    def __init__(self, model: KarabakhWar) -> None:
        self._deciding = [p for p in model.patrons if p.mode != "scheduled"]

    def step(self, model: KarabakhWar, today: Today) -> None:
        if not self._deciding or model.date.day != 1:
            return
        state = war_state(model)
        for patron in self._deciding:  # every deciding patron has a strategy (model.py, the wargame)
            for d in patron.strategy.decide(model, patron, state):
                try:
                    events = check_decision(model, patron, d)
                except InputError:  # a scenario narrowed `can`, or the stock ran out: the rules keep to it
                    continue
                # Numbered per patron: each patron's draws come from its own streams, so adding or removing
                # another patron (or its decisions) leaves them as they were (common random numbers).
                n = sum(x["patron"] == patron.key for x in model.patron_decisions)
                messages = [model.apply_event(ev, stream=f"patron_decision|{patron.key}|{n}") for ev in events]
                target = d.get("to") or d.get("on") or d.get("district") or ""
                model.patron_decisions.append({
                    "date": str(model.date), "patron": patron.key,
                    "action": action(d),
                    "target": target, "quantity": quantity(d), "trigger": d.get("trigger", ""),
                    "result": "; ".join(messages)})
