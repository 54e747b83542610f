"""Who plays: the three governments, the patrons and mediators, and the umpire, each reached through a
secret token.

A token is the whole credential (it travels in the join link), so it comes from
:func:`secrets.token_urlsafe` and one token gives exactly one role.
"""

from __future__ import annotations

import secrets

GOVERNMENT_ROLES = ("azerbaijan", "armenia", "nagorno_karabakh")
"""Roles that command a government of model/data/governments.toml."""
PATRON_ROLES = ("russia", "turkey", "iran", "csce_un")
"""Roles that act as a patron or mediator of model/data/patrons.toml (csce_un: the CSCE Minsk Group).
A patron nobody plays does nothing of its own (the scenario's events still happen) unless the scenario lets
it decide (mode endogenous or mixed: model.actors.patron_policy); a played patron never uses the built-in policy."""
PLAYABLE = (*GOVERNMENT_ROLES, *PATRON_ROLES)
UMPIRE = "umpire"
"""The instructor: sees everything, pauses, closes turns, injects events, adjudicates, rewinds."""
ROLES = (*PLAYABLE, UMPIRE)
TOKEN_BYTES = 24
"""32 URL-safe characters: not guessable during a class (or ever)."""


def new_tokens() -> dict[str, str]:
    """A fresh secret token for every role, the umpire's included."""
    return {role: secrets.token_urlsafe(TOKEN_BYTES) for role in ROLES}
