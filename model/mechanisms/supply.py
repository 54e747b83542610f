"""Supply: each unit's supply moves toward what its district's links to its side's sources allow
(:mod:`model.dynamics.supply`), less what a neighbouring patron's closed border takes from the
blockaded side (:func:`blockade`); the targets are recomputed only when a holder changes or, with
``winter_closure`` on, when the snow closes or opens a road (``World.open_edges``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.supply import supply_targets, update_supply
from ..inputs.world import SIDES
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Supply(Mechanism):
    """Owns the supply target per side and district."""

    def __init__(self, model: KarabakhWar) -> None:
        self.version = model.control_version
        self.edges = self.roads(model)
        self.target = supply_targets(model.world, model.held_by_arm, model.p["airlift_supply_cap"], self.edges)
        self.keep: list[float] | None = None  # the blockade of self.blockaded (None: not computed yet)
        self.blockaded = self.target  # self.target with the blockade applied

    def step(self, model: KarabakhWar, today: Today) -> None:
        f, p = model.forces, model.p
        keep = blockade(model.patrons)
        edges = self.roads(model)
        if model.control_version != self.version or keep != self.keep or edges is not self.edges:
            if model.control_version != self.version or edges is not self.edges:  # a holder or the snow
                self.version, self.edges = model.control_version, edges
                self.target = supply_targets(model.world, model.held_by_arm, p["airlift_supply_cap"], edges)
            self.keep = keep
            self.blockaded = self.target if keep == [1.0] * len(keep) else self.target * np.array(keep)[:, None]
        update_supply(f.supply, self.blockaded[f.side, f.node], p["supply_recovery_per_day"], p["supply_decay_per_day"])

    @staticmethod
    def roads(model: KarabakhWar) -> np.ndarray:
        """The roads a supply line can use today: all of them, or with ``winter_closure`` on those the snow
        leaves open this month (roads.csv ``closed_months``)."""
        return model.world.open_edges(model.date.month) if model.p["winter_closure"] else model.world.edges


def blockade(patrons) -> list[float]:
    """Share of its supply each side (aze, arm) keeps while patrons close their borders to it: a patron's
    embargo on a side takes its ``blockade_supply_loss`` (Turkey's closure of April 1993 cut the Kars-Gyumri
    railway; data/patrons.toml). Only the blockaded side is touched. A list of Python floats (the same products
    as in an array, without numpy per element): Supply compares it with yesterday's every day."""
    keep = [1.0] * len(SIDES)
    for patron in patrons:
        if patron.blockade_supply_loss:
            for side in sorted(patron.embargo_on):
                keep[SIDES.index(side)] *= 1.0 - patron.blockade_supply_loss
    return keep
