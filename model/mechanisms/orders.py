"""Orders: the day's shared picture, diplomacy, and each government's orders, checked and applied.

Governments decide every ``decision_interval_days``; governments that share a batch-capable
strategy (the built-in AI) decide in one call. While a ceasefire holds nobody attacks
(incidents are counted as violations by :mod:`model.actors.diplomacy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..actors.politics import refuses_orders
from ..dynamics.cover import spared_against_pressure
from ..inputs.world import FULL
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..actors.agents import Government
    from ..actors.strategy import Orders as OrderSet
    from ..actors.strategy import Situation
    from ..model import KarabakhWar


class Orders(Mechanism):
    """Diplomacy decides open proposals; strategies give orders; legal orders are applied."""

    def __init__(self, model: KarabakhWar) -> None:
        self.adjacent = model.world.adjacency > 0
        self.moved: list[int] = []  # rows of the units moved by the orders applied today (decide resets it)

    def step(self, model: KarabakhWar, today: Today) -> None:
        situation = today.situation = model.situation()
        model.diplomacy.step(situation)
        if model.day % max(int(model.p["decision_interval_days"]), 1) == 0 and self.decide(model, situation):
            # units moved: their combat power where they now stand
            today.situation = model.situation(since=situation, moved=self.moved)
        if model.diplomacy.in_force:
            model.forces.target[:] = -1
        elif model.p["relief_moves_in"] > 0:  # off: no count, the model as before
            relieved = self.relieve(model, today.situation)
            if relieved:
                today.situation = model.situation(since=today.situation, moved=relieved)

    def relieve(self, model: KarabakhWar, situation: Situation) -> list[int]:
        """Units ordered to attack a neighbouring district their side holds (a counter-attack into a contested
        district) move into it, as many as their own district can spare (``base_cover``, the rule for the
        occupation of a captured district: :mod:`model.dynamics.cover`); there they defend it and fight on
        as a local counter-attack. Returns the rows of the units moved (rough roads as for any move).

        Why: a holder's reserves relieved a threatened sector of their own line instead of attacking it
        from outside. Without it the Karabakh side's reserves counter-attacked a contested NKAO district from
        next door while its defence stood at a few hundred men, so Azerbaijani attacks at 1.25-1.4:1 took
        Martuni on 13 February 1993 and lost it two days later (seed 0, stop 45: docs/notes/capture_order.md),
        and about half of the model's changes of holder were undone within 60 days, none of the record's."""
        f = model.forces
        tg = np.maximum(f.target, 0)
        ordered = f.active & (f.target >= 0) & (f.target != f.node) & model.side_held[f.side, tg]
        if not np.count_nonzero(ordered):
            return []
        kept = spared_against_pressure(f.side.astype(np.int64), f.node, ordered, situation.defense_cp,
                                       situation.stand_cp, model.world.adjacency, model.p["base_cover"])
        rows = np.flatnonzero(ordered & kept)
        movers = rows[self.over_rough_roads(model, rows, np.arange(len(rows)), f.target[rows])]
        for row in movers.tolist():
            model.units[row].place(int(f.target[row]))
        return movers.tolist()

    def decide(self, model: KarabakhWar, situation: Situation) -> int:
        """Ask every strategy for orders, then check and apply them; return how many units moved (their rows:
        ``self.moved``)."""
        groups: dict[int, list[Government]] = {}
        for gov in model.governments:
            groups.setdefault(id(gov.strategy), []).append(gov)
        self.moved = []
        moved = 0
        for govs in groups.values():
            strategy = govs[0].strategy
            if hasattr(strategy, "decide_many"):
                orders = strategy.decide_many(model, govs, situation)
                moved += self.apply(model, orders, [g.index for g in govs])
            else:
                for gov in govs:
                    moved += self.apply(model, strategy.decide(model, gov, situation), [gov.index])
        return moved

    @staticmethod
    def over_rough_roads(model: KarabakhWar, rows: np.ndarray, movers: np.ndarray, move_to: np.ndarray) -> np.ndarray:
        """The ``movers`` (positions in ``rows``) that arrive today: a move along a mountain track or pass
        (roads.csv) is made on a given day with probability ``rough_move_factor``, else the unit stays and
        may try again (a track takes longer than a road; the Omar pass in the snow). At 1, and on days when no
        mover crosses such a link, no draw is made."""
        factor = model.p["rough_move_factor"]
        if factor >= 1.0 or len(movers) == 0:
            return movers
        rough = model.world.rough_adjacency[model.forces.node[rows[movers]], move_to[movers]] > 0
        if not rough.any():
            return movers
        return movers[~rough | (model.rng.random(len(movers)) < factor)]

    def apply(self, model: KarabakhWar, orders: OrderSet, government_indices: list[int]) -> int:
        """Check orders against the map, then apply them: a unit may attack its own district
        (if contested) or a neighbour not fully held by its side, and move to a neighbour its
        side holds; anything else is ignored (the unit holds). A unit whose relieved commander took it
        off the front obeys none (:func:`~model.actors.politics.refuses_orders`). Returns the number of moves
        (the units' rows are added to ``self.moved``)."""
        f, w = model.forces, model.world
        rows = np.asarray(orders.units, dtype=np.int64)
        if len(rows) == 0:
            return 0
        obeys = ~refuses_orders(model)[rows] if np.count_nonzero(model.off_front) else True  # most runs: everyone obeys
        if orders.trusted and not model.check_all_orders:
            # Built-in AI: legal by construction (tests run it with check_all_orders=True to prove it).
            everyone = obeys is True  # no unit refuses (most days of most runs): no masking
            f.target[rows] = orders.target if everyone else np.where(obeys, orders.target, -1)
            movers = (orders.move_to >= 0 if everyone else (orders.move_to >= 0) & obeys).nonzero()[0]
            movers = self.over_rough_roads(model, rows, movers, orders.move_to)
            for i in movers:
                model.units[rows[i]].place(int(orders.move_to[i]))
            self.moved += rows[movers].tolist()
            model.reinforce_weight[rows] = orders.reinforce
            return len(movers)
        allowed = np.zeros(len(model.governments), dtype=bool)
        allowed[government_indices] = True
        if not allowed[f.government[rows]].all():
            raise ValueError("orders include units of a government the strategy does not command")
        here, side = f.node[rows], f.side[rows]
        tgt = np.asarray(orders.target, dtype=np.int64)
        valid_t = (tgt >= 0) & (tgt < w.n)
        t = np.where(valid_t, tgt, 0)
        ok_t = valid_t & (self.adjacent[here, t] | (t == here)) & (model.side_share[side, t] < FULL) & obeys
        f.target[rows] = np.where(ok_t, tgt, -1)
        mv = np.asarray(orders.move_to, dtype=np.int64)
        valid_m = (mv >= 0) & (mv < w.n)
        m = np.where(valid_m, mv, 0)
        ok_m = valid_m & self.adjacent[here, m] & model.side_held[side, m] & (f.target[rows] < 0) & obeys
        movers = self.over_rough_roads(model, rows, np.flatnonzero(ok_m), mv)
        for i in movers:
            model.units[rows[i]].place(int(mv[i]))
        self.moved += rows[movers].tolist()
        model.reinforce_weight[rows] = np.maximum(np.asarray(orders.reinforce, dtype=float), 0.0)
        model.rejected_orders += int((tgt >= 0).sum() - ok_t.sum() + (mv >= 0).sum() - len(movers))
        return len(movers)
