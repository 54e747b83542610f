"""What each page shows: a role's view (its own state exactly, the rest through the fog) and the
umpire's (everything). Pages are rendered from these dictionaries only, so a value that is not in
a role's view cannot reach that role's browser.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..inputs.history import load_timeline
from .fog import estimates, intel_rng, own_units
from .game import Game
from .roles import GOVERNMENT_ROLES, ROLES, UMPIRE

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
        "control": [{"district": w, "arm_share": round(float(s), 2)} for w, s in zip(m.world.keys, m.arm_share)],
        "turns": game.turns, "version": version(game),
        "places": {k: m.world.name(i) for i, k in enumerate(m.world.keys)},  # names in both forms, by key
    }


def version(game: Game) -> int:
    """Changes whenever a page must be rebuilt (a turn closed, a rewind): pages poll for it."""
    return game.log.count("turn_close", "rewind")


def government_state(game: Game, role: str) -> dict:
    """A government's own secrets: treasury, legitimacy, regime, the loyalty of its commanders."""
    m = game.model
    gov = m.government(role)
    f = m.forces
    mine = f.active & (f.government == gov.index)
    return {"role": role, "name": gov.name, "leader": gov.leader, "regime": getattr(gov.regime, "key", ""),
            "treasury_musd": round(float(gov.treasury_musd), 1), "legitimacy": round(float(gov.legitimacy), 2),
            "loyalty": round(float(f.loyalty[mine].mean()), 2) if mine.any() else None,
            "guard": round(float(gov.guard_personnel)), "played_by": "human" if role in game.config.human else "AI"}


def brief(game: Game, role: str) -> dict:
    """The situation as the role's staff would write it: aims and the documented recent past."""
    m = game.model
    gov = m.government(role)
    today = m.date
    timeline = load_timeline()
    recent = timeline[(timeline["date"] < today) & (timeline["date"] >= today - dt.timedelta(days=CONTEXT_DAYS))]
    return {"aims": [m.world.name(v) for v in np.flatnonzero(gov.war_aims)],  # both forms of a name
            "context": [f"{r.date}: {r.event}" for r in recent.itertuples()],
            "side": gov.side}


WORLD_CHANGES = ("inject", "override")
"""Umpire actions after which intelligence estimates are drawn afresh (a role cannot trigger them)."""


def role_view(game: Game, role: str) -> dict:
    """A government role's page: its own forces and secrets exactly, other forces as estimates."""
    gov = game.model.government(role)
    revision = game.log.count(*WORLD_CHANGES)
    rng = intel_rng(game.config.seed, game.turn, ROLES.index(role), revision)
    strategy = game.strategies.get(role)
    return {**public(game), "role": role, "gov": government_state(game, role), "brief": brief(game, role),
            "units": own_units(game.model, gov), "estimates": estimates(game.model, gov, rng, game.config.intel_noise),
            "standing": strategy.standing if strategy else {}, "has_submitted": role in game.submitted,
            "human": role in game.config.human, "messages": game.visible_messages(role),
            "recipients": [r for r in ROLES if r != role] + ["all"]}


def umpire_view(game: Game) -> dict:
    """Everything: every government's secrets and units, every order and message, the log."""
    m = game.model
    units = {role: own_units(m, m.government(role)) for role in GOVERNMENT_ROLES}
    return {**public(game), "role": UMPIRE, "govs": [government_state(game, r) for r in GOVERNMENT_ROLES],
            "units": units, "submitted_orders": game.submitted,
            "standing": {r: s.standing for r, s in game.strategies.items()},
            "messages": game.visible_messages(UMPIRE), "events": m.event_log[-20:],
            "log": game.log.entries[-30:], "human": game.config.human, "tokens": game.tokens,
            "recipients": [*GOVERNMENT_ROLES, "all"], "config": game.config.model_dump(mode="json")}
