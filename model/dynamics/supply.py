"""Supply: which districts each side can reach from its depots over its own roads.

A side's units are supplied when their district connects to one of the side's
depots or capitals through districts the side holds (a blockade such as the
loss of the Lachin corridor cuts Nagorno-Karabakh off from Armenia). Units in a
contested or enemy-held district are supplied if an adjacent district is. A
district cut off by land but holding an airport gets limited air supply.

Snow closes the high mountain roads for months (roads.csv ``closed_months``: the Omar pass and the
Murov trails out of Kalbajar, November to April), to supply though not to men on foot.

Reachability is recomputed only when control of some district changes or the snow closes or opens a
road; the daily
update of unit supply levels is one vectorised expression.
"""

from __future__ import annotations

import numpy as np

from ..inputs.world import World


def _spread(start: np.ndarray, passable: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Nodes reachable from ``start`` moving only through ``passable`` nodes (label propagation)."""
    reach = start & passable
    src, dst = edges[:, 0], edges[:, 1]
    while True:
        nxt = reach.copy()
        nxt[dst[reach[src] & passable[dst]]] = True
        if (nxt == reach).all():
            return reach
        reach = nxt


def supply_targets(world: World, held_by_arm: np.ndarray, airlift_cap: float,
                   edges: np.ndarray | None = None) -> np.ndarray:
    """Target supply level (2, N) for units of each side standing in each district.

    1 where connected by land to a depot/capital, ``airlift_cap`` where only an
    airport the side holds connects it, 0 where cut off. Districts adjacent to a
    land-supplied district count as supplied (front-line units reach back).
    ``edges``: the roads usable today (``World.open_edges`` in a month of snow), else all of them.
    """
    edges = world.edges if edges is None else edges
    sources = world.has_asset["depot"] | world.has_asset["capital"]
    airports = world.has_asset["airport"]
    src, dst = edges[:, 0], edges[:, 1]
    out = np.zeros((2, world.n))
    for s, held in enumerate((~held_by_arm, held_by_arm)):
        land = _spread(sources & held, held, edges)
        air = _spread(airports & held, held, edges) & ~land
        front = np.zeros(world.n, dtype=bool)
        front[dst[land[src]]] = True
        level = np.where(land | front, 1.0, np.where(air, airlift_cap, 0.0))
        out[s] = level
    return out


def update_supply(supply: np.ndarray, target: np.ndarray, recovery: float, decay: float) -> None:
    """Move each unit's supply toward its target: quickly up, slowly down (in place)."""
    if (supply == target).all():  # every unit at its level (two days in three): nothing moves
        return
    up = np.minimum(supply + recovery, target)
    down = np.maximum(supply - decay, target)
    np.copyto(supply, np.where(supply < target, up, down))
