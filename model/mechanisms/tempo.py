"""Operational tempo: offensives are launched, culminate and pause.

Real offensives were prepared, launched on an axis, ran out of steam as losses mounted and
supply lines lengthened, and paused (e.g. the Azerbaijani offensive of summer 1992, the
Armenian offensives of 1993, the Azerbaijani winter offensive of 1993-94:
``calibration/offensives.csv``). Each government is either *resting* or *on the offensive*.
While resting its units fight only inside their own district (holding, local
counter-attacks); once ``offensive_rest_days`` have passed an offensive starts with a daily
probability ``offensive_launch_hazard`` — or at once, with ``offensive_launch_odds`` L > 0, on a day its staff has ordered
an attack beyond the units' own districts at odds of L or better (the attack CP assembled against the target over the
approach, as :meth:`BuiltinAI._call_off` counts it, over the defence there in today's picture, not the one reported to the
staff): a staff launches when it is prepared and sees its opening, not
on a timer (the Popular Front's government launched Operation Goranboy four weeks after taking power, as the 4th Army's
tanks came and the Shahumyan garrison was weak); it culminates when the losses since launch reach
``culmination_loss_share`` of the forces at launch, or after ``offensive_max_days``, or (with
``objective_culminates``) once its side has taken a district beyond the government's war aims; one that ends
without its side taking any district costs its government's command cohesion the share
``failed_offensive_cohesion_loss`` (:meth:`Tempo.failed`). Each
offensive is logged (``model.offensives``: government, start, end, why it ended, men levied). At launch
``offensive_levy_share`` of the government's depots joins its units with training ``levy_training``
(:meth:`model.actors.agents.Government.levy`): Azerbaijan's offensives were fought with men its army had not trained —
the winter offensive of December 1993 won ground "by sheer weight of numbers" and lost thousands (Moscow Times, Feb
1994; 1,337 frostbite deaths on the Omar pass, Wikipedia "Operation Kalbajar"), after "forced recruitment reported in
1993" (US Library of Congress Country Study). Without it the men beyond the training capacity never reach the front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.combat import assembled_attack
from ..inputs.world import SIDES
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Tempo(Mechanism):
    """Writes each government's phase and ``model.offensives``; cancels attacks beyond a unit's
    own district while its government rests."""

    def __init__(self, model: KarabakhWar) -> None:
        n = len(model.governments)
        self.on_offensive = np.zeros(n, dtype=bool)
        self.since = np.zeros(n, dtype=np.int64)  # day the current phase began
        self.strength_at_launch = np.ones(n)
        self.losses_at_launch = np.zeros(n)
        self.current: list[dict | None] = [None] * n  # the open entry of model.offensives
        self.captures_seen = 0  # model.captures already read for objectives taken (objective_culminates)
        self.captures_at_launch = [0] * n  # len(model.captures) when each government's offensive began

    def step(self, model: KarabakhWar, today: Today) -> None:
        p, f = model.p, model.forces
        draws = model.rng.random(len(model.governments)).tolist()
        taken = self.objectives_taken(model) if p["objective_culminates"] > 0 else None  # off: not read
        ready = (self.opening(model, today, p["offensive_launch_odds"]) if p["offensive_launch_odds"] > 0
                 else None)  # off: no odds counted, the draws as before
        # Per government in Python scalars (a few governments: cheaper than small arrays, the same arithmetic).
        for i, (on, since, lost, at_launch, strength) in enumerate(zip(
                self.on_offensive.tolist(), self.since.tolist(), model.gov_casualties.tolist(),
                self.losses_at_launch.tolist(), self.strength_at_launch.tolist())):
            days = model.day - since
            culminated = on and lost - at_launch >= p["culmination_loss_share"] * strength
            achieved = on and taken is not None and taken[i]
            ending = culminated or achieved or (on and days >= p["offensive_max_days"])
            launching = not on and days >= p["offensive_rest_days"] and (
                draws[i] < p["offensive_launch_hazard"] or (ready is not None and ready[i]))
            if not (ending or launching):  # a few changes a year
                continue
            if ending:
                self.current[i].update(end=str(model.date), ended_by=("culmination" if culminated else
                                                                      "objective" if achieved else "duration"))
                self.current[i] = None
                if p["failed_offensive_cohesion_loss"] > 0 and not achieved:
                    self.failed(model, i, p["failed_offensive_cohesion_loss"])
            else:
                # (before the strength at launch: the levy is part of the offensive)
                levied = model.governments[i].levy(model.p["offensive_levy_share"])
                mine = f.active & (f.government == i)
                self.strength_at_launch[i] = max(float(f.personnel[mine].sum()), 1.0)
                self.losses_at_launch[i] = model.gov_casualties[i]
                self.captures_at_launch[i] = len(model.captures)
                self.current[i] = {"government": model.governments[i].key, "start": str(model.date), "end": None,
                                   "ended_by": None, "levied": round(levied)}
                model.offensives.append(self.current[i])
            self.on_offensive[i] = not on
            self.since[i] = model.day
        ordered = f.target >= 0
        if np.count_nonzero(ordered):  # (about half the days no attack is ordered: nobody to hold back)
            resting = ~self.on_offensive[f.government] & ordered & (f.target != f.node)
            f.target[resting] = -1

    def failed(self, model: KarabakhWar, i: int, loss: float) -> None:
        """An offensive that ends without its side taking a district since its launch cuts its government's command
        cohesion by the share ``loss`` (``failed_offensive_cohesion_loss``). Why: a failed offensive was paid for by
        the army's order — the Popular Front's offensive of January 1993 "along the full length of the front" gained
        nothing, the Karabakh side broke through at Aghdara/Mardakert in February (realkarabakh.com '1993', partisan),
        the government blamed Colonel Huseynov, who took his brigade off the front to Ganja (Wikipedia 'Surat Huseynov';
        de Waal 2003, ch. 12), and Kalbajar fell in April, two months before any change of power; Aliyev's winter
        offensive of 1993-94 ended with ~4,000 dead and 1,337 frozen on the Omar pass (Wikipedia 'Operation Kalbajar')
        and his army took the ceasefire in May. Without it a government's cohesion only grows between changes of
        power, so the Karabakh side's opportunity gate (ODD 7.6) waited for the June 1993 revolt."""
        side = SIDES[model.governments[i].side_index]
        if not any(c["to"] == side for c in model.captures[self.captures_at_launch[i]:]):
            model.governments[i].cohesion *= 1.0 - loss

    @staticmethod
    def opening(model: KarabakhWar, today: Today, odds: float) -> list[bool]:
        """For each government, whether its staff ordered today an attack beyond its units' own districts whose
        assembled attack CP (over the approach: tracks and passes) is at least ``odds`` times the enemy's defence
        there (today's picture). The staff orders such attacks while its government rests too (they are cancelled
        below): they are the openings it sees."""
        f, w = model.forces, model.world
        n, G = w.n, len(model.governments)
        going = np.flatnonzero((f.target >= 0) & (f.target != f.node))
        if len(going) == 0:
            return [False] * G
        situation = today.situation
        assembled = assembled_attack(situation.attack_cp[going], w.approach(model.p["rough_attack_factor"]),
                                     f.node[going], f.target[going], f.government[going], G, n)
        sides = np.array([g.side_index for g in model.governments])
        defence = np.maximum(situation.stand_padded[1 - sides, :n], 1.0)
        return (assembled >= odds * defence).any(axis=1).tolist()

    def objectives_taken(self, model: KarabakhWar) -> list[bool]:
        """For each government, whether its side took a district beyond its war aims since the last day read.

        The Karabakh side's offensives of 1993 each went for one objective and stopped when it was taken —
        Kalbajar (27 March - 3 April), Aghdam (4-23 July), Fuzuli, Jabrayil and Qubadli (15-31 August),
        Zangilan (22 October - 5 November), with pauses of three to thirteen weeks between them
        (calibration/offensives.csv; de Waal 2003, ch. 12) — instead of running on to its full length."""
        new = model.captures[self.captures_seen:]
        self.captures_seen = len(model.captures)
        taken = [False] * len(model.governments)
        for c in new:
            v = model.world.index[c["district"]]
            side = SIDES.index(c["to"])
            for i, g in enumerate(model.governments):
                if g.side_index == side and not g.war_aims[v]:
                    taken[i] = True
        return taken
