"""What each page shows: a role's view (its own state exactly, the rest through the fog) and the
umpire's (everything). Pages are rendered from these dictionaries only, so a value that is not in
a role's view cannot reach that role's browser.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..inputs.history import load_timeline
from .decisions import PLAYER_ITEMS
from .fog import estimates, intel_rng, own_units
from .game import Game
from .roles import GOVERNMENT_ROLES, PATRON_ROLES, PLAYABLE, ROLES, UMPIRE

CONTEXT_DAYS = 92
"""The brief recalls the documented events of about the last three months."""


def public(game: Game) -> dict:
    """What every role knows: the date, the turn, the clock, who has submitted, who holds what."""
    m = game.model
    first, last = game.turn_dates()
    return {
        "title": game.config.title or f"{m.war_scenario.name} — game {game.id}", "turn": game.turn,
        "date": str(m.date), "turn_from": str(first), "turn_to": str(last), "paused": game.paused,
        "finished": game.finished, "seconds_left": game.seconds_left(),
        "humans": len(game.config.human), "submitted": len(game.submitted),
        "ceasefire": bool(m.diplomacy.in_force), "arm_held_azssr_km2": round(m.arm_held_azssr_km2),
        "proposals": [{"mediator": pr.mediator, "terms": pr.terms} for pr in m.diplomacy.proposals],
        "embargoes": [{"patron": pt.key, "on": side} for pt in m.patrons for side in sorted(pt.embargo_on)],
        "control": [{"district": w, "arm_share": round(float(s), 2)} for w, s in zip(m.world.keys, m.arm_share)],
        "turns": game.turns, "version": version(game),
        "places": {k: m.world.name(i) for i, k in enumerate(m.world.keys)},  # names in both forms, by key
    }


def version(game: Game) -> int:
    """Changes whenever a page must be rebuilt (a turn closed, a rewind, the end): pages poll for it."""
    return game.log.count("turn_close", "rewind", "end")


def government_state(game: Game, role: str) -> dict:
    """A government's own secrets: treasury, legitimacy, regime, the loyalty of its commanders."""
    m = game.model
    gov = m.government(role)
    f = m.forces
    mine = f.active & (f.government == gov.index)
    return {"role": role, "name": gov.name, "leader": gov.leader, "regime": getattr(gov.regime, "key", ""),
            "treasury_musd": round(float(gov.treasury_musd), 1), "legitimacy": round(float(gov.legitimacy), 2),
            "loyalty": round(float(f.loyalty[mine].mean()), 2) if mine.any() else None,
            "guard": round(float(gov.guard_personnel)), "depot": round(float(gov.depot_personnel)), "played_by": "human" if role in game.config.human else "AI"}


def context(game: Game) -> list[str]:
    """The documented events of about the last three months (of the real war, not of the game)."""
    today = game.model.date
    timeline = load_timeline()
    recent = timeline[(timeline["date"] < today) & (timeline["date"] >= today - dt.timedelta(days=CONTEXT_DAYS))]
    return [f"{r.date}: {r.event}" for r in recent.itertuples()]


def brief(game: Game, role: str) -> dict:
    """The situation as the role's staff would write it: aims and the documented recent past."""
    m = game.model
    gov = m.government(role)
    return {"aims": [m.world.name(v) for v in np.flatnonzero(gov.war_aims)],  # both forms of a name
            "context": context(game), "side": gov.side}


def business(game: Game, role: str) -> dict:
    """A role's orders beyond attack/move/hold: queued, its requests and those it must answer, results."""
    return {"pending": [e for e in game.pending if e["role"] == role],
            "requests": [r for r in game.requests if r["role"] == role],
            "to_answer": [r for r in game.requests if r["by"] == role and r["status"] == "open"],
            "outcomes": [o for o in game.outcomes if o["role"] == role]}


WORLD_CHANGES = ("inject", "override")
"""Umpire actions after which intelligence estimates are drawn afresh (a role cannot trigger them)."""


def role_view(game: Game, role: str) -> dict:
    """A government role's page: its own forces and secrets exactly, other forces as estimates."""
    gov = game.model.government(role)
    revision = game.log.count(*WORLD_CHANGES)
    rng = intel_rng(game.config.seed, game.turn, ROLES.index(role), revision)
    strategy = game.strategies.get(role)
    m = game.model
    f = m.forces
    hire = [k for k in sorted(m.known_names["mercenary"]) if k in m.unit_index and not f.active[m.unit_index[k]]]
    return {**public(game), "role": role, "gov": government_state(game, role), "brief": brief(game, role),
            "units": own_units(m, gov), "estimates": estimates(m, gov, rng, game.config.intel_noise),
            "standing": strategy.standing if strategy else {}, "has_submitted": role in game.submitted,
            "human": role in game.config.human, "messages": game.visible_messages(role),
            "recipients": [r for r in ROLES if r != role] + ["all"], **business(game, role),
            "recruit_weights": strategy.recruit_weights if strategy else {},
            "practices": {k: round(gov.regime.items[k], 2) for k in PLAYER_ITEMS},
            "purging": gov.purge is not None and m.day - gov.purge[0] <= m.p["purge_lag_days"],
            "ceasefire_answer": {True: "accept", False: "reject"}.get(m.diplomacy.answers.get(gov.index), "undecided"),
            "can_hire": hire, "mercenaries": [u["key"] for u in own_units(m, gov) if u["kind"] == "mercenary"],
            "held": [k for k, held in zip(m.world.keys, m.side_held[gov.side_index]) if held],
            "patrons": [{"key": pt.key, "can": pt.can} for pt in m.patrons],
            "reward_cost": f"{m.p['reward_cost_musd']:g}"}


def patron_view(game: Game, role: str) -> dict:
    """A patron's or mediator's page: its brief and means, both sides' forces as estimates, its requests."""
    m = game.model
    pt = m.patron(role)
    rng = intel_rng(game.config.seed, game.turn, ROLES.index(role), game.log.count(*WORLD_CHANGES))
    return {**public(game), "role": role, "patron": {"name": pt.name, "alignment": pt.alignment, "can": pt.can,
                                                      "interests": pt.interests, "deployed": pt.deployed,
                                                      "embargo_on": sorted(pt.embargo_on)},
            "context": context(game),
            "estimates": estimates(m, None, rng, game.config.intel_noise,
                                   np.array([m.world.index[d["district"]] for d in pt.deployed
                                             if d.get("district") in m.world.index], dtype=np.int64)),
            "has_submitted": role in game.submitted, "human": role in game.config.human,
            "messages": game.visible_messages(role), "recipients": [r for r in ROLES if r != role] + ["all"],
            "governments": list(GOVERNMENT_ROLES), **business(game, role)}


def view(game: Game, role: str) -> dict:
    """The page of any player role."""
    return patron_view(game, role) if role in PATRON_ROLES else role_view(game, role)


def umpire_view(game: Game) -> dict:
    """Everything: every government's secrets and units, every order and message, the log."""
    m = game.model
    units = {role: own_units(m, m.government(role)) for role in GOVERNMENT_ROLES}
    return {**public(game), "role": UMPIRE, "govs": [government_state(game, r) for r in GOVERNMENT_ROLES],
            "units": units, "submitted_orders": game.submitted,
            "standing": {r: s.standing for r, s in game.strategies.items()},
            "messages": game.visible_messages(UMPIRE), "events": m.event_log[-20:],
            "log": game.log.entries[-30:], "human": game.config.human, "tokens": game.tokens,
            "recipients": [*PLAYABLE, "all"], "config": game.config.model_dump(mode="json"),
            "pending": game.pending, "requests": game.requests, "outcomes": game.outcomes[-40:],
            "turn_minutes": game.turn_minutes}
