"""Command cohesion: how far each government commands its forces as one army.

Early in the war neither side had one: Azerbaijan's battalions answered to interior
ministry, Popular Front or local leaders, the Karabakh Armenians' self-defence detachments
to their villages (HRW/Helsinki 1994; de Waal 2003). Cohesion grows as an army is built,
toward the government's legitimacy, and falls at each change of power (new ministers,
purges) — less when an armed opposition rises and takes power, its battalions with it
(``uprising_cohesion_loss_share``), or even gains, since the opposition's battalions, which fought beside the
government's under their own commanders, now form the new government's army (``uprising_cohesion_gain``: that share of
the gap to the cohesion's target closed at once) — and, with ``failed_revolt_cohesion_loss_share``, at an armed attempt on power
that fails too: the rebels fought the government's own army, and what they left of the chain of command answers to
it again only after the purge (the Talysh-Mughan revolt of a brigade commander in the south, 21 June - 23 August
1993, failed while the southern front fell). It acts on the orders already given, human or built-in alike:

* an attack order is executed with probability equal to the cohesion (drawn per unit, or per operation with
  ``operation_draw_share``);
* a commander whose loyalty is below ``fragmentation_loyalty`` executes no offensive order
  (units that obey their commander or a politician first);
* the attack combat power of a government's units is scaled by
  ``(1 - cohesion_attack_weight) + cohesion_attack_weight * cohesion`` (concentration and
  coordination);
* their defensive combat power in the day's engagements by
  ``(1 - cohesion_defense_weight) + cohesion_defense_weight * cohesion``: an army that has come
  apart does not hold its positions either ("the Karabakh front almost undefended" after
  Huseynov's rebellion; brigades that "just took their weapons ... and left" the Fuzuli front in
  August 1993: de Waal 2003, ch. 12). Staffs still count the positions as manned (the situation's
  defence is unchanged): who will stand is learned in battle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.combat import command_scale
from .base import Mechanism, Today, cohesion_by_government

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Command(Mechanism):
    """Writes each government's ``cohesion``; cancels attack orders a fragmented command does not
    execute; scales today's attack and defence combat power."""

    def __init__(self, model: KarabakhWar) -> None:
        self.regimes_seen = [len(g.regime_history) for g in model.governments]
        self.attempts_seen = len(model.coups)  # model.coups read so far (failed revolts)

    @staticmethod
    def _operation_draws(model: KarabakhWar, attacking: np.ndarray, own: np.ndarray, share: float) -> np.ndarray:
        """Each attacking unit's execution draw: with probability ``share`` (``operation_draw_share``) the one draw of
        its operation (its government's attack on that target today), else its own. Why: with a draw per unit a
        fragmented command's battalions go in one by one against the whole defence (docs/notes/capture_order.md,
        "Stop 37"); with one per operation a fragmented command mounts fewer attacks, each with all its units."""
        f = model.forces
        # the operations numbered in ascending order of their key, as np.unique(..., return_inverse=True) numbers
        # them, in Python: a few attacking units a day (~4 µs a call against np.unique's ~10 µs)
        keys = (f.government[attacking] * model.world.n + f.target[attacking]).tolist()
        number = {key: i for i, key in enumerate(sorted(set(keys)))}
        operation = np.array([number[key] for key in keys])
        together = model.rng.random(len(number))[operation]
        follows = model.rng.random(len(attacking)) < share
        return np.where(follows, together, own)

    def _failed_revolts(self, model: KarabakhWar, share: float) -> None:
        """Each armed attempt on power recorded since the last look that failed (a commander's revolt or an
        uprising: resignations never fail) cuts its government's cohesion by ``share`` of
        ``regime_change_cohesion_loss``; 0 cuts nothing."""
        for attempt in model.coups[self.attempts_seen:]:
            if share > 0 and not attempt["success"] and attempt["kind"] in ("coup", "uprising"):
                gov = model.government(attempt["country"])
                gov.cohesion *= 1.0 - model.p["regime_change_cohesion_loss"] * share
        self.attempts_seen = len(model.coups)

    def step(self, model: KarabakhWar, today: Today) -> None:
        p, f = model.p, model.forces
        if len(model.coups) > self.attempts_seen:  # a few times a war
            self._failed_revolts(model, p["failed_revolt_cohesion_loss_share"])
        for gov in model.governments:
            changes = len(gov.regime_history) - self.regimes_seen[gov.index]
            weight = p["cohesion_legitimacy_weight"]  # 1: toward the legitimacy (exactly); below, partly toward 1
            target = weight * gov.legitimacy + (1.0 - weight)
            if changes:
                for change in gov.regime_history[-changes:]:
                    uprising = change["how"] == "uprising"
                    share = p["uprising_cohesion_loss_share"] if uprising else 1.0
                    gov.cohesion *= 1.0 - p["regime_change_cohesion_loss"] * share
                    if uprising and p["uprising_cohesion_gain"] > 0:  # its battalions join the command at once
                        gov.cohesion += p["uprising_cohesion_gain"] * max(target - gov.cohesion, 0.0)
                self.regimes_seen[gov.index] += changes
            gov.cohesion += p["cohesion_build_per_day"] * (target - gov.cohesion)
        cohesion = cohesion_by_government(model)
        unit_cohesion = cohesion[f.government]
        attacking = (f.target >= 0).nonzero()[0]
        if len(attacking):  # (no attack ordered: no attack CP to scale, Combat fights no engagement)
            draws = model.rng.random(len(attacking))
            if p["operation_draw_share"] > 0:  # (no extra draw when off: runs without it stay as they were)
                draws = self._operation_draws(model, attacking, draws, p["operation_draw_share"])
            refuse = (draws >= cohesion[f.government[attacking]]) | (f.loyalty[attacking] < p["fragmentation_loyalty"])
            f.target[attacking[refuse]] = -1
            w = p["cohesion_attack_weight"]
            today.attack_cp = today.situation.attack_cp * command_scale(unit_cohesion, w)
        w = p["cohesion_defense_weight"]
        if w > 0:
            today.defense_cp = today.situation.defense_cp * command_scale(unit_cohesion, w)
