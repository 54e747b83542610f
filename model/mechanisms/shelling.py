"""Shelling: the front's daily losses to artillery (:mod:`model.dynamics.shelling`), none under a ceasefire."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dynamics.shelling import shelling_losses
from .base import Mechanism, Today
from .combat import count_losses

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Shelling(Mechanism):
    """Removes the day's shelling losses and counts them as casualties (a ceasefire's incidents
    are counted by diplomacy instead)."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        if model.p["shelling_casualties"] <= 0 or model.diplomacy.in_force:
            return
        count_losses(model, shelling_losses(model.forces, model.world.adjacency, model.p))
