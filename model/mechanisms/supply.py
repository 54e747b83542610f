"""Supply: each unit's supply moves toward what its district's links to its side's sources allow
(:mod:`model.dynamics.supply`); the targets are recomputed only when a holder changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..dynamics.supply import supply_targets, update_supply
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Supply(Mechanism):
    """Owns the supply target per side and district."""

    def __init__(self, model: KarabakhWar) -> None:
        self.version = model.control_version
        self.target = supply_targets(model.world, model.held_by_arm, model.p["airlift_supply_cap"])

    def step(self, model: KarabakhWar, today: Today) -> None:
        if model.control_version != self.version:
            self.version = model.control_version
            self.target = supply_targets(model.world, model.held_by_arm, model.p["airlift_supply_cap"])
        f, p = model.forces, model.p
        update_supply(f.supply, self.target[f.side, f.node], p["supply_recovery_per_day"], p["supply_decay_per_day"])
