"""What a mechanism is, and the scratchpad mechanisms share within one day."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..actors.strategy import Situation
    from ..dynamics.combat import DayResult
    from ..model import KarabakhWar

NO_LOSSES = np.zeros(2)
"""Shared, never written: no district changed holder today."""
NO_CHANGE = np.zeros(0, dtype=np.int64)
"""Shared, never written: the districts that changed holder on a quiet day (none)."""


def cohesion_by_government(model: KarabakhWar) -> np.ndarray:
    """(G,) each government's command cohesion today, in government order (index it by ``forces.government``)."""
    return np.array([g.cohesion for g in model.governments])


@dataclass
class Today:
    """What one day's mechanisms hand to the later ones (reset every day)."""

    situation: Situation | None = None  # the shared picture (combat power per unit and district)
    attack_cp: np.ndarray | None = None  # (U,) attack CP as it reaches the front (situation's, after command)
    defense_cp: np.ndarray | None = None  # (U,) defensive CP as it holds in combat (situation's, after command)
    combat: DayResult | None = None  # today's engagements
    arm_delta: np.ndarray | None = None  # change of the arm side's share per district
    districts_lost: np.ndarray = field(default_factory=lambda: NO_LOSSES)  # districts whose holder changed away from side s today
    changed: np.ndarray = field(default_factory=lambda: NO_CHANGE)  # the districts whose holder changed today
    displaced: np.ndarray = field(default_factory=lambda: NO_LOSSES)  # civilians of each nation who fled today
    advance_factor: np.ndarray | None = None  # per district: multiplier on advances today (seasons)
    exposure_factor: np.ndarray | None = None  # per district: multiplier on attackers' losses today (seasons)


class Mechanism:
    """One part of the daily cycle: built once per model (after its actors), stepped once per day."""

    def __init__(self, model: KarabakhWar) -> None:
        """Set up what the mechanism keeps between days (nothing by default)."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        """Advance this mechanism by one day."""
        raise NotImplementedError
