"""Combat: every engagement of the day fought at once (:mod:`model.dynamics.combat`); losses, morale and
experience (units that fight learn: ``experience_gain``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.combat import apply_losses, fight
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


def count_losses(model: KarabakhWar, loss_fraction: np.ndarray, attack_fraction: np.ndarray | None = None) -> None:
    """Remove each unit's lost fraction and count the men as casualties of its side and government;
    ``wounded_return_share`` of them are wounded who will rejoin their unit (Recruitment).
    ``attack_fraction``: the part of ``loss_fraction`` lost in the units' own attacks, also counted
    in ``model.casualties_attacking`` (where an army bleeds: in its attacks or holding its lines)."""
    f = model.forces
    if attack_fraction is not None:
        model.casualties_attacking += np.bincount(f.side, f.personnel * attack_fraction, minlength=2)
    lost = apply_losses(f, loss_fraction)
    if model.p["wounded_return_share"] > 0:
        f.recovering += model.p["wounded_return_share"] * lost
    model.casualties += np.bincount(f.side, lost, minlength=2)
    model.gov_casualties += np.bincount(f.government, lost, minlength=len(model.governments))


class Combat(Mechanism):
    """Fight, remove losses, count casualties, move morale (losses and broken defences lower it,
    quiet days restore it toward its base) and training (each day a unit fights it closes
    ``experience_gain`` of the gap to ``experience_ceiling``)."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f, p = model.forces, model.p
        s = today.situation
        attack = s.attack_cp if today.attack_cp is None else today.attack_cp
        defense = s.defense_cp if today.defense_cp is None else today.defense_cp
        # attacks along mountain tracks and passes bring less to bear
        approach = model.world.approach(p["rough_attack_factor"]) if p["rough_attack_factor"] < 1.0 else None
        result = today.combat = fight(f, attack, defense, p, model.rng, model.world.n,
                                      advance_factor=today.advance_factor, exposure_factor=today.exposure_factor,
                                      support_adjacency=model.world.region_adjacency, approach=approach)
        if np.count_nonzero(result.engaged):  # (count_nonzero: half the cost of any(), daily)
            model.combat_days += np.bincount(f.side[result.engaged], minlength=2) > 0
            count_losses(model, result.unit_loss_fraction, result.attack_loss_fraction)
            f.morale -= p["loss_morale_sensitivity"] * result.unit_loss_fraction
            f.morale += np.where(result.engaged, 0.0, p["morale_recovery_per_day"]) * (f.morale < f.base_morale)
            if np.count_nonzero(result.broke):  # most days of fighting no defence breaks: nobody's morale falls
                broke_here = result.broke[1 - f.side, f.node]  # the defence of this unit's district broke
                f.morale -= p["break_morale_loss"] * broke_here
            if p["experience_gain"] > 0:  # the survivors learn; recruits dilute it again (Recruitment)
                f.training += p["experience_gain"] * result.engaged * np.maximum(p["experience_ceiling"] - f.training, 0.0)
        else:  # nobody fought (no losses, no broken defence): every unit's morale recovers
            f.morale += p["morale_recovery_per_day"] * (f.morale < f.base_morale)
        f.morale.clip(0.0, 1.0, out=f.morale)
