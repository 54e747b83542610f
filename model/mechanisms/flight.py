"""Civilian flight from shelling (:mod:`model.dynamics.flight`), none under a ceasefire; counted
in ``displaced`` and separately in ``displaced_front``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.flight import shelling_flight
from ..dynamics.shelling import incoming_fire
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class CivilianFlight(Mechanism):
    """Moves the day's fleeing exposed civilians into the displaced (after ``Control``, so that
    those who fled a capture today are not counted twice)."""

    def __init__(self, model: KarabakhWar) -> None:
        # The civilians in artillery range of any line, by nation and district (a stock that flight empties),
        # in the districts of the Azerbaijan SSR only: the documented ranges of displaced persons
        # (calibration/targets.toml) count people from there; villages of Armenia's border rayons were
        # shelled and emptied too (65,000-72,000 internally displaced by the Government of Armenia's estimate
        # via IDMC), but no target counts them, so they are left out (an underestimate of the war's displaced,
        # said in the README's "where it falls short"; docs/notes/displacement_sources.md, "Stop 59").
        self.exposed = model.civilians * model.p["exposed_fraction"] * (model.world.azssr_area > 0)

    def step(self, model: KarabakhWar, today: Today) -> None:
        rate = model.p["shelling_flight_rate"]
        if rate <= 0 or model.diplomacy.in_force:
            return
        np.minimum(self.exposed, model.civilians, out=self.exposed)  # captures since took their share
        incoming, men = incoming_fire(model.forces, model.world.adjacency)
        fled = shelling_flight(self.exposed, incoming, men, rate)
        if not np.count_nonzero(fled):  # (cheaper than fled.any() on floats)
            return
        self.exposed -= fled
        model.civilians -= fled
        by_nation = fled.sum(axis=1)
        model.displaced = model.displaced + by_nation
        model.displaced_front = model.displaced_front + by_nation
        if today is not None:
            today.displaced = today.displaced + by_nation
