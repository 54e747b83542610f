"""How patrons decide: the patron strategy seam, the state of the war they see, and the built-in rules.

A patron whose scenario mode is ``endogenous`` or ``mixed`` (:data:`model.inputs.patrons.MODES`)
decides on the first day of each month (:class:`model.mechanisms.patrons.PatronDecisions`). Its
:class:`PatronStrategy` -- the built-in :class:`PatronPolicy`, or a wargame player (:class:`PlayerPatron`:
the player's orders arrive through the wargame's turn instead) -- turns a :class:`WarState` into
decisions in the wargame's format, which take the one path of :mod:`model.actors.patron_orders`
(``can``, stock and deployed forces checked; carried out as scenario events).

Each rule below reads only the patron's policy parameters (``[<patron>.policy]`` in
``model/data/patrons.toml``, each with its source or marked assumption in ``policy_sources``; a
scenario may override them) and the state of the war; docs/ODD.md ("Patrons") gives the sources.
No draw is made: the rules are deterministic functions of the state, so a patron's decisions differ
between two runs only where the war did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import InputError
from ..inputs.world import REGIONS
from .patron_orders import KIT

if TYPE_CHECKING:
    from .agents import Patron
    from ..model import KarabakhWar

WINDOW_DAYS = 30
"""A patron looks at the month behind it (its decisions are monthly)."""
IRAN_CAMP = "Iranian border reinforcement and refugee camps"
"""The name of the force Iran's rules deploy at the Araks (``camp_district``): deployed once, it is
recognised by this name (seed 002: Iran reinforced the border and received refugees, autumn 1993)."""


@dataclass(frozen=True)
class WarState:
    """What a patron sees on its decision day: the month behind and the state today."""

    date: dt.date
    captures: tuple[dict, ...]  # changes of holder in the last WINDOW_DAYS (model.captures entries)
    gained_km2: np.ndarray  # (2,) km² each side (aze, arm) gained in the window (negative: lost)
    casualties: np.ndarray  # (2,) military casualties of each side in the window
    alignment_russia: dict[str, float]  # each government's leadership's alignment with Moscow (-1..1)
    ceasefire: bool  # a ceasefire is in force
    last_mediation: dict[str, dt.date]  # each mediator's latest initiative (scheduled or decided)
    decided_mediation: dict[str, dt.date] = field(default_factory=dict)  # ... of those, the decided ones only

    def taken(self, side: str) -> list[dict]:
        """Captures of the window by ``side`` ('aze' or 'arm')."""
        return [c for c in self.captures if c["to"] == side]

    def lost(self, side: str) -> int:
        """Districts ``side`` lost in the window."""
        return sum(c["from"] == side for c in self.captures)

    def days_since_mediation(self, mediators, decided_only: bool = False) -> float:
        """Days since the latest initiative of any of ``mediators`` (inf if none yet); with
        ``decided_only``, only initiatives decided in the run count, not the dated ones."""
        last = self.decided_mediation if decided_only else self.last_mediation
        dates = [last[m] for m in mediators if m in last]
        return (self.date - max(dates)).days if dates else float("inf")


def war_state(model: KarabakhWar, window: int = WINDOW_DAYS) -> WarState:
    """The state of the war today and over the last ``window`` days."""
    today, back = model.date, max(model.day - window, 0)
    since = today - dt.timedelta(days=window)
    area = model.world.area_km2
    arm_gain = float(area @ (model.control_history[model.day] - model.control_history[back]))
    last: dict[str, dt.date] = {}
    for m in model.mediations:
        last[m["mediator"]] = dt.date.fromisoformat(m["date"])
    decided = {d["patron"]: dt.date.fromisoformat(d["date"]) for d in model.patron_decisions if d["action"] == "mediate"}
    return WarState(
        date=today,
        captures=tuple(c for c in model.captures if dt.date.fromisoformat(c["date"]) > since),
        gained_km2=np.array([-arm_gain, arm_gain]),
        casualties=model.casualty_history[model.day] - model.casualty_history[back],
        alignment_russia={g.key: g.alignment_russia for g in model.governments},
        ceasefire=model.diplomacy.in_force, last_mediation=last, decided_mediation=decided)


class PatronStrategy(Protocol):
    """Anything that turns the state of the war into a patron's decisions for the month."""

    def decide(self, model: KarabakhWar, patron: Patron, state: WarState) -> list[dict]: ...


class PlayerPatron:
    """A patron played by a human in the wargame: its orders come through the turn
    (:mod:`model.wargame.decisions`), so the monthly decision adds nothing."""

    def decide(self, model: KarabakhWar, patron: Patron, state: WarState) -> list[dict]:
        return []


def deliver(to: str, trigger: str, money_musd: float = 0.0, **kit: float) -> dict:
    """A ``deliver_arms`` decision (men, equipment, money) with the state that triggered it."""
    return {"type": "deliver_arms", "to": to, "money_musd": money_musd, **{q: kit.get(q, 0.0) for q in KIT},
            "trigger": trigger}


def embargo(on: str, trigger: str, action: str = "impose") -> dict:
    return {"type": "embargo", "on": on, "action": action, "trigger": trigger}


def mediate(terms: str, pressure: float, trigger: str) -> dict:
    return {"type": "mediate", "terms": terms, "pressure": float(np.clip(pressure, 0.0, 1.0)), "trigger": trigger}


def deployment(action: str, unit_name: str, district: str, trigger: str, **kit: float) -> dict:
    return {"type": "deployment", "action": action, "unit_name": unit_name, "district": district,
            "fights_for": "", "hand_over_to": "", **{q: kit.get(q, 0.0) for q in KIT}, "trigger": trigger}


def _names(captures: list[dict]) -> str:
    return ", ".join(f"{c['district']} ({c['date']})" for c in captures)


def major_captures(model: KarabakhWar, state: WarState, policy: dict) -> list[dict]:
    """Captures of the window by the arm side of districts outside the disputed core (regions in
    ``trigger_regions``), except the ``tolerated_districts`` (the Lachin corridor)."""
    regions = model.world.districts["region"]
    return [c for c in state.taken("arm") if regions.iat[model.world.index[c["district"]]] in policy["trigger_regions"]
            and c["district"] not in policy["tolerated_districts"]]


# --------------------------------------------------------------------------------------- the rules
def russia(model: KarabakhWar, patron: Patron, state: WarState, p: dict) -> list[dict]:
    """Balancing with an eye on alignment: arms to the state whose side lost much ground in the month,
    unless its leadership has turned against Moscow, more the closer it stands to Moscow; its own rival
    initiative after another mediator's; its garrisons leave governments that turn against Moscow and
    districts where fighting goes on."""
    out = []
    # In mixed mode the record's rival initiatives were already answered (or not) by Russia's own
    # dated initiatives: it answers only the initiatives decided in the run, which the record lacks.
    decided_only = patron.mode == "mixed"
    if not state.ceasefire:
        loser = int(np.argmin(state.gained_km2))  # the side that lost ground in the month (net)
        loss = -float(state.gained_km2[loser])
        for g in p["recipients"]:
            gov = model.government(g)
            alignment = state.alignment_russia[g]
            if gov.side_index != loser or loss < p["balance_min_km2"] or alignment < p["min_alignment"]:
                continue
            size = max(0.0, 1.0 + p["alignment_weight"] * alignment)
            kit = {q: min(round(p[f"tranche_{q}"] * size), patron.arms_stock.get(q, 0.0))
                   for q in ("tanks", "apcs", "artillery")}
            if any(v >= 1 for v in kit.values()):
                out.append(deliver(g, f"{g}'s side lost {loss:.0f} km² in {WINDOW_DAYS} days; its alignment "
                                      f"with Moscow {alignment:+.2f}", **kit))
        rivals = [m for m in state.last_mediation if m != patron.key]
        since_rival = state.days_since_mediation(rivals, decided_only)
        if (since_rival <= p["rival_window_days"]
                and state.days_since_mediation([patron.key]) > p["mediation_interval_days"]):
            mean_alignment = float(np.mean(list(state.alignment_russia.values())))
            out.append(mediate("Russian initiative (built-in policy)",
                               p["mediation_pressure"] + p["pressure_alignment_weight"] * max(mean_alignment, 0.0),
                               f"a rival initiative {since_rival:.0f} days ago; mean "
                               f"alignment with Moscow {mean_alignment:+.2f}"))
    fought = {c["district"] for c in state.captures}
    w = model.world
    # In mixed mode the record's withdrawals stand: a force whose withdrawal is dated (the 366th regiment
    # left Stepanakert in March 1992, the 104th division Ganja in May 1993) is not withdrawn by decision
    # before its date, which would only leave the dated event with nothing to withdraw.
    dated = {ev.unit_name for ev in model.war_scenario.events
             if ev.type == "patron_deployment" and ev.patron == patron.key and ev.action == "withdraw"} \
        if decided_only else set()
    for unit in list(patron.deployed):
        node = w.index.get(unit.get("district"))
        if node is None or unit.get("unit") in dated:
            continue
        near = {w.keys[v] for v in np.flatnonzero(w.adjacency[node] > 0)} | {w.keys[node]}
        holder = "arm" if model.held_by_arm[node] else "aze"
        hostile = [g for g in model.governments if g.side == holder and g.key in state.alignment_russia
                   and state.alignment_russia[g.key] <= p["withdraw_alignment"]]
        if hostile:
            why = f"{hostile[0].key}'s alignment with Moscow {state.alignment_russia[hostile[0].key]:+.2f}"
        elif (p["withdraw_when_fighting"] and near & fought
              and w.districts["region"].iat[node] in p["fighting_regions"]):
            why = f"fighting in or next to {unit['district']}: {', '.join(sorted(near & fought))} changed hands"
        else:
            continue
        out.append(deployment("withdraw", unit["unit"], unit["district"], why))
    return out


def turkey(model: KarabakhWar, patron: Patron, state: WarState, p: dict) -> list[dict]:
    """Support for Azerbaijan (military advisers after its losses, up to a total; endogenous mode only,
    since in mixed mode the dated advisers stand for the documented total) and the border with Armenia
    closed after an Armenian offensive beyond the disputed core."""
    out = []
    major = major_captures(model, state, p)
    if p["closes_border"] and major and "arm" not in patron.embargo_on:
        out.append(embargo("arm", f"arm side took {_names(major)}"))
    lost = state.lost("aze")
    left = p["advisers_total"] - patron.delivered.get("personnel", 0.0)  # dated advisers count too
    # In mixed mode the dated advisers event stands for the whole documented mission (its range is the
    # uncertainty of the total): more advisers by decision would double it. Only an endogenous Turkey sends them.
    if lost and left >= 1 and not state.ceasefire and patron.mode == "endogenous":
        out.append(deliver("azerbaijan", f"aze side lost {lost} district(s) in {WINDOW_DAYS} days",
                           personnel=min(p["advisers_per_tranche"], left)))
    return out


def iran(model: KarabakhWar, patron: Patron, state: WarState, p: dict) -> list[dict]:
    """Alarm when fighting reaches the Araks: forces and refugee camps at the border, and a mediation."""
    near = [c for c in state.captures if c["district"] in p["araks_districts"]]
    if not (p["araks_alarm"] and near):
        return []
    out = []
    if "deploy" in patron.can and IRAN_CAMP not in [d.get("unit") for d in patron.deployed]:
        out.append(deployment("deploy", IRAN_CAMP, p["camp_district"], f"fighting on the Araks: {_names(near)}"))
    if not state.ceasefire and state.days_since_mediation([patron.key]) > p["mediation_interval_days"]:
        out.append(mediate("Iranian initiative after fighting on the Araks (built-in policy)", p["araks_pressure"],
                           f"fighting on the Araks: {_names(near)}"))
    return out


def armenian_diaspora(model: KarabakhWar, patron: Patron, state: WarState, p: dict) -> list[dict]:
    """Money following Armenian losses (districts and casualties of the month), on top of the routine
    flow, which is a dated event in mixed mode and a monthly decision in endogenous mode."""
    routine = p["funds_musd_per_month"] if patron.mode == "endogenous" else 0.0
    lost = state.lost("arm")
    surge = p["musd_per_district_lost"] * lost + p["musd_per_1000_casualties"] * state.casualties[1] / 1000.0
    surge = surge if surge >= p["min_musd"] else 0.0
    if routine + surge <= 0:
        return []
    return [deliver(p["recipient"], f"arm side lost {lost} district(s) and {state.casualties[1]:.0f} men in "
                                    f"{WINDOW_DAYS} days", money_musd=round(routine + surge, 3))]


def csce_un(model: KarabakhWar, patron: Patron, state: WarState, p: dict) -> list[dict]:
    """An embargo request on both sides once the war escalates (the first capture), and an initiative
    (a resolution, a Minsk Group plan) after a month with a major capture, unless it took one (dated or
    decided) within ``mediation_interval_days``."""
    out = []
    if p["embargo_after_first_capture"] and model.captures:
        out += [embargo(side, f"first capture: {model.captures[0]['district']} ({model.captures[0]['date']})")
                for side in ("aze", "arm") if side not in patron.embargo_on]
    major = major_captures(model, state, p)
    if major and not state.ceasefire and state.days_since_mediation([patron.key]) > p["mediation_interval_days"]:
        out.append(mediate("demands withdrawal and a ceasefire (built-in policy)", p["capture_pressure"],
                           f"arm side took {_names(major)}"))
    return out


RULES = {"russia": russia, "turkey": turkey, "iran": iran, "armenian_diaspora": armenian_diaspora, "csce_un": csce_un}
"""The built-in rules of each patron of model/data/patrons.toml (a patron without rules decides nothing)."""


def check_policy_names(patrons, known: dict[str, set[str]], origin: str) -> None:
    """Every name in the policy of a patron that decides (a district, a region or a government) exists:
    a misspelt district would otherwise silently never trigger a rule."""
    names = known["district"] | known["government"] | set(REGIONS)
    for patron in (p for p in patrons if p.mode != "scheduled"):
        for name, value in patron.policy.items():
            for item in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
                if item not in names:
                    raise InputError(origin, f"[patrons.{patron.key}.policy] {name}",
                                     f"unknown name {item[:40]!r}; expected district, region or government keys")


class PatronPolicy:
    """The built-in patron strategy: the patron's rules of :data:`RULES` with its policy parameters."""

    def decide(self, model: KarabakhWar, patron: Patron, state: WarState) -> list[dict]:
        rule = RULES.get(patron.key)
        return rule(model, patron, state, patron.policy) if rule else []
