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
        for gov, extra in zip(model.governments, rate * model.gov_guard_share):
            gov.guard_personnel += float(extra)  # the regime guard stays away from the front...
        # ... unless that channel is knocked out (then it is notional)
        withheld = 0.0 if "guard_withheld" in model.knockouts else model.gov_guard_share
        share = np.divide(rate * (1.0 - withheld), total, out=np.zeros_like(total), where=total > 0)
        f.personnel += weight * share[f.government]
