"""Recruitment: each government's daily recruits (scaled by its legitimacy) shared among its units
by the reinforcement weights of its orders; the regime guard takes its share first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..inputs.forces import MERCENARY
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Recruitment(Mechanism):
    """Writes personnel of the units and of the regime guards."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f = model.forces
        mask = f.active & (f.kind != MERCENARY)
        weight = model.reinforce_weight * mask
        total = np.bincount(f.government, weight, minlength=len(model.governments))
        knocked_out = "guard_withheld" in model.knockouts
        # Per government in Python floats (three of them: cheaper than arrays, the same arithmetic).
        share = []
        for gov, guard, units_weight in zip(model.governments, model.gov_guard_share.tolist(), total.tolist()):
            rate = model.p[gov.recruits_param] * gov.legitimacy
            # The regime guard stays away from the front, unless it was committed (its recruits then go to the
            # front too) or that channel is knocked out (then the guard is notional: its men are at the front).
            committed = gov.guard_committed is not None
            gov.guard_personnel += rate * guard * (0.0 if committed else 1.0)
            withheld = 0.0 if committed or knocked_out else guard
            share.append(rate * (1.0 - withheld) / units_weight if units_weight > 0 else 0.0)
        f.personnel += weight * np.array(share)[f.government]
