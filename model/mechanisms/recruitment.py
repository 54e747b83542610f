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
        rate = np.array([model.p[g.recruits_param] * g.legitimacy for g in model.governments])
        # The regime guard stays away from the front, unless it was committed (its recruits then go to the
        # front too) or that channel is knocked out (then the guard is notional: its men are at the front).
        committed = np.array([g.guard_committed is not None for g in model.governments])
        for gov, extra in zip(model.governments, rate * model.gov_guard_share * ~committed):
            gov.guard_personnel += float(extra)
        at_front = committed | ("guard_withheld" in model.knockouts)
        withheld = np.where(at_front, 0.0, model.gov_guard_share)
        share = np.divide(rate * (1.0 - withheld), total, out=np.zeros_like(total), where=total > 0)
        f.personnel += weight * share[f.government]
