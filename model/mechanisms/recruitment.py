"""Recruitment: each government's daily recruits (scaled by its legitimacy, and raised by mobilisation
while the enemy holds its war aims) shared among its units by the reinforcement weights of its
orders; the regime guard takes its share first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..inputs.forces import MERCENARY
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


def mobilisation(model: KarabakhWar) -> np.ndarray:
    """(G,) multiplier on each government's recruits: 1 + ``mobilisation_gain`` times the share of its
    war aims' area the enemy holds. Losses bring mobilisation: Nagorno-Karabakh declared martial law
    and general mobilisation on 13 August 1992, after the Azerbaijani summer offensive
    (universalis.fr, '9-14 aout 1992'); Azerbaijan's winter offensive of December 1993, after months of
    retreat and the loss of the districts around Nagorno-Karabakh, won ground by "sheer weight of
    numbers" (Moscow Times, Feb 1994, "Thousands of Azeris killed in offensive")."""
    return 1.0 + model.p["mobilisation_gain"] * np.array([1.0 - g.aims_held() for g in model.governments])


class Recruitment(Mechanism):
    """Writes personnel of the units and of the regime guards."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f = model.forces
        mask = f.active & (f.kind != MERCENARY)
        weight = model.reinforce_weight * mask
        total = np.bincount(f.government, weight, minlength=len(model.governments))
        rate = np.array([model.p[g.recruits_param] * g.legitimacy for g in model.governments])
        if model.p["mobilisation_gain"] > 0:
            rate *= mobilisation(model)
        # The regime guard stays away from the front, unless it was committed (its recruits then go to the
        # front too) or that channel is knocked out (then the guard is notional: its men are at the front).
        committed = np.array([g.guard_committed is not None for g in model.governments])
        for gov, extra in zip(model.governments, rate * model.gov_guard_share * ~committed):
            gov.guard_personnel += float(extra)
        at_front = committed | ("guard_withheld" in model.knockouts)
        withheld = np.where(at_front, 0.0, model.gov_guard_share)
        share = np.divide(rate * (1.0 - withheld), total, out=np.zeros_like(total), where=total > 0)
        f.personnel += weight * share[f.government]
