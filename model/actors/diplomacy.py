"""External patrons, mediation and ceasefires.

Patrons (``data/patrons.toml``) act through scenario events (arms transfers,
deployments, embargoes, mediation; :mod:`model.inputs.events`), scheduled or, where a scenario
lets a patron decide, chosen each month (:mod:`model.actors.patron_policy`). A mediation event opens a
ceasefire *proposal*; each government decides from its own state whether to accept
(:meth:`Diplomacy.acceptance`): the mediator's pressure and the leadership's
alignment with the mediator and appetite for mediation push toward yes,
war-weariness (casualties) too, momentum (ground gained lately) toward no. The
governments decide together in rounds, every ``ceasefire_reconsider_days`` while
the proposal is open; when all accept in the same round, a ceasefire starts: no
government orders attacks,
but incidents along the front cause casualties (violations). A government that
sees a clear advantage at the front, or has lost much of what it fights for and has
rebuilt its front (revanche), may break the ceasefire (less readily the more war-weary
it is); the war resumes. An initiative that comes while a ceasefire holds renews it: the
stronger guarantee stands.
Nothing fixes when (or whether) a ceasefire happens.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .strategy import StaffValues

if TYPE_CHECKING:
    from .agents import Government
    from ..model import KarabakhWar
    from .strategy import Situation


@dataclass
class Proposal:
    """An open ceasefire proposal by a mediator; the governments decide in rounds."""

    mediator: str
    pressure: float
    terms: str
    opened: int  # day index
    expires: int
    next_round: int


class Diplomacy:
    """Open proposals, the ceasefire in force (if any) and the record of all ceasefires."""

    def __init__(self, model: KarabakhWar):
        self.model = model
        self.proposals: list[Proposal] = []
        self.active: dict | None = None
        # Answers given from outside (a wargame player), by government index: True accepts open
        # proposals and keeps a ceasefire, False rejects them. Empty: every government's own state
        # decides (the draws are made either way, so the random streams do not depend on this).
        self.answers: dict[int, bool] = {}
        # Revanche that failed (revanche_futility): the share of its aims each government held when it
        # broke the last truce, and how many truces it broke without winning much of them back.
        self.broke_holding: dict[int, float] = {}
        self.futile = np.zeros(len(model.governments), dtype=np.int64)
        self.staff_values = StaffValues()  # the stake of breaking a truce, asked daily while one holds

    # ------------------------------------------------------------------ proposals
    def propose(self, mediator: str, pressure: float, terms: str) -> bool:
        """A mediation event opens a proposal; while a ceasefire is in force it renews that one instead.

        A renewal does not start a new ceasefire: the guarantee of the one in force becomes the
        stronger of the two pressures (the Moscow meeting of 16 May 1994 was to "confirm the
        ceasefire", the CSCE Budapest summit of December 1994 decided on the "continuation of the
        existing ceasefire": historical.toml), and the renewal is recorded with it. Returns whether
        it renewed a ceasefire in force."""
        m = self.model
        if self.active is not None:
            self.active["pressure"] = max(self.active["pressure"], pressure)
            self.active["renewed"].append({"date": str(m.date), "mediator": mediator, "pressure": pressure})
            return True
        self.proposals.append(Proposal(mediator=mediator, pressure=pressure, terms=terms, opened=m.day,
                                       expires=m.day + int(m.p["ceasefire_window_days"]), next_round=m.day))
        return False

    def alignment(self, gov: Government, mediator: str) -> float:
        """How close a leadership stands to the mediator (-1..1)."""
        if mediator == "russia":
            return gov.alignment_russia
        patron = self.model.patron(mediator)
        return patron.alignment if gov.side == "arm" else -patron.alignment

    def acceptance(self, gov: Government, proposal: Proposal) -> float:
        """Probability that ``gov`` accepts ``proposal`` today (logistic in its state)."""
        p = self.model.p
        s = gov.side_index
        weariness = self.weariness(s)
        momentum = self.momentum(s)
        u = (p["ceasefire_base_utility"]
             + p["ceasefire_pressure_weight"] * proposal.pressure * (1.0 + p["ceasefire_alignment_weight"]
                                                                     * self.alignment(gov, proposal.mediator))
             + p["ceasefire_appetite_weight"] * (gov.mediation_appetite - 0.5)
             + p["ceasefire_weariness_weight"] * weariness
             - p["ceasefire_momentum_weight"] * momentum)
        return 1.0 / (1.0 + math.exp(-u))

    def momentum(self, side: int) -> float:
        """Thousands of km² side ``side`` gained over the last ``momentum_days`` (negative if lost)."""
        m = self.model
        back = max(m.day - int(m.p["momentum_days"]), 0)
        arm_then = float((m.world.area_km2 * m.control_history[back]).sum())
        arm_now = float((m.world.area_km2 * m.arm_share).sum())
        gained = (arm_now - arm_then) / 1000.0
        return gained if side == 1 else -gained

    def weariness(self, side: int) -> float:
        """War-weariness of ``side``: its casualties in units of ``weariness_scale``."""
        return float(self.model.casualties[side]) / self.model.p["weariness_scale"]

    # ----------------------------------------------------------------------- daily
    def step(self, situation: Situation) -> None:
        """Decide open proposals; in a ceasefire, violations and possible breakdown."""
        m, p = self.model, self.model.p
        if self.active is not None:
            front = self._front()  # one front for both (the holders do not change in between)
            self._violations(front)
            self._maybe_break(situation, front)
            return
        if not self.proposals:
            return
        self.proposals = [pr for pr in self.proposals if pr.expires > m.day]
        for pr in self.proposals:
            if pr.next_round > m.day:
                continue
            pr.next_round = m.day + int(p["ceasefire_reconsider_days"])
            draws = m.rng_diplomacy.random(len(m.governments))
            if all(self.answers.get(g.index, draws[g.index] < self.acceptance(g, pr)) for g in m.governments):
                self._start(pr)
                return

    def _start(self, pr: Proposal) -> None:
        m = self.model
        for index, held in sorted(self.broke_holding.items()):  # a war resumed for nothing teaches
            if m.governments[index].aims_held() < held + m.p["revanche_futile_gain"]:
                self.futile[index] += 1
        self.broke_holding.clear()
        self.active = {"start": str(m.date), "end": None, "mediator": pr.mediator, "pressure": pr.pressure,
                       "terms": pr.terms,
                       "proposed": str(m.start + dt.timedelta(days=pr.opened)), "violations": 0,
                       "violation_casualties": 0.0, "renewed": [],
                       "broken_by": None}
        m.ceasefires.append(self.active)
        self.proposals = []

    def _front(self) -> np.ndarray:
        """Districts held by one side next to a district held by the other (both sides' front lines)."""
        w, held = self.model.world, self.model.held_by_arm
        src, dst = w.edges[:, 0], w.edges[:, 1]
        front = np.zeros(w.n, dtype=bool)
        front[src[held[src] != held[dst]]] = True
        return front

    def _violations(self, front: np.ndarray) -> None:
        """Incidents along the ``front`` (:meth:`_front`): a Poisson number per day, each with a few casualties per side."""
        m, p = self.model, self.model.p
        n = int(m.rng_diplomacy.poisson(p["violation_rate"] * front.sum()))
        if n:
            lost = p["violation_casualties"] * n
            m.casualties += lost
            self.active["violations"] += n
            self.active["violation_casualties"] += 2 * lost

    def _maybe_break(self, situation: Situation, front: np.ndarray) -> None:
        """A government may resume the war (:meth:`breakdown_hazard`); a player decides for itself."""
        m = self.model
        draws = m.rng_diplomacy.random(len(m.governments))
        for gov in m.governments:
            if gov.index in self.answers:  # a player decides for itself (break_off)
                continue
            if draws[gov.index] < self.breakdown_hazard(gov, situation, front):
                self.break_off(gov)
                return

    def breakdown_hazard(self, gov: Government, situation: Situation, front: np.ndarray | None = None) -> float:
        """Daily probability that ``gov`` breaks the ceasefire in force.

        A government that sees a clear advantage at the front, and something there worth taking,
        may resume the war (beyond its war aims only when it would attack there today, and what lies
        there is worth to it what it is worth to its staff: strategy.staff_values, so nothing across the
        1991 border at cross_border_value 0, and less further from its aims with opportunism_depth_decay;
        the Karabakh side kept the May 1994 truce with its aims and a buffer held); the mediator's pressure
        (its guarantee) deters it, and so does the exhaustion that brought it to the ceasefire (the
        hazard is divided by 1 + its weariness: by May 1994 both sides had lost tens of thousands,
        and the truce held with violations). The advantage e beyond what an attack needs counts as
        e / (1 + ``ceasefire_advantage_saturation`` x e), never more than 1 / saturation: a side that can
        win has reason to resume, but ten times the strength it needs is little more reason than three
        (the Karabakh side held far more than it needed in May 1994 and kept the truce).

        A government that has lost much of its war aims may also resume the war to win them back
        (revanche) once its front-line strength nears what an attack needs: the Azerbaijani winter
        offensive of 15 December 1993 ended the autumn truces with no advantage at the front
        (calibration/offensives.csv). The term is ``ceasefire_revanche_weight`` x the share of its
        aims' area lost x min(advantage, 1) ** ``revanche_readiness_exponent``, with the same
        deterrents; 0 switches it off. The exponent makes "nears" mean near: at 3, a front with half
        the strength an attack needs counts one eighth, a tenth of it almost nothing (with 1, Azerbaijani
        armies of 4,000-13,000 broke the 1994 truces against 38,000-76,000 at 3-21 % of it). Each truce the
        government broke without winning back ``revanche_futile_gain`` of its aims' area by the next one
        multiplies it by 1 - ``revanche_futility``: the winter offensive of December 1993-February 1994
        won back the Horadiz junction and some heights at a cost of thousands of lives (seed 002; Moscow
        Times, Feb 1994), and Azerbaijan accepted Russian mediation and kept the May 1994 truce. With
        ``revanche_levy_share`` its staff counts on its own front the men of its depots it would throw in
        (:meth:`_levy_cp`; :meth:`break_off` sends them): an army whose recruits wait untrained in the depots
        still weighs them when it decides to resume the war."""
        m, p = self.model, self.model.p
        front = self._front() if front is None else front
        s = gov.side_index
        enemy_front = front & m.side_held[1 - s]
        own_front = front & m.side_held[s]
        own = situation.standing_cp[s][own_front].sum()
        enemy = situation.standing_cp[1 - s][enemy_front].sum()
        if p["revanche_levy_share"] > 0 and gov.depot_personnel > 0:  # and the depots it would throw in
            own += self._levy_cp(gov, own_front, own)
        advantage = own / max(enemy, 1.0) / p["attack_ratio_threshold"]
        # At stake: the most valued enemy-held front district by the staff's values (1 = a war aim,
        # opportunism beyond them if the government would fight there today, cross_border_value across
        # the 1991 border: strategy.staff_values).
        if (gov.war_aims & enemy_front).any():
            stake = 1.0
        elif enemy_front.any():  # the gate is asked only here: it costs more than the masks
            opportunism = gov.open_opportunism(p["opportunism"])
            stake = float(self.staff_values(m, [gov], (opportunism,), p["cross_border_value"])[0][enemy_front].max())
        else:
            stake = 0.0
        readiness = min(advantage, 1.0) ** p["revanche_readiness_exponent"]
        revanche = p["ceasefire_revanche_weight"] * (1.0 - gov.aims_held()) * readiness
        if p["revanche_futility"] > 0 and self.futile[gov.index]:
            revanche *= (1.0 - p["revanche_futility"]) ** int(self.futile[gov.index])
        pressure = self.active["pressure"] if self.active is not None else 0.0
        edge = max(advantage - 1.0, 0.0)
        edge /= 1.0 + p["ceasefire_advantage_saturation"] * edge  # at most 1 / saturation
        return (p["ceasefire_breakdown_rate"] * (edge * stake + revanche)
                * (1.0 - gov.mediation_appetite) * (1.0 - pressure) / (1.0 + self.weariness(s)))

    def _levy_cp(self, gov: Government, own_front: np.ndarray, own_cp: float) -> float:
        """The combat power ``gov``'s staff expects from the ``revanche_levy_share`` of its depots it would send
        to the front on resuming the war: as many men as its side's men on its front districts (``own_front``,
        standing CP ``own_cp`` there) would bring at their combat power per man, scaled by ``levy_training`` over
        their mean training."""
        f, p = self.model.forces, self.model.p
        here = f.active & (f.side == gov.side_index) & own_front[f.node]
        men = float(f.personnel[here].sum())
        if men <= 0:
            return 0.0
        training = float(f.personnel[here] @ f.training[here]) / men
        per_man = float(own_cp) / men
        return p["revanche_levy_share"] * gov.depot_personnel * per_man * p["levy_training"] / max(training, 1e-9)

    def break_off(self, gov: Government) -> None:
        """``gov`` resumes the war: the ceasefire in force ends today, and it sends ``revanche_levy_share`` of its
        depots to its units (:meth:`Government.levy`): Azerbaijan's winter offensive of December 1993 came after
        the forced recruitment of 1993 and won ground "by sheer weight of numbers" (Moscow Times, Feb 1994)."""
        gov.levy(self.model.p["revanche_levy_share"])
        self.broke_holding[gov.index] = gov.aims_held()
        self.active["end"] = str(self.model.date)
        self.active["broken_by"] = gov.key
        self.active = None

    @property
    def in_force(self) -> bool:
        """A ceasefire holds today."""
        return self.active is not None


def durable_ceasefire(model: KarabakhWar) -> dict | None:
    """The first ceasefire that held ``ceasefire_hold_days`` or was still in force at the end of the run."""
    hold = dt.timedelta(days=int(model.p["ceasefire_hold_days"]))
    for c in model.ceasefires:
        start = dt.date.fromisoformat(c["start"])
        if c["end"] is None or dt.date.fromisoformat(c["end"]) - start >= hold:
            return c
    return None
