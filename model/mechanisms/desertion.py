"""Desertion under fire: men who leave a defence their army no longer holds together.

In 1993 Azerbaijani districts fell to attacks their garrisons could have met: the 708th brigade
(about 6,000 men) held Aghdam, which fell "facing almost no resistance"; at Fizuli "the Lenkoran
Brigade did nothing. They just took their weapons, their grenade launchers, and left" (de Waal 2003,
*Black Garden*, ch. 12); a soldier at Aghdam: "They are all fleeing. They are all afraid to fight"
(The Independent, 5 July 1993); already at Lachin in May 1992 fighters left their positions without
orders (docs/notes/desertion_sources.md). An army counted in the thousands can so lose ground it
holds in numbers, which neither losses (Combat) nor the rout of a broken defence (Control) give: both
need the defence to be fought down first.

Each day, in every district the enemy attacks, a share of the men of each unit standing there leave
with their weapons: ``desertion_rate`` x (1 - the government's command cohesion) x the attack's odds
against the district's defence over ``breakthrough_ratio`` (at most 1): many when the army has come
apart and the attack is overwhelming, none in a cohesive army. Self-defence detachments in their own
home district do not leave (they hold their own villages). Nothing names a side: cohesion is what
differs (ODD 7.11). Deserters go home: they leave the forces in service and are counted apart from
casualties (``model.deserted``). No random draw: the share is an expected value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.combat import apply_losses
from .base import Mechanism, Today, cohesion_by_government

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Desertion(Mechanism):
    """Writes the personnel and equipment of units whose men leave under attack, and ``model.deserted``."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        rate = model.p["desertion_rate"]
        if rate <= 0 or today.combat is None:  # off (the value until calibrated): runs as before
            return
        f, result = model.forces, today.combat
        if not np.count_nonzero(result.attack_cp):  # no attack today (about half the days): nobody leaves
            return
        enemy = 1 - f.side
        attack = result.attack_cp[enemy, f.node]  # the enemy's attack on each unit's district today
        stays = ~f.active | (attack <= 0) | f.at_home()
        if stays.all():
            return
        odds = attack / np.maximum(result.defense_cp[enemy, f.node], 1.0)
        cohesion = cohesion_by_government(model)
        share = rate * (1.0 - cohesion[f.government]) * np.minimum(odds / model.p["breakthrough_ratio"], 1.0)
        left = apply_losses(f, np.where(stays, 0.0, np.clip(share, 0.0, 1.0)))
        model.deserted += np.bincount(f.side, left, minlength=2)
