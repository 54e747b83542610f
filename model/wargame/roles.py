"""Who plays: the three governments and the umpire, each reached through a secret token.

A token is the whole credential (it travels in the join link), so it comes from
:func:`secrets.token_urlsafe` and one token gives exactly one role.
"""

from __future__ import annotations

import secrets

GOVERNMENT_ROLES = ("azerbaijan", "armenia", "nagorno_karabakh")
"""Roles that command a government of model/data/governments.toml (patrons come later)."""
UMPIRE = "umpire"
"""The instructor: sees everything, pauses, closes turns, injects events, rewinds."""
ROLES = (*GOVERNMENT_ROLES, UMPIRE)
TOKEN_BYTES = 24
"""32 URL-safe characters: not guessable during a class (or ever)."""


def new_tokens() -> dict[str, str]:
    """A fresh secret token for every role, the umpire's included."""
    return {role: secrets.token_urlsafe(TOKEN_BYTES) for role in ROLES}
