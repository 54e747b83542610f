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
    """Writes today's per-district advance and attacker-loss factors for :class:`Combat` in winter;
    none (the kernel's default of 1) in other months."""

    def __init__(self, model: KarabakhWar) -> None:
        self.mountain = np.isin(model.world.terrain, [TERRAINS.index("mountain"), TERRAINS.index("high_mountain")])
        self._winter: tuple[tuple[float, float], np.ndarray, np.ndarray] | None = None

    def step(self, model: KarabakhWar, today: Today) -> None:
        if model.date.month in WINTER_MONTHS:
            today.advance_factor, today.exposure_factor = self.winter_factors(model.p)

    def winter_factors(self, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(advance, exposure) factors per district in winter; rebuilt only when their parameters change
        (read-only: every winter day shares them)."""
        key = (p["winter_advance_factor"], p["winter_exposure_factor"])
        if self._winter is None or self._winter[0] != key:
            factors = [np.where(self.mountain, value, 1.0) for value in key]
            for a in factors:
                a.flags.writeable = False
            self._winter = (key, *factors)
        return self._winter[1], self._winter[2]
