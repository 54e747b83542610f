"""Control: district shares shift by the day's gains; holders change with hysteresis; captures,
civilians' flight, occupation by the attackers (not by militias), retreat (or surrender) of
cut-off units, and the rout of units whose defence broke under a command that has come apart."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ..dynamics.cover import spared_against_pressure
from ..inputs.forces import MILITIA
from ..inputs.world import FULL
from .base import NO_LOSSES, Mechanism, Today, cohesion_by_government

if TYPE_CHECKING:
    from ..model import KarabakhWar

KEPT_IN_RETREAT = 0.7  # share of heavy equipment a retreating unit brings out (assumption)


class Control(Mechanism):
    """Writes the district shares and holders, captures, displaced persons; moves units that
    took or lost a district."""

    def __init__(self, model: KarabakhWar) -> None:
        self.no_change = np.zeros(model.world.n)  # today's arm_delta when nobody gained ground (shared, never written)
        self.no_change.flags.writeable = False

    def step(self, model: KarabakhWar, today: Today) -> None:
        today.districts_lost = self.update(model, today.combat.share_gain, today)
        if model.p["rout_rate"] > 0 and today.combat.broke.any():  # no draw at 0: runs as before
            self.rout(model, today.combat.broke)

    def rout(self, model: KarabakhWar, broke: np.ndarray) -> None:
        """Units whose district's defence broke today abandon it with probability ``rout_rate`` x
        (1 - their government's command cohesion), falling back like units whose district is lost.

        A district can fall because its defenders leave rather than die: in 1993 Azerbaijani
        brigades "just took their weapons ... and left" the Fuzuli front, and after Huseynov's
        rebellion the Karabakh front was "almost undefended" (de Waal 2003, ch. 12; HRW/Helsinki
        1994). A routed unit keeps its men, loses equipment as in any retreat, and stays where it
        is if its side holds no neighbouring district (the cut off do not rout; they fight on)."""
        f = model.forces
        rows = (f.active & broke[1 - f.side, f.node]).nonzero()[0]
        if len(rows) == 0:
            return
        cohesion = cohesion_by_government(model)
        draws = model.rng.random(len(rows))
        for row in rows[draws < model.p["rout_rate"] * (1.0 - cohesion[f.government[rows]])]:
            self.fall_back(model, int(row), surrender=False)

    def update(self, model: KarabakhWar, gain: np.ndarray, today: Today) -> np.ndarray:
        """Shift district shares by today's gains; record captures and flight; return the
        number of districts each side lost to the other today (index 0 aze, 1 arm)."""
        if not np.count_nonzero(gain):  # nobody gained ground (quiet days): no share moves (count_nonzero: cheaper than any())
            today.arm_delta = self.no_change
            return NO_LOSSES
        old = model.arm_share
        new = (old + gain[1] - gain[0]).clip(0.0, 1.0)
        delta = today.arm_delta = new - old
        if not np.count_nonzero(delta):
            return NO_LOSSES
        # Only the few districts that moved today: the share of each side's part that was lost.
        idx = delta.nonzero()[0]
        o, d = old[idx], delta[idx]
        lost_frac = np.array([np.maximum(d, 0.0) / np.maximum(1.0 - o, 1e-12),  # aze-held part lost
                               np.maximum(-d, 0.0) / np.maximum(o, 1e-12)])  # arm-held part lost
        fled = model.civilians[:, idx] * np.minimum(lost_frac, 1.0) * model.p["flee_fraction"]
        model.civilians[:, idx] -= fled
        today.displaced = fled.sum(axis=1)
        model.displaced += today.displaced
        model.arm_share = new
        model.side_share = np.array([1.0 - new, new])

        # Hysteresis: the side that does not hold a district must reach capture_share to take it.
        cs = model.p["capture_share"]
        held = np.where(model.held_by_arm, new > 1.0 - cs, new >= cs)
        changed = (held != model.held_by_arm).nonzero()[0]
        to_arm = int(held[changed].sum())
        lost = np.array([to_arm, len(changed) - to_arm], dtype=float) if len(changed) else NO_LOSSES
        model.held_by_arm = held
        today.changed = changed
        model.side_held = np.array([~held, held])
        date = str(model.start + dt.timedelta(days=model.day))
        for v in changed:
            to, frm = ("arm", "aze") if held[v] else ("aze", "arm")
            model.captures.append({"district": model.world.keys[v], "name": model.world.name(v), "date": date,
                                   "from": frm, "to": to})
        f = model.forces
        if len(changed):
            model.control_version += 1
            model.taken_on[changed] = model.day
            # Attackers occupy what their side now holds; militias, territorial self-defence
            # detachments, raid but stay to hold their own district (HRW/Helsinki 1994: village
            # and district detachments), so a capture does not strip their home of its defence.
            tg = np.maximum(f.target, 0)
            side_holds_target = np.where(f.side == 1, held[tg], ~held[tg])
            occupy = (f.active & (f.target >= 0) & np.isin(f.target, changed) & side_holds_target
                      & (f.kind != MILITIA))
            if model.p["base_cover"] > 0 and occupy.any():  # off: no count, the model as before
                attackers = occupy
                occupy = occupy & self._spared(model, today, occupy, model.p["base_cover"])
                if model.p["capture_occupied"]:
                    occupy |= self._first_in(model, today, changed, held, attackers, occupy)
            for row in occupy.nonzero()[0]:
                model.units[row].place(int(f.target[row]))
        # Targets fully taken are cleared; units standing in fully lost districts fall back.
        own_share_at = np.where(f.side == 1, new[f.node], 1 - new[f.node])
        f.target[(f.target >= 0) & (np.where(f.side == 1, new[np.maximum(f.target, 0)],
                                              1 - new[np.maximum(f.target, 0)]) >= FULL)] = -1
        for row in (f.active & (own_share_at <= 1 - FULL)).nonzero()[0]:
            self.fall_back(model, row)
        return lost

    @staticmethod
    def _first_in(model: KarabakhWar, today: Today, changed: np.ndarray, held: np.ndarray, attackers: np.ndarray,
                  occupy: np.ndarray) -> np.ndarray:
        """The attackers that occupy a district their side took where nobody else would: the strongest (defensive
        CP; ties: the first row) of the units that attacked it, when none of its side stands there or moves in.
        Why (``capture_occupied``): with ``base_cover`` a district could change hands with no one to hold it -- 63 of
        166 changes in seeds 0-11 with stop 55's set, a third of them undone within 60 days against a seventh of the
        occupied ones (docs/notes/capture_order.md, "Stop 56")."""
        f = model.forces
        first = np.zeros(len(f), dtype=bool)
        cp = today.situation.defense_cp
        for v in changed:
            side = 1 if held[v] else 0
            mine = f.side == side
            if np.count_nonzero(mine & f.active & (f.node == v)) or np.count_nonzero(occupy & (f.target == v)):
                continue
            rows = np.flatnonzero(attackers & mine & (f.target == v))
            if len(rows):
                first[rows[np.argmax(cp[rows])]] = True
        return first

    @staticmethod
    def _spared(model: KarabakhWar, today: Today, occupy: np.ndarray, cover: float) -> np.ndarray:
        """Which of the attackers about to occupy a district they took their own district can spare: it
        keeps ``cover`` times the enemy's CP across its line (ODD 7.4). Why: with every attacker moving
        in, a force that took a district and struck on from it left the first bare, and the other side
        walked back in within days (in a run traced at stop 38, Aghdara/Mardakert taken on 3 June 1992 and
        retaken on the 9th: docs/notes/capture_order.md), where the record's captures held for months."""
        f, s = model.forces, today.situation
        leaving = occupy & (f.target != f.node)
        kept = spared_against_pressure(f.side.astype(np.int64), f.node, leaving, s.defense_cp, s.stand_cp,
                                       model.world.adjacency, cover)
        return ~leaving | kept

    @staticmethod
    def fall_back(model: KarabakhWar, row: int, surrender: bool = True) -> None:
        """A unit whose district is lost retreats to the neighbouring district its side holds most
        strongly; with none it is cut off and surrenders (counted among casualties), or, if not
        ``surrender``, stays."""
        f, w = model.forces, model.world
        s = int(f.side[row])
        nbrs = w.edges[w.edges[:, 0] == f.node[row], 1]
        own = model.arm_share[nbrs] if s == 1 else 1 - model.arm_share[nbrs]
        mine = model.side_held[s, nbrs]
        options = nbrs[mine]
        if len(options):
            best = options[np.argmax(own[mine])]
            model.units[row].place(int(best))
            f.target[row] = -1
            f.tanks[row] *= KEPT_IN_RETREAT
            f.apcs[row] *= KEPT_IN_RETREAT
            f.artillery[row] *= KEPT_IN_RETREAT
        elif surrender:
            model.casualties[s] += f.personnel[row]
            model.gov_casualties[f.government[row]] += f.personnel[row]
            f.personnel[row] = 0.0
            model.deactivate_unit(row)
