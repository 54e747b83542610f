"""Recruitment: each government's daily recruits (scaled by its legitimacy and by the capacity to raise
men that its state has built so far, and raised by mobilisation while the enemy holds its war aims)
shared among its units by the reinforcement weights of its orders; the regime guard takes its share first.
A government whose army can train only so many men a day (``training_capacity_param`` in governments.toml:
Azerbaijan's, which "was able to field no more than a few thousand well-trained troops" in early 1993 with
56,000 men in service in 1994, LoC Country Study) sends its units no more than that; the rest wait in its
depots, counted in service but not at the front, and join the units as the capacity allows; with
``depot_garrison_share`` a share of the depots goes each day to hold the threatened home districts in their
territorial self-defence battalions (:func:`garrison_weights`). Raw recruits
dilute the training of the units they join (``recruit_training_gap``), so an army that replaces heavy losses fights worse than one that
keeps its men. When a government launches an offensive, ``offensive_levy_share`` of its depots goes to its
units at once, with training ``levy_training`` (:meth:`model.actors.agents.Government.levy`, called by :mod:`model.mechanisms.tempo`);
with ``depot_wait_days`` W the men the army cannot train join their units untrained, 1 / W of the depots each day
after the day's trained men have left (the same levy): a geometric wait of W - 1 days on average (at least a day). Wounded who recover (``wounded_return_share`` of the casualties) rejoin their units,
1 / ``wounded_recovery_days`` of those recovering each day; a unit that has left the map gets none back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.training import join
from ..inputs.forces import MERCENARY
from ..inputs.history import START
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


def mobilisation(model: KarabakhWar) -> np.ndarray:
    """(G,) multiplier on each government's recruits: 1 + ``mobilisation_gain`` times the share of its
    war aims' area the enemy holds. Losses bring mobilisation: Nagorno-Karabakh declared martial law
    and general mobilisation on 13 August 1992, after the Azerbaijani summer offensive
    (universalis.fr, '9-14 aout 1992'); Azerbaijan's winter offensive of December 1993, after months of
    retreat and the loss of the districts around Nagorno-Karabakh, won ground by "sheer weight of
    numbers" (Moscow Times, Feb 1994, "Thousands of Azeris killed in offensive")."""
    return 1.0 + model.p["mobilisation_gain"] * np.array([1.0 - g.aims_held() for g in model.governments])


def force_generation(model: KarabakhWar) -> list[float]:
    """Each government's capacity to raise recruits today, as a share of its full rate: its
    ``force_generation_start`` (governments.toml) on 1991-12-01, growing linearly to 1 over
    ``force_generation_days``. Armies were built during the war (Azerbaijan's "no more than a few
    thousand well-trained troops" in early 1993, 56,000 men in 1994, "forced recruitment reported in
    1993": US Library of Congress Country Study), so the recruits that make the documented army of 1994
    need not arrive from the first day. (It does not prevent the Karabakh side's collapses of early 1992,
    which come from the units present on the first day: docs/notes/forces_probes.md, "Stop 25".) Days
    count from 1991-12-01 whatever the scenario's start."""
    days = model.p["force_generation_days"]
    if days <= 0:
        return [1.0] * len(model.governments)
    grown = min(max((model.date - START).days / days, 0.0), 1.0)
    return [g.force_generation_start + (1.0 - g.force_generation_start) * grown for g in model.governments]


def garrison_weights(model: KarabakhWar, today: Today) -> np.ndarray:
    """(U,) weight of each unit in the sharing of its government's depot garrison: militias standing in their
    own home district, which their side holds, weighted by the enemy's defensive strength in the neighbouring
    districts (the enemy massing across the line); 0 for every other unit."""
    f, w = model.forces, model.world
    situation = today.situation if today.situation is not None else model.situation()
    across = situation.stand_cp[::-1] @ w.adjacency  # (2, N): the other side's strength next to each district
    side = f.side.astype(np.int64)
    eligible = f.active & f.at_home() & situation.side_held[side, f.node]
    return np.where(eligible, across[side, f.node], 0.0)


class Recruitment(Mechanism):
    """Writes personnel of the units, of the regime guards and of the depots."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f = model.forces
        if model.p["wounded_return_share"] > 0:  # the recovered rejoin first: trained men, no dilution
            back = f.recovering * (f.active / max(model.p["wounded_recovery_days"], 1.0))
            f.recovering -= back
            f.personnel += back
        mask = f.active & (f.kind != MERCENARY)
        weight = model.reinforce_weight * mask
        total = np.bincount(f.government, weight, minlength=len(model.governments))
        knocked_out = "guard_withheld" in model.knockouts
        # Per government in Python floats (three of them: cheaper than arrays, the same arithmetic).
        share = []
        factor = mobilisation(model).tolist() if model.p["mobilisation_gain"] > 0 else [1.0] * len(model.governments)
        for gov, guard, units_weight, mobilised, capacity in zip(model.governments, model.gov_guard_share.tolist(),
                                                                 total.tolist(), factor, force_generation(model)):
            rate = model.p[gov.recruits_param] * gov.legitimacy * mobilised * capacity
            # The regime guard stays away from the front, unless it was committed (its recruits then go to the
            # front too) or that channel is knocked out (then the guard is notional: its men are at the front).
            committed = gov.guard_committed is not None
            gov.guard_personnel += rate * guard * (0.0 if committed else 1.0)
            withheld = 0.0 if committed or knocked_out else guard
            to_units = rate * (1.0 - withheld)
            cap = model.p[gov.training_capacity_param] if gov.training_capacity_param else 0.0
            if cap > 0:  # no more than the army can train reach the units; the rest wait in the depots
                waiting = gov.depot_personnel + to_units
                to_units = min(waiting, cap) if units_weight > 0 else 0.0  # with no unit to join, all wait
                gov.depot_personnel = waiting - to_units
            share.append(to_units / units_weight if units_weight > 0 else 0.0)
        if model.p["depot_wait_days"] > 0:  # those the army cannot train go forward untrained after a while
            for gov in model.governments:
                gov.levy(1.0 / max(model.p["depot_wait_days"], 1.0))
        joining = weight * np.array(share)[f.government]
        if model.p["depot_garrison_share"] > 0:
            joining = joining + self._garrison(model, today)
        gap = model.p["recruit_training_gap"]
        if gap > 0:  # recruits arrive with (1 - gap) x the unit's documented training: the mean moves toward it
            join(f, joining, (1.0 - gap) * f.base_training)
        else:
            f.personnel += joining

    @staticmethod
    def _garrison(model: KarabakhWar, today: Today) -> np.ndarray:
        """(U,) men each unit receives today from its government's depot as garrison (and the depots emptied by
        as much): ``depot_garrison_share`` of each depot, shared by :func:`garrison_weights`; none where no
        home district is threatened."""
        f = model.forces
        weights = garrison_weights(model, today)
        totals = np.bincount(f.government, weights, minlength=len(model.governments)).tolist()
        sent = []
        for gov, total in zip(model.governments, totals):
            out = gov.depot_personnel * model.p["depot_garrison_share"] if total > 0 else 0.0
            gov.depot_personnel -= out
            sent.append(out / total if total > 0 else 0.0)
        return weights * np.array(sent)[f.government]
