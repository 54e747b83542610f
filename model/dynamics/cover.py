"""Sector cover: which of the units about to leave a district it can spare.

Economy of force as the staffs practised it: a brigade holding a sector does not strip it below the
enemy across the line to join an offensive elsewhere or to follow an assault into the district it has
just taken (HRW/Helsinki 1994; de Waal 2003, ch. 12). Used by the built-in staff's redeployments
(``garrison_cover``), by the occupation of a captured district and by the relief of a contested one
(``base_cover``).
"""

from __future__ import annotations

import numpy as np


def spare(group: np.ndarray, nodes: np.ndarray, leaving: np.ndarray, cp: np.ndarray,
          surplus: np.ndarray) -> np.ndarray:
    """Which of the ``leaving`` units (bool, U) their district can spare: within each (group, district)
    — a group is a government or a side, the row of ``surplus`` (groups × N) — units leave in row order
    while the defensive CP ``cp`` they take away stays within the district's ``surplus`` (its defence
    minus the cover its front needs). Deterministic: row order, no draw."""
    rows = np.flatnonzero(leaving)
    out = np.zeros(len(group), dtype=bool)
    if len(rows) == 0:
        return out
    key = group[rows] * surplus.shape[1] + nodes[rows]
    order = np.argsort(key, kind="stable")
    taken = np.cumsum(cp[rows][order])
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    before = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    taken_here = taken - np.r_[0.0, taken][before]  # cumulative CP taken within each district
    out[rows[order]] = taken_here <= surplus.ravel()[key[order]] * (1.0 + 1e-9)  # sums in another order
    return out


def spared_against_pressure(side: np.ndarray, nodes: np.ndarray, leaving: np.ndarray, defense_cp: np.ndarray,
                            stand: np.ndarray, adjacency: np.ndarray, cover: float) -> np.ndarray:
    """Which of the ``leaving`` units (bool, U) their district can spare while what stays there keeps ``cover``
    times the enemy's CP across its line: :func:`spare` with each side's stand (``stand``, 2 x N) less ``cover``
    times the other side's stand in the neighbouring districts (``adjacency``, N x N)."""
    pressure = stand[::-1] @ adjacency  # (2, N): the enemy's CP across each district's line
    return spare(side, nodes, leaving, defense_cp, stand - cover * pressure)
