"""How governments decide: the strategy interface, the built-in AI and an external seam.

Every government holds a :class:`Strategy`. Each decision day the model hands it
a :class:`Situation` (what the government's staff can see, computed once per day
for everyone) and receives :class:`Orders` for that government's units: which
district each unit attacks, where it moves, and how today's recruits are shared.
The built-in AI is vectorised; :class:`ExternalStrategy` lets a human player
(the classroom wargame) or a test submit orders from outside between turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .forces import MILITIA

if TYPE_CHECKING:
    from .agents import Government
    from .model import KarabakhWar


@dataclass(frozen=True)
class Situation:
    """The shared picture of the day, computed once by the model."""

    day: int
    arm_share: np.ndarray  # (N,) share held by the arm side
    held_by_arm: np.ndarray  # (N,) bool
    attack_cp: np.ndarray  # (U,) CP of each unit when attacking
    stand_cp: np.ndarray  # (2, N) defensive CP of each side standing in each district
    control_version: int  # increments whenever any district changes holder


@dataclass
class Orders:
    """Orders for one government's units (rows of the Forces arrays).

    ``target[i] = v`` attacks district v (the unit's own district or a neighbour),
    -1 holds; ``move_to[i] = w`` moves to neighbouring district w held by the
    unit's side, -1 stays; ``reinforce`` weights the split of today's recruits.
    """

    units: np.ndarray
    target: np.ndarray
    move_to: np.ndarray
    reinforce: np.ndarray

    @classmethod
    def hold(cls, units: np.ndarray) -> Orders:
        """Everyone holds position; recruits shared equally."""
        n = len(units)
        return cls(units, np.full(n, -1, np.int64), np.full(n, -1, np.int64), np.ones(n))


class Strategy(Protocol):
    """Anything that turns a situation into orders for one government."""

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders: ...


class BuiltinAI:
    """A greedy, vectorised staff: attack where the local force ratio and war aims favour it,
    pull idle rear units toward the most threatened front, send recruits where units are weakest.
    """

    def __init__(self):
        self._route_cache: dict[tuple[int, int, int], np.ndarray] = {}
        self._axis: dict[int, tuple[int, int]] = {}  # government index -> (target district, chosen on day)

    def _staging(self, model, government, situation, own_share, held, enemy_stand) -> int:
        """The own district from which the current offensive axis is attacked (-1 if none).

        The axis is the frontier district in the war aims (or, failing that, any)
        with the weakest defence per unit of value; it is kept for
        ``offensive_axis_days`` unless taken, so that forces mass instead of dithering.
        """
        w, p = model.world, model.p
        src, dst = w.edges[:, 0], w.edges[:, 1]
        frontier = np.zeros(w.n, dtype=bool)
        frontier[dst[held[src]]] = True
        frontier &= own_share < 0.999
        axis, since = self._axis.get(government.index, (-1, -10**9))
        if axis < 0 or not frontier[axis] or situation.day - since >= p["offensive_axis_days"]:
            value = np.where(government.war_aims, 1.0, p["opportunism"])
            score = np.where(frontier, value / np.maximum(enemy_stand, 1.0), -1.0)
            axis = int(np.argmax(score))
            if score[axis] <= 0:
                return -1
            self._axis[government.index] = (axis, situation.day)
        bases = src[(dst == axis) & held[src]]
        if len(bases) == 0:
            return -1
        own_cp = situation.stand_cp[government.side_index]
        return int(bases[np.argmax(own_cp[bases])])

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders:
        """Orders for this government's active units (see class docstring)."""
        f, w, p = model.forces, model.world, model.p
        s = government.side_index
        units = np.flatnonzero(f.active & (f.government == government.index))
        orders = Orders.hold(units)
        if len(units) == 0:
            return orders
        own_share = situation.arm_share if s == 1 else 1.0 - situation.arm_share
        enemy_stand = situation.stand_cp[1 - s]
        nodes = f.node[units]

        # --- attacks: best target per district the government's units stand in.
        own_att = np.bincount(nodes, situation.attack_cp[units], minlength=w.n) * p["offensive_commitment"]
        e_src, e_dst = w.edges[:, 0], w.edges[:, 1]
        contested = np.flatnonzero((own_share < 0.999) & (own_share > 0.0))
        cand_u = np.concatenate([e_src, contested])
        cand_v = np.concatenate([e_dst, contested])
        ok = (own_att[cand_u] > 0) & (own_share[cand_v] < 0.999)
        cand_u, cand_v = cand_u[ok], cand_v[ok]
        # Converging attacks: a target's odds count every own district that can strike it.
        converging = np.bincount(cand_v, own_att[cand_u], minlength=w.n)
        target_score = (converging / np.maximum(enemy_stand, 1.0)
                        * np.where(government.war_aims, 1.0, p["opportunism"]))
        score = target_score[cand_v]
        best_target = np.full(w.n, -1, np.int64)
        if len(score):
            order = np.lexsort((-score, cand_u))
            first = np.ones(len(order), dtype=bool)
            first[1:] = cand_u[order][1:] != cand_u[order][:-1]
            pick = order[first]
            good = score[pick] >= p["attack_ratio_threshold"]
            best_target[cand_u[pick][good]] = cand_v[pick][good]
        tgt = best_target[nodes]
        militia = f.kind[units] == MILITIA
        # Militias attack only to retake their own home district.
        tgt = np.where(militia & (tgt != f.home[units]), -1, tgt)
        joins = model.rng.random(len(units)) < p["offensive_commitment"]
        orders.target = np.where(joins, tgt, -1)

        # --- redeployment: reserves go to the most threatened district if the threat is
        # severe, otherwise they mass behind the government's offensive axis.
        held = own_share >= p["holding_threshold"]
        threat = np.bincount(e_src, enemy_stand[e_dst], minlength=w.n) / np.maximum(situation.stand_cp[s], 1.0)
        threat = np.where(held, threat, 0.0)
        hot = int(np.argmax(threat))
        if threat[hot] >= p["breakthrough_ratio"]:
            goal = hot
        else:
            goal = self._staging(model, government, situation, own_share, held, enemy_stand)
        if goal >= 0:
            hop = self._next_hop(w, held, goal, situation.control_version, government.index)
            safe = threat[nodes] < 1.0  # units whose own district is not under pressure may leave
            idle = (orders.target < 0) & ~militia & safe & (nodes != goal)
            moves = idle & (model.rng.random(len(units)) < p["redeploy_share"])
            orders.move_to = np.where(moves, hop[nodes], -1)

        # --- recruits go where units are most depleted.
        deficit = np.maximum(f.initial_personnel[units] - f.personnel[units], 0.0)
        orders.reinforce = deficit + 0.05 * f.initial_personnel[units]
        return orders

    def _next_hop(self, world, held: np.ndarray, goal: int, version: int, gov: int) -> np.ndarray:
        """Next district on a shortest own-held path toward ``goal`` (-1 if none); cached per control state."""
        key = (gov, goal, version)
        hop = self._route_cache.get(key)
        if hop is not None:
            return hop
        src, dst = world.edges[:, 0], world.edges[:, 1]
        dist = np.full(world.n, np.iinfo(np.int64).max // 2)
        dist[goal] = 0
        frontier = np.zeros(world.n, dtype=bool)
        frontier[goal] = True
        d = 0
        while frontier.any():
            d += 1
            nxt = np.zeros(world.n, dtype=bool)
            step = frontier[dst] & held[src] & (dist[src] > d)
            nxt[src[step]] = True
            dist[nxt] = d
            frontier = nxt
        # For each node, the neighbour with the smallest distance (ties: lowest id, deterministic).
        cand = np.lexsort((dst, dist[dst], src))
        first = np.ones(len(cand), dtype=bool)
        first[1:] = src[cand][1:] != src[cand][:-1]
        hop = np.full(world.n, -1, np.int64)
        best = cand[first]
        improves = dist[dst[best]] < dist[src[best]]
        hop[src[best][improves]] = dst[best][improves]
        if len(self._route_cache) > 256:
            self._route_cache.clear()
        self._route_cache[key] = hop
        return hop


class ExternalStrategy:
    """Orders supplied from outside (a wargame player, a notebook, a test).

    Submit a mapping ``{unit_key: ("attack"|"move", district_key)}``; units not
    mentioned hold. Orders stay in force until replaced, like standing orders.
    """

    def __init__(self):
        self._pending: dict[str, tuple[str, str]] = {}

    def submit(self, orders: dict[str, tuple[str, str]]) -> None:
        """Replace the standing orders."""
        self._pending = dict(orders)

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders:
        """Translate the standing orders into Orders (validated by the model)."""
        f = model.forces
        units = np.flatnonzero(f.active & (f.government == government.index))
        orders = Orders.hold(units)
        for i, row in enumerate(units):
            action = self._pending.get(model.unit_keys[row])
            if action is None:
                continue
            verb, district = action
            node = model.world.index[district]
            if verb == "attack":
                orders.target[i] = node
            elif verb == "move":
                orders.move_to[i] = node
        return orders
