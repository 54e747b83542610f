"""Regime politics each day: legitimacy, commanders' loyalty, coups and resignations
(:mod:`model.actors.politics`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..actors.politics import (commit_guards, coup_step, dismiss_scapegoats, follow_codings, update_legitimacy,
                               update_loyalty, vet_commanders)
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class RegimePolitics(Mechanism):
    """Defeats cost legitimacy; losses breed grievances where the unit's side lost ground today
    (bled in defeat, not in victory); profiles follow their dated codings; purges replace would-be plotters; a regime losing the war commits
    its guard; then coups may be attempted."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f = model.forces
        update_legitimacy(model.governments, today.districts_lost, model.p, today.displaced, day=model.day)
        if np.count_nonzero(today.arm_delta):  # (cheaper than .any() on floats)
            losing_ground = np.where(f.side == 1, today.arm_delta[f.node] < 0, today.arm_delta[f.node] > 0)
            bled = today.combat.unit_loss_fraction * losing_ground
        else:  # no ground changed hands today (most days): nobody bled in defeat
            bled = 0.0
        update_loyalty(model, today.districts_lost, bled)
        dismiss_scapegoats(model, today.changed)
        follow_codings(model)
        vet_commanders(model)
        commit_guards(model)
        coup_step(model)
