"""Seasons: winter in the mountains slows advances and costs attackers more.

Snow closed the high roads from November to April and slowed operations in the mountains;
the winter offensive of 1993-94 in the Kalbajar mountains lost almost as many men to
frostbite as to fire (``winter_exposure_factor``'s source). From December to February,
advances into mountain districts are multiplied by ``winter_advance_factor`` and an
attacker's losses there by ``winter_exposure_factor``; elsewhere and in other months
nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..inputs.world import TERRAINS
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar

WINTER_MONTHS = (12, 1, 2)
"""December to February: the months of deep snow at the front's altitudes (the parameter notes give the sources)."""


class Season(Mechanism):
    """Writes today's per-district advance and attacker-loss factors for :class:`Combat`."""

    def __init__(self, model: KarabakhWar) -> None:
        self.mountain = np.isin(model.world.terrain, [TERRAINS.index("mountain"), TERRAINS.index("high_mountain")])
        self.neutral = np.ones(model.world.n)

    def step(self, model: KarabakhWar, today: Today) -> None:
        if model.date.month in WINTER_MONTHS:
            p = model.p
            today.advance_factor = np.where(self.mountain, p["winter_advance_factor"], 1.0)
            today.exposure_factor = np.where(self.mountain, p["winter_exposure_factor"], 1.0)
        else:
            today.advance_factor = today.exposure_factor = self.neutral
