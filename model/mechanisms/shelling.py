"""Shelling: the front's daily losses to artillery (:mod:`model.dynamics.shelling`), none under a ceasefire."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.combat import apply_losses
from ..dynamics.shelling import shelling_losses
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Shelling(Mechanism):
    """Removes the day's shelling losses and counts them as casualties (a ceasefire's incidents
    are counted by diplomacy instead)."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        if model.p["shelling_casualties"] <= 0 or model.diplomacy.in_force:
            return
        f = model.forces
        lost = apply_losses(f, shelling_losses(f, model.world.adjacency, model.p))
        model.casualties += np.bincount(f.side, lost, minlength=2)
        model.gov_casualties += np.bincount(f.government, lost, minlength=len(model.governments))
