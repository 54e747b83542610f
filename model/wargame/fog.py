"""Fog of war: a role knows its own forces exactly and everyone else's only as estimates.

Estimates are per district (how many men, tanks and guns of the other governments stand there),
multiplied by log-normal intelligence error and rounded to two significant figures. Presence is
uncertain too: a force in contact (in or next to a district where the role's units stand) is always
seen; farther away it is seen with probability ``exp(-noise * (hops - 1))``, and where it is not, a
district its side holds may show a force that is not there (a false report, with probability
``FALSE_REPORTS`` times the chance of missing one). The error is
drawn from a stream of its own, spawned from the game's seed with numpy's SeedSequence and keyed by
turn, role and the number of umpire actions that changed the world so far (injects, overrides): it
never touches the model's random numbers, it is the same on every reload (so refreshing the page,
or resubmitting orders, cannot average the error away), it is drawn afresh after an inject (so
comparing the estimates before and after one does not reveal its exact size), and a replay gives
the same estimates.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.forces import KINDS

if TYPE_CHECKING:
    from ..actors.agents import Government
    from ..model import KarabakhWar

FOG_STREAM = 0xF06
"""Spawn key of the intelligence stream (any constant distinct from other streams of the game)."""
ESTIMATED = ("personnel", "tanks", "artillery")
"""What a staff estimates of the forces of others."""
FALSE_REPORTS = 0.5
"""False reports per missed sighting (assumption: half as likely as missing a real force, so a staff far
from a district cannot tell an empty one from a held one; 0 would make every report true)."""
UNOBSERVED_HOPS = 2
"""Distance assumed for a role with no forces of its own in the region (a patron with none deployed).
Assumption: such a patron learns of the war through its embassies and the other sides' reports, about as
well as a staff one district behind the front (2 hops: detection exp(-noise))."""


def intel_rng(seed: int, turn: int, role_index: int, revision: int = 0) -> np.random.Generator:
    """The intelligence-error stream of one role in one turn, after ``revision`` umpire changes."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(FOG_STREAM, turn, role_index, revision)))


def two_figures(x: float) -> int:
    """Rounded to two significant figures (1234 -> 1200, 7.4 -> 7): an estimate, not a count."""
    if x < 0.5:
        return 0
    digits = max(int(math.floor(math.log10(x))) - 1, 0)
    return int(round(x, -digits))


def own_units(model: KarabakhWar, gov: Government) -> list[dict]:
    """Every active unit of ``gov``, exactly, with the districts it may attack or move to."""
    f, w = model.forces, model.world
    out = []
    for row in np.flatnonzero(f.active & (f.government == gov.index)):
        here = int(f.node[row])
        out.append({
            "key": model.unit_keys[row], "name": model.units[row].name, "kind": KINDS[int(f.kind[row])],
            "district": w.keys[here], "personnel": int(round(float(f.personnel[row]))),
            "tanks": int(round(float(f.tanks[row]))), "apcs": int(round(float(f.apcs[row]))),
            "artillery": int(round(float(f.artillery[row]))), "morale": round(float(f.morale[row]), 2),
            "supply": round(float(f.supply[row]), 2), "loyalty": round(float(f.loyalty[row]), 2),
            "neighbours": [w.keys[v] for v in np.flatnonzero(w.adjacency[here] > 0)],
        })
    return out


def detection(model: KarabakhWar, observers: np.ndarray, noise: float) -> np.ndarray:
    """(N,) probability of seeing a force in each district from the districts ``observers`` (ids)."""
    if len(observers):
        hops = np.min([model.hops_from(int(v)) for v in np.unique(observers)], axis=0)
    else:
        hops = np.full(model.world.n, UNOBSERVED_HOPS)
    return np.exp(-noise * np.maximum(hops - 1, 0))


def estimates(model: KarabakhWar, gov: Government | None, rng: np.random.Generator,
              noise: float, observers: np.ndarray | None = None) -> dict[str, list[dict]]:
    """Estimated strength of the other governments' forces by district: ``{"enemy": [...], "allied": [...]}``;
    for a patron (``gov`` None), of each side's: ``{"aze": [...], "arm": [...]}``. ``observers``: the
    districts the role sees from (default: where the government's units stand; a patron's deployed forces).

    The error, the sightings and the false reports are drawn for every (group, district) whether or not
    anyone stands there, so the draws do not depend on the state being estimated.
    """
    f, w = model.forces, model.world
    error = np.exp(noise * rng.standard_normal((2, w.n, len(ESTIMATED))))
    seen_draw, false_draw = rng.random((2, 2, w.n))
    if observers is None:
        observers = f.node[f.active & (f.government == gov.index)] if gov is not None else np.array([], int)
    p_seen = detection(model, observers, noise)
    out = {}
    if gov is None:
        groups = {"aze": f.active & (f.side == 0), "arm": f.active & (f.side == 1)}
    else:
        others = f.active & (f.government != gov.index)
        groups = {"enemy": others & (f.side != gov.side_index), "allied": others & (f.side == gov.side_index)}
    for g, (group, mask) in enumerate(groups.items()):
        totals = np.stack([np.bincount(f.node[mask], getattr(f, q)[mask], minlength=w.n) for q in ESTIMATED], 1)
        present = np.bincount(f.node[mask], minlength=w.n) > 0
        side = int(f.side[mask][0]) if mask.any() else 0
        # A false report shows a force of the size typical of the group where its side holds ground.
        false = ~present & (model.side_share[side] > 0) & (false_draw[g] < FALSE_REPORTS * (1 - p_seen)) & mask.any()
        typical = np.median(totals[present], axis=0) if present.any() else np.zeros(len(ESTIMATED))
        totals[false] = typical
        shown = (present & (seen_draw[g] < p_seen)) | false
        out[group] = [{"district": w.keys[v], **{q: two_figures(totals[v, k] * error[g, v, k])
                                                  for k, q in enumerate(ESTIMATED)}}
                      for v in np.flatnonzero(shown)]
    return out
