"""How governments decide: the strategy interface, the built-in AI and an external seam.

Every government holds a :class:`Strategy`. Each decision day the model hands it
a :class:`Situation` (what the government's staff can see, computed once per day
for everyone) and receives :class:`Orders` for that government's units: which
district each unit attacks, where it moves, and how today's recruits are shared.
The built-in AI is vectorised; :class:`ExternalStrategy` lets a human player
(the classroom wargame) or a test submit orders from outside between turns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import InputError
from ..dynamics.combat import UnitTerms, assembled_attack, command_scale
from ..dynamics.cover import spare
from ..dynamics.shelling import guns_and_men
from ..inputs.forces import MILITIA
from ..inputs.world import FULL, hop_distances
from .coup_proofing import reported_enemy

if TYPE_CHECKING:
    from .agents import Government
    from ..model import KarabakhWar


@dataclass
class Situation:
    """The shared picture of the day, computed once by the model; read-only by convention (a plain
    dataclass: a frozen one's ``__init__`` costs three times as much, and a picture is built up to twice a day)."""

    day: int
    arm_share: np.ndarray  # (N,) share held by the arm side
    held_by_arm: np.ndarray  # (N,) bool: the arm side is the holder
    side_held: np.ndarray  # (2, N) bool: side s is the holder (row 0 aze, row 1 arm)
    side_share: np.ndarray  # (2, N) share held by each side (row 0 aze, row 1 arm)
    attack_cp: np.ndarray  # (U,) CP of each unit when attacking
    defense_cp: np.ndarray  # (U,) CP of each unit when defending (terrain, home ground)
    stand_padded: np.ndarray  # (2, N + 1) defensive CP of each side in each district; column N is 0
    control_version: int  # increments whenever any district changes holder
    terms: UnitTerms | None = field(default=None, repr=False)  # combat power's terms independent of position
    standing: np.ndarray | None = field(default=None, repr=False)  # (2, N) stand_cp without militia support; None: the same
    support: np.ndarray | None = field(default=None, repr=False)  # (2, N) the militia support in stand_cp; None: none

    @property
    def stand_cp(self) -> np.ndarray:
        """(2, N) defensive CP of each side in each district, with its militias' support from neighbours."""
        return self.stand_padded[:, :-1]

    @property
    def standing_cp(self) -> np.ndarray:
        """(2, N) defensive CP of the units standing in each district only (each unit counted once)."""
        return self.stand_cp if self.standing is None else self.standing


@dataclass
class Orders:
    """Orders for one government's units (rows of the Forces arrays).

    ``target[i] = v`` attacks district v (the unit's own district or a neighbour),
    -1 holds; ``move_to[i] = w`` moves to neighbouring district w held by the
    unit's side, -1 stays; ``reinforce`` weights the split of today's recruits.
    """

    units: np.ndarray
    target: np.ndarray
    move_to: np.ndarray
    reinforce: np.ndarray
    trusted: bool = False  # legal by construction (the built-in AI): the model may skip its checks

    @classmethod
    def hold(cls, units: np.ndarray) -> Orders:
        """Everyone holds position; recruits shared equally."""
        n = len(units)
        return cls(units, np.full(n, -1, np.int64), np.full(n, -1, np.int64), np.ones(n))


class Strategy(Protocol):
    """Anything that turns a situation into orders for one government."""

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders: ...


def staff_values(model: KarabakhWar, governments: list[Government], opp: tuple[float, ...],
                 cross_border: float) -> np.ndarray:
    """(G, N) value of each district to each government: 1 for war aims, ``cross_border``
    beyond the 1991 border outside the disputed area, and elsewhere its entry of ``opp``: its
    opportunism (the government's own, else ``opportunism``) once its command cohesion exceeds the
    enemy's by ``exploitation_gap`` and its side holds ``aims_secured_share`` of the area of its war
    aims, 0 before (:meth:`Government.opportunity_open`). The built-in staff attacks by these values
    (:meth:`BuiltinAI._value`), and a government weighs what it could take by breaking a ceasefire by
    them (:meth:`Diplomacy.breakdown_hazard`).

    The enemy's cohesion is the highest among the other side's governments. The Karabakh
    forces, one army under one command from 1992, went beyond the NKAO and the Lachin
    corridor when Azerbaijan's army came apart in 1993 (Kalbajar after Huseynov's brigade
    left the front; Aghdam, Fuzuli, Jabrayil, Qubadli and Zangilan after the Ganja revolt),
    not while the two were matched in 1992, though districts such as Qubadli were then held
    by little more than local militia (de Waal 2003, ch. 12; HRW/Helsinki 1994). A value
    that weighs odds could not express this restraint: against a militia the odds make any
    value worth an attack. A gap of -1 makes opportunism unconditional.

    Opportunism fades with distance from the aims: a district k road links from the nearest of them
    gets ``opportunism_depth_decay`` ** (k - 1) of it (1: no fading). The Karabakh side spoke of a
    security zone, a belt of districts around Nagorno-Karabakh: it took the districts bordering it
    (Kalbajar, Lachin, Qubadli, Jabrayil, and Aghdam and Fuzuli up to the edge of the plain) and, of
    those one link further out, only Zangilan, last, once it was cut off (29 Oct - 5 Nov 1993); the
    plains east of Aghdam and Fuzuli, as weakly held, were not taken (de Waal 2003, ch. 12;
    HRW/Helsinki 1994; calibration/timeline.csv).
    """
    aims = np.vstack([g.war_aims for g in governments])
    beyond = model.world.beyond_border[[g.side_index for g in governments]]
    beyond_aims = np.array(opp)[:, None]
    decay = model.p["opportunism_depth_decay"]
    if decay < 1.0:  # 1: the array of the model before the fading, bit for bit
        links = np.vstack([model.world.links_from(a) for a in aims])
        beyond_aims = beyond_aims * decay ** np.maximum(links - 1, 0)
    return np.where(aims, 1.0, np.where(beyond, cross_border, beyond_aims))


class StaffValues:
    """:func:`staff_values`, memoised: they change only when a gate opens or closes or an aim list is
    replaced (a few times a war), but the staff asks every day and a government weighing a ceasefire's
    breakdown (:meth:`Diplomacy.breakdown_hazard`) every day of a truce."""

    def __init__(self):
        self._cache: dict[tuple, tuple[tuple[np.ndarray, ...], np.ndarray]] = {}  # key -> (the aim lists, values)

    def __call__(self, model: KarabakhWar, governments: list[Government], opp: tuple[float, ...],
                 cross_border: float) -> np.ndarray:
        """The (G, N) values of :func:`staff_values`; read-only (shared between calls)."""
        aims = tuple([g.war_aims for g in governments])
        key = (tuple([(id(a), g.side_index) for a, g in zip(aims, governments)]), opp, cross_border,
               model.p["opportunism_depth_decay"])
        cached = self._cache.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], aims)):  # not a reused id
            return cached[1]
        value = staff_values(model, governments, opp, cross_border)
        value.flags.writeable = False  # shared: the staff's caches keep derived arrays by its identity
        if len(self._cache) > 16:
            self._cache.clear()
        self._cache[key] = (aims, value)
        return value


class BuiltinAI:
    """A greedy, vectorised staff: attack where the local force ratio and war aims favour it,
    mass reserves behind an offensive axis (or at the most threatened district), send
    recruits where units are weakest.

    One instance may serve several governments: :meth:`decide_many` computes all
    their orders in one pass of (governments x districts) array operations, which
    is what keeps the daily loop fast.
    """

    def __init__(self):
        self._route_cache: dict[tuple[int, int, int], np.ndarray] = {}
        self._axis: dict[int, tuple[int, int]] = {}  # government index -> (target district, chosen on day)
        self._alarm: dict[int, tuple[int, int]] = {}  # government index -> (threatened district, chosen on day)
        self._staff_values = StaffValues()
        self._slot_cache: dict[tuple, tuple[np.ndarray, np.ndarray, bool]] = {}
        self._mask_cache: dict[tuple, np.ndarray] = {}  # _stacked: (G, N) masks by attribute and the masks' ids
        self._map_cache: tuple | None = None  # (world, _map's lookups)
        self._zone_cache: tuple | None = None  # (world, g_side, aims, gates, weight, _zone's arrays)
        self._idle_cache: tuple | None = None  # (value, aims, first, _idle's arrays)
        self._fire_cache: dict[int, tuple] = {}  # id(mask) -> (world, mask, {pattern of presence: _fire_on})
        self._none = np.empty(0, np.int64)  # _no_hop's row

    def _value(self, model, governments, opportunism: float, cross_border: float,
               gates: list[bool] | None = None) -> np.ndarray:
        """:func:`staff_values`, rebuilt only when a gate opens or closes (:class:`StaffValues`). ``gates``: each
        government's :meth:`Government.opportunity_open` today, if already asked."""
        opp = tuple([g.open_opportunism(opportunism, gate)
                     for g, gate in zip(governments, gates if gates is not None else [None] * len(governments))])
        return self._staff_values(model, governments, opp, cross_border)

    def _security(self, model, governments, g_side, weight: float, aims: np.ndarray | None = None,
                  gates: list[bool] | None = None) -> np.ndarray:
        """(G, N) value added to districts beyond a government's war aims (and inside its side's
        border region) in proportion to the enemy artillery there that fires into its war aims,
        relative to the district that fires most (among those the zone may take, with ``security_peak_in_zone``;
        else anywhere): ``weight`` for that one, 0 where no gun reaches
        its aims; only while its opportunity is open (the same gate as opportunism), or always with
        ``security_always`` on: the guns are a threat whether or not the enemy is coming apart (the
        Karabakh side took Kalbajar in April 1993, before Azerbaijan's army came apart in June).

        The Karabakh side justified the capture of the districts around Nagorno-Karabakh in 1993 as
        a "security zone" against the guns that shelled it (Aghdam's on Askeran and
        Khankendi/Stepanakert; Fuzuli's on Martuni and Hadrut) and the bases of attacks into it
        (Kalbajar on Aghdara/Mardakert), and took those first; Zangilan, which threatened no part
        of it, last (de Waal 2003, ch. 12; HRW/Helsinki 1994). With equal value for every district
        beyond the aims, the weakest-held fall first, whatever they threaten. ``aims`` (G, N) and
        ``gates`` (:meth:`Government.opportunity_open`), if the caller has them.

        With ``security_restraint`` a government whose own opportunism is 0 (the Republic of Armenia)
        values none of it; with ``home_security`` as well it values the guns that fire into its own
        country (inside its 1991 border) alone: Kalbajar, attacked in March 1993 from four directions,
        Armenia proper among them (Vardenis: the 555th regiment), while Aghdam's guns, which hit only
        Nagorno-Karabakh, were the Karabakh army's business (Wikipedia "Battle of Kalbajar").
        """
        w = model.world
        guns, men = guns_and_men(model.forces, w.n)
        if aims is None:
            aims = self._aims(governments)
        if model.p["security_always"]:
            gates = [True] * len(governments)
        elif gates is None:
            gates = [g.opportunity_open() for g in governments]
        enemy, eligible, scale, home, restrained = self._zone(w, governments, g_side, aims, gates, weight)
        present = men[g_side] > 0
        enemy_guns = guns[enemy]  # (G, N), gathered once for both uses
        threat = enemy_guns * self._fire_on(w, present, aims)  # (G, N)
        if model.p["security_restraint"]:  # a government that never goes beyond its aims has no security zone either
            if model.p["home_security"]:  # ... but for the guns that fire into its own country
                threat = np.where(restrained, enemy_guns * self._fire_on(w, present, home), threat)
            else:
                scale = scale * ~restrained
        # the district that fires most: among those the zone may take (security_peak_in_zone), or anywhere (0, as
        # before: often Tartar, which fires more than any district the zone may take, so those counted a fraction of it)
        peak = (threat * eligible if model.p["security_peak_in_zone"] else threat).max(axis=1, keepdims=True)
        return np.where(eligible & (peak > 0), scale * threat / np.maximum(peak, 1e-12), 0.0)

    def _zone(self, world, governments, g_side: np.ndarray, aims: np.ndarray, gates: list[bool],
              weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_security`'s terms that do not depend on where units stand, kept while the aims, gates and
        weight stay (for months; ``g_side`` is the same array while the governments are): each row's enemy side,
        the districts beyond its aims inside its side's border region, ``weight`` times the gate as a (G, 1)
        column, the districts inside the government's own 1991 border (G, N), and whether its own opportunism
        is 0 (G, 1: ``security_restraint``)."""
        gates = tuple(gates)
        cached = self._zone_cache
        if (cached is None or cached[0] is not world or cached[1] is not g_side or cached[2] is not aims
                or cached[3] != gates or cached[4] != weight):
            cached = self._zone_cache = (world, g_side, aims, gates, weight, 1 - g_side,
                                         ~aims & ~world.beyond_border[g_side],
                                         weight * np.array(gates, dtype=float)[:, None],
                                         world.beyond_border[1 - g_side],
                                         np.array([[g.own_opportunism(1.0) == 0] for g in governments]))
        return cached[5:]

    def _fire_on(self, world, present: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(G, N) share of each district's fire (split evenly among the neighbours where the government's side
        has men, ``present``) that lands on its ``mask`` (its aims, or its own country); kept by the pattern of
        ``present`` (the same on two days in three, as units come and go) while the world and that mask stay."""
        entry = self._fire_cache.get(id(mask))  # an entry holds its mask, so the id is not reused while it stays
        if entry is None or entry[0] is not world or entry[1] is not mask or len(entry[2]) > 512:
            if len(self._fire_cache) > 8:
                self._fire_cache.clear()
            entry = self._fire_cache[id(mask)] = (world, mask, {})
        key = present.tobytes()
        share = entry[2].get(key)
        if share is None:
            targets = present.astype(float) @ world.adjacency
            share = entry[2][key] = (present & mask).astype(float) @ world.adjacency / np.maximum(targets, 1.0)
        return share

    def _guns_first(self, value: np.ndarray, security: np.ndarray, aims: np.ndarray, first: float) -> np.ndarray:
        """``value`` (G, N) with the opportunism of districts beyond the aims from which no gun fires into
        them cut by the share ``first``, for each government some of whose aims are under fire.

        The Karabakh side took the districts whose guns and bases hit Nagorno-Karabakh first (Kalbajar
        in April 1993, Aghdam in July, Fuzuli in August) and Zangilan, which threatened none of it,
        last, at the end of October, though little more than local militia held it all year
        (de Waal 2003, ch. 12; HRW/Helsinki 1994): an opportunity that silences no gun waits until
        none fires. Without this a staff whose odds against a militia are 50 to 1 attacks it at any
        value, so the weakest-held districts fall first whatever the security zone is worth."""
        beyond, cut = self._idle(value, aims, first)
        firing = (security > 0).any(axis=1, keepdims=True)  # (G, 1): some aim of the government is under fire
        idle = beyond & (security == 0)  # opportunities beyond the aims that silence no gun
        return np.where(firing & idle, cut, value)

    def _idle(self, value: np.ndarray, aims: np.ndarray, first: float) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_guns_first`'s terms of the staff's values alone, kept while they stay (the values are
        rebuilt only when a gate opens or closes): the opportunities beyond the aims, and the values cut by
        ``first``."""
        cached = self._idle_cache
        if cached is None or cached[0] is not value or cached[1] is not aims or cached[2] != first:
            cached = self._idle_cache = (value, aims, first, ~aims & (value > 0), value * (1.0 - first))
        return cached[3:]

    def _slots(self, model, governments) -> tuple[np.ndarray, np.ndarray, bool]:
        """(side of each of ``governments``, row of each model government in the (G, N) arrays or -1,
        whether ``governments`` are all the model's)."""
        key = tuple([g.index for g in governments])
        cached = self._slot_cache.get(key)
        if cached is None:
            slot = np.full(len(model.governments), -1)
            slot[list(key)] = np.arange(len(key))
            cached = (np.array([g.side_index for g in governments]), slot, bool((slot >= 0).all()))
            self._slot_cache[key] = cached
        return cached

    def _aims(self, governments) -> np.ndarray:
        """(G, N) bool war aims of ``governments``, rebuilt only when an aim list is replaced."""
        return self._stacked(governments, "war_aims")

    def _theatre(self, governments) -> np.ndarray:
        """(G, N) bool: the districts each of ``governments`` sends reserves to and stages offensives from (its
        ``theatre`` of governments.toml), fixed for a run. Why: the Nagorno-Karabakh Defence Army fought in
        Nagorno-Karabakh and the districts around it, while the Republic of Armenia's army held Armenia's own
        borders (Tavush, Ararat and Syunik); with one side-wide picture the Karabakh staff sent its divisions to
        Ijevan or Ararat against threats of a few hundred Azerbaijani men to a border post there, for months
        of 1993 (docs/notes/capture_order.md, "Stop 46")."""
        return self._stacked(governments, "theatre")

    def _stacked(self, governments, attr: str) -> np.ndarray:
        """(G, N) bool: each of ``governments``' district mask ``attr``, stacked once and kept while none of the
        masks is replaced (keyed by their ids)."""
        key = (attr, *[id(getattr(g, attr)) for g in governments])
        rows = self._mask_cache.get(key)
        if rows is None:
            rows = self._mask_cache[key] = np.vstack([getattr(g, attr) for g in governments]).astype(bool)
        return rows

    def _map(self, world) -> tuple[list[np.ndarray], np.ndarray]:
        """Lookups computed once per world, used every day: for each district the districts with a road
        into it (in the order of ``world.edges``), and the region codes with -1 appended (the region of
        district -1: no target, no home)."""
        if self._map_cache is None or self._map_cache[0] is not world:
            into = [np.array(r, dtype=world.edges.dtype) for r in world.roads_into()]
            self._map_cache = (world, into, np.append(world.region_code, -1))
        return self._map_cache[1:]

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders:
        """Orders for one government (see :meth:`decide_many`)."""
        return self.decide_many(model, [government], situation)

    def decide_many(self, model: KarabakhWar, governments: list[Government], situation: Situation) -> Orders:
        """Orders for all active units of ``governments`` at once."""
        f, w, p = model.forces, model.world, model.p
        g_side, slot, everyone = self._slots(model, governments)
        units = (f.active if everyone else f.active & (slot[f.government] >= 0)).nonzero()[0]
        if len(units) == 0:
            return Orders.hold(units)
        G, n = len(governments), w.n
        gov_u = f.government[units]
        ug = slot[gov_u]  # each unit's row in the (G, N) arrays
        nodes = f.node[units]
        own_share = situation.side_share[g_side]  # (G, N)
        # (G, N+1): the enemy's strength as each staff sees it (distorted under internal intelligence)
        enemy_stand = reported_enemy(governments, situation.stand_padded[1 - g_side], model.rng_reports)
        value = self.target_values(model, governments, g_side)

        # --- attacks. Converging odds: a target counts the CP of every own district that
        # can strike it (its neighbours, and itself if contested), weighted by war aims.
        cell = ug * n + nodes  # each unit's cell in the flattened (G, N) arrays
        converging = self.converging_attack(model, governments, situation, units, cell)
        options = np.empty((G, n + 1))
        options[:, n] = -1.0
        options[:, :n] = np.where(own_share < FULL, converging / np.maximum(enemy_stand[:, :n], 1.0) * value, -1.0)
        # Each unit's reachable targets (its district's neighbourhood: self first, padded with N) and
        # their scores for its government: (U, deg), only where units stand.
        reach = w.neighbourhood[nodes]
        scores = options[ug[:, None], reach]
        pick = scores.argmax(axis=1)
        row = np.arange(len(units))  # the best score is the one at the argmax: no second reduction
        tgt = np.where(scores[row, pick] >= p["attack_ratio_threshold"], reach[row, pick], -1)
        militia = f.kind[units] == MILITIA
        # Militias fight only in their home region (e.g. the NKAO): self-defence detachments joined
        # operations in neighbouring rayons of the oblast (Khojaly, Shusha) but not beyond it.
        # (No target stays -1; a militia without a home, region -1, strikes nowhere.)
        _, region = self._map(w)
        tgt = np.where(militia & (region[tgt] != region[f.home[units]]), -1, tgt)
        draws = model.rng.random((2, len(units)))
        commitment = p["offensive_commitment"] * model.gov_commitment[gov_u]
        target = np.where(draws[0] < commitment, tgt, -1)
        if p["axis_focus"] > 0:  # no draw when off: runs without it stay as they were
            target = self._focus(model, governments, units, ug, nodes, target, p["axis_focus"])
        if p["attack_call_off"] > 0:  # no draw either way
            target = self._call_off(w, situation, units, ug, nodes, target, enemy_stand, p)

        # --- redeployment: reserves go to the most threatened district if the threat is
        # severe, otherwise they mass behind the government's offensive axis.
        held = situation.side_held[g_side]  # (G, N): districts each government's side holds
        # ... and of them, those its staff answers for (staff_theatre; 0: all of them, as before)
        mine = held & self._theatre(governments) if p["staff_theatre"] else held
        own_stand = np.maximum(situation.stand_padded[g_side, :n], 1.0)
        pressure = enemy_stand[:, :n] @ w.adjacency  # (G, N): enemy CP across the line of each district
        threat = np.where(mine, pressure / own_stand, 0.0)
        # Each government's goal and the next hop toward it from every district (-1: none), in Python
        # scalars (a few governments); the highest threat is the value at its argmax.
        hot = threat.argmax(axis=1).tolist()
        goal, hop = [], []
        hold = p["threat_hold_days"]
        for k, gov in enumerate(governments):
            kept = self._kept_alarm(gov, mine[k], situation.day, hold) if hold > 0 else -1
            if kept >= 0:
                goal.append(kept)
            elif threat[k, hot[k]] >= p["breakthrough_ratio"]:
                goal.append(hot[k])
                if hold > 0:
                    self._alarm[gov.index] = (hot[k], situation.day)
            else:
                goal.append(self._staging(model, gov, situation, own_share[k], enemy_stand[k, :n], value[k], mine[k]))
            hop.append(self._next_hop(w, held[k], goal[k], situation.control_version, gov.side_index)
                       if goal[k] >= 0 else self._no_hop(n))
        hop = np.array(hop)
        unit_goal = np.array(goal)[ug]
        leaving = ((target < 0) & ~militia & (nodes != unit_goal) & (unit_goal >= 0)
                   & (draws[1] < p["redeploy_share"]))
        safe = threat.take(cell) < 1.0  # units whose own district is not under pressure may leave ...
        leaving &= safe
        if p["consolidation_days"] > 0:  # ... but not one their side took fewer than so many days ago
            leaving &= ~self._consolidating(model, situation, g_side[ug], nodes, p["consolidation_days"])
        if p["sector_hold"] > 0:  # ... and a sector formation only to a goal in its sector
            leaving &= self._within_sector(model, units, nodes, unit_goal)
        # ... as many as their sector can spare (garrison_cover 0: all of them, without the count)
        moves = leaving if p["garrison_cover"] <= 0 else leaving & spare(
            ug, nodes, leaving, situation.defense_cp[units], own_stand - p["garrison_cover"] * pressure)
        move_to = np.where(moves, hop.take(cell), -1)

        # --- recruits go where units are most depleted.
        initial = f.initial_personnel[units]
        deficit = np.maximum(initial - f.personnel[units], 0.0)
        return Orders(units, target, move_to, deficit + p["recruit_floor_share"] * initial, trusted=True)

    def target_values(self, model: KarabakhWar, governments: list[Government], g_side: np.ndarray) -> np.ndarray:
        """(G, N): what each district is worth to each staff today: its war aims and opportunism (:func:`staff_values`)
        plus, with ``security_value``, the guns beyond its aims that reach its own (computed daily: the guns move).
        Public so that probes read the staff's reasoning instead of copying it (docs/notes/probes/staff_scores.py)."""
        p = model.p
        if p["security_value"] <= 0:
            return self._value(model, governments, p["opportunism"], p["cross_border_value"])
        gates = [g.opportunity_open() for g in governments]  # asked once for both
        value = self._value(model, governments, p["opportunism"], p["cross_border_value"], gates)
        aims = self._aims(governments)
        security = self._security(model, governments, g_side, p["security_value"], aims, gates)
        if p["security_first"] > 0:
            value = self._guns_first(value, security, aims, p["security_first"])
        return value + security

    def converging_attack(self, model: KarabakhWar, governments: list[Government], situation: Situation,
                          units: np.ndarray, cell: np.ndarray) -> np.ndarray:
        """(G, N): the attack CP each staff counts as able to strike each district: its ``units``' attack CP (in
        ``cell``, their government row × N + district) times ``offensive_commitment`` (and the command factor under
        ``staff_cohesion_foresight``), over the approach (neighbours, and the district itself if contested)."""
        p, n = model.p, model.world.n
        G = len(governments)
        own_att = np.bincount(cell, situation.attack_cp[units], minlength=G * n).reshape(G, n) * p["offensive_commitment"]
        if p["staff_cohesion_foresight"] > 0:  # the staff reckons with the CP its command will bring (7.11)
            own_att *= self._command_factor(governments, p)[:, None]
        return own_att @ model.world.approach(p["rough_attack_factor"])

    @staticmethod
    def _command_factor(governments, p) -> np.ndarray:
        """(G,): the share of its units' attack CP a staff expects its command to bring, with foresight
        ``staff_cohesion_foresight`` f: 1 − f·w + f·w·cohesion, w = ``cohesion_attack_weight`` (Command scales the
        attack CP it executes by 1 − w + w·cohesion). Why: a staff that counts its battalions at full strength
        orders attacks its fragmented command cannot carry, and its units bleed in them (docs/notes/capture_order.md,
        "Stop 37"); a staff that knows its army attacks where the odds are good for the army it has."""
        fw = p["staff_cohesion_foresight"] * p["cohesion_attack_weight"]
        return command_scale(np.array([g.cohesion for g in governments]), fw)

    def _focus(self, model, governments, units, ug, nodes, target, focus: float) -> np.ndarray:
        """Drop, each with probability ``focus``, the attacks beyond a unit's own district on any
        target but its government's offensive axis (chosen by :meth:`_staging`, the day before on
        the first day of a new one). A staff ran one operation at a time: the Armenian offensives of
        1993 took Kalbajar, Aghdam, Fuzuli-Jabrayil-Qubadli and Zangilan one after the other, not every
        weakly held district at once (calibration/offensives.csv). A government without an axis yet
        is not constrained."""
        axis = np.array([self._axis.get(g.index, (-1, 0))[0] for g in governments])[ug]
        off_axis = (target >= 0) & (target != nodes) & (axis >= 0) & (target != axis)
        dropped = off_axis & (model.rng.random(len(units)) < focus)
        return np.where(dropped, -1, target)

    @staticmethod
    def _call_off(world, situation, units, ug, nodes, target, enemy_stand, p) -> np.ndarray:
        """Call off the attacks whose assembled strength falls short of ``attack_call_off`` times the enemy's
        defence as the staff sees it. Why: the staff rates a target by the combat power of every own district
        that can strike it, but each unit then takes the best target in its own reach, so the units counted
        for one target go to others, and the one or two units left went in alone: the median Azerbaijani attack
        at odds of 1:4, a quarter of them at 1:20 or worse (docs/notes/attrition.md); attackers assembled about twice the defender's strength in the
        average battle (Dupuy's verities). The odds are counted as the staff counts them: attack CP over the
        approach (tracks and passes), against the defence it is told of."""
        n = world.n
        going = np.flatnonzero(target >= 0)
        if len(going) == 0:
            return target
        goal = target[going]
        cell = ug[going] * n + goal  # each attacking unit's (government, target) cell
        assembled = assembled_attack(situation.attack_cp[units[going]], world.approach(p["rough_attack_factor"]),
                                     nodes[going], goal, ug[going], len(enemy_stand), n).reshape(-1)
        odds = assembled[cell] / np.maximum(enemy_stand[:, :n].reshape(-1)[cell], 1.0)
        out = target.copy()
        out[going[odds < p["attack_call_off"]]] = -1
        return out

    @staticmethod
    def _consolidating(model: KarabakhWar, situation: Situation, side: np.ndarray, nodes: np.ndarray,
                       days: float) -> np.ndarray:
        """Whether each unit (its ``side``, the district it stands in) stands in a district its side holds and took
        fewer than ``days`` days ago (``consolidation_days``): the staff does not take it away as a reserve. Why: with
        the reserves free to leave every district not under pressure, the units that took a district left it within
        weeks, and the other side walked back in: Azerbaijan took Shahumyan on 23 April 1992 in seed 0 with 3,527 men
        out of Goranboy, none was left by 11 May, and the Karabakh side retook it empty on 12 June (docs/notes/capture_order.md,
        "Stop 58"); the record has positions fortified after they were taken (Azerbaijan's Ministry of Defence, 17 June
        1992; docs/notes/goranboy_sources.md) and three to thirteen weeks between the Karabakh offensives of 1993
        (calibration/offensives.csv)."""
        return situation.side_held[side, nodes] & (situation.day - model.taken_on[nodes] < days)

    @staticmethod
    def _within_sector(model: KarabakhWar, units: np.ndarray, nodes: np.ndarray, goal: np.ndarray) -> np.ndarray:
        """Whether each unit may leave for its staff's ``goal`` (the threatened district or the offensive's staging
        district, -1 none) as a reserve under ``sector_hold``: a unit standing in its sector of the front
        (data/sectors.toml) only when the goal lies in that sector; a unit outside its sector, or with none, whatever
        the goal. Why: the sector formations (Azerbaijan's Tartar-Aghdara/Mardakert, Aghdam, Fuzuli-Jabrayil,
        Lachin-Qubadli-Zangilan and Gazakh-Tovuz brigades; the Karabakh army's northern and southern front units;
        Armenia's Zangezur, Tavush and Ararat units: units.csv) held sectors (HRW/Helsinki 1994; de Waal 2003), while
        the model sends every reserve to the most threatened district of the whole war. A unit still attacks across
        its sector's edge and follows its capture there. (Off in the committed set: the formations it holds back are
        the Armenian side's, not the Azerbaijani units that leave Shahumyan; docs/notes/capture_order.md, "Stop 60".)"""
        sector, districts = model.sector_of[units], model.sector_districts  # no (U, N) copy on the daily path
        return ~districts[sector, nodes] | (goal < 0) | districts[sector, np.maximum(goal, 0)]

    def _kept_alarm(self, government, mine: np.ndarray, day: int, hold: float) -> int:
        """The threatened district a staff sent its reserves to fewer than ``hold`` days ago (``threat_hold_days``),
        if it answers for it today (``mine``), else -1. Why: each reserve that left a quiet district for the most
        threatened one made the district it left the most threatened, and the reserves went back within days: a
        Karabakh brigade shuttled between Aghdara/Mardakert and Shahumyan every 2-5 days in March-April 1993 while
        Azerbaijan took whichever it had left (docs/notes/capture_order.md, "Stop 56"); a staff that commits its
        reserves to a sector keeps them there for a while."""
        district, since = self._alarm.get(government.index, (-1, 0))
        if district >= 0 and day - since < hold and mine[district]:
            return district
        return -1

    def _staging(self, model, government, situation, own_share, enemy_stand, value, bases_ok) -> int:
        """The own district from which the current offensive axis is attacked (-1 if none).

        The axis is the frontier district with the weakest defence per unit of value
        (war aims first); it is kept for ``offensive_axis_days`` unless taken, so
        that forces mass instead of dithering. Its bases are the own districts next to it
        that ``bases_ok`` allows (those its staff answers for, :meth:`_theatre`).
        """
        w, p = model.world, model.p
        into, _ = self._map(w)
        axis, since = self._axis.get(government.index, (-1, -10**9))
        keep = (axis >= 0 and own_share[axis] < FULL and bases_ok[into[axis]].any()
                and situation.day - since < p["offensive_axis_days"])
        if not keep:
            src, dst = w.edges[:, 0], w.edges[:, 1]
            frontier = np.zeros(w.n, dtype=bool)
            frontier[dst[bases_ok[src]]] = True
            frontier &= own_share < FULL
            score = np.where(frontier, value / np.maximum(enemy_stand, 1.0), -1.0)
            axis = int(score.argmax())
            if score[axis] <= 0:
                return -1
            self._axis[government.index] = (axis, situation.day)
        bases = into[axis][bases_ok[into[axis]]]
        own_cp = situation.stand_padded[government.side_index]
        return int(bases[own_cp[bases].argmax()])

    def _no_hop(self, n: int) -> np.ndarray:
        """A row of -1 (no next hop from any of ``n`` districts), shared."""
        if len(self._none) != n:
            self._none = np.full(n, -1, np.int64)
        return self._none

    def _next_hop(self, world, held: np.ndarray, goal: int, version: int, side: int) -> np.ndarray:
        """Next district on a shortest own-held path toward ``goal`` (-1 if none); cached per side,
        goal and control state (governments of one side share the same roads)."""
        key = (side, goal, version)
        hop = self._route_cache.get(key)
        if hop is not None:
            return hop
        src, dst = world.edges[:, 0], world.edges[:, 1]
        dist = hop_distances(world, goal, held)
        # For each node, the neighbour with the smallest distance (ties: lowest id, deterministic).
        cand = np.lexsort((dst, dist[dst], src))
        first = np.ones(len(cand), dtype=bool)
        first[1:] = src[cand][1:] != src[cand][:-1]
        hop = np.full(world.n, -1, np.int64)
        best = cand[first]
        improves = dist[dst[best]] < dist[src[best]]
        hop[src[best][improves]] = dst[best][improves]
        if len(self._route_cache) > 256:
            self._route_cache.clear()
        self._route_cache[key] = hop
        return hop


VERBS = ("attack", "move", "hold")
"""What a player may order a unit to do: attack a district, move to one, or hold."""


def check_orders(model: KarabakhWar, government: Government,
                 orders: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Orders as submitted by a player, checked against the map of today; the standing orders
    they become (holds dropped). The first problem is one :class:`InputError` and nothing is kept:
    a unit that is not the government's (unknown or another's: the same message) or is off the map, an unknown verb or district,
    a district not next to the unit (attacks may also strike the unit's own district)."""
    f, w = model.forces, model.world
    checked = {}
    for key, order in orders.items():
        where = f"unit {str(key)[:60]!r}"
        row = model.unit_index.get(key)
        if row is None or f.government[row] != government.index:  # one message: no probing for others' units
            raise InputError("orders", where, f"not a unit of {government.name}")
        if not f.active[row]:
            raise InputError("orders", where, "not on the map (not formed yet, or gone)")
        if not (isinstance(order, (tuple, list)) and len(order) == 2):
            raise InputError("orders", where, "an order is (verb, district)")
        verb, district = order
        if verb not in VERBS:
            raise InputError("orders", where, f"unknown order {str(verb)[:20]!r}; expected one of {', '.join(VERBS)}")
        if verb == "hold":
            continue
        node = w.index.get(district)
        if node is None:
            raise InputError("orders", where, f"unknown district {str(district)[:40]!r}")
        here = int(f.node[row])
        if not (w.adjacency[here, node] > 0 or (verb == "attack" and node == here)):
            raise InputError("orders", where, f"{district} is not next to {w.keys[here]}, where the unit stands")
        checked[key] = (verb, district)
    return checked


class ExternalStrategy:
    """Orders supplied from outside (a wargame player, a notebook, a test).

    Submit a mapping ``{unit_key: ("attack"|"move"|"hold", district_key)}``; units not
    mentioned hold. ``recruit_weights`` shares the recruits (a unit's weight, default 1). Orders stay in force until replaced, like standing orders; a move
    is done once the unit stands in its destination. Given the model and the government,
    :meth:`submit` checks the orders first (:func:`check_orders`).
    """

    def __init__(self):
        self._pending: dict[str, tuple[str, str]] = {}
        self.recruit_weights: dict[str, float] = {}  # unit key -> its weight in the split of recruits (default 1)

    @property
    def standing(self) -> dict[str, tuple[str, str]]:
        """The orders in force (a copy)."""
        return dict(self._pending)

    def submit(self, orders: dict[str, tuple[str, str]], model: KarabakhWar | None = None,
               government: Government | None = None) -> None:
        """Replace the standing orders; with ``model`` and ``government``, check them first
        (a bad order raises :class:`InputError` and leaves the standing orders unchanged)."""
        if model is not None:
            orders = check_orders(model, government, orders)
        self._pending = dict(orders)

    def decide(self, model: KarabakhWar, government: Government, situation: Situation) -> Orders:
        """Translate the standing orders into Orders (validated by the model)."""
        f = model.forces
        units = np.flatnonzero(f.active & (f.government == government.index))
        orders = Orders.hold(units)
        for i, row in enumerate(units):
            orders.reinforce[i] = self.recruit_weights.get(model.unit_keys[row], 1.0)
            action = self._pending.get(model.unit_keys[row])
            if action is None:
                continue
            verb, district = action
            node = model.world.index[district]
            if verb == "attack":
                orders.target[i] = node
            elif verb == "move" and f.node[row] != node:
                orders.move_to[i] = node
        return orders
