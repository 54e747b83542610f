"""The five kinds of actor, as Mesa 3 agents.

* :class:`Government` — Azerbaijan, Armenia, the Nagorno-Karabakh authorities:
  leader, legitimacy, budget and war aims; each day its *strategy* (built-in AI
  or a human player) issues orders to its units.
* :class:`Brigade`, :class:`Militia`, :class:`Mercenary` — military units on the
  district network (``CellAgent`` on a ``discrete_space.Network``). Their numbers
  live in :class:`model.inputs.forces.Forces` rows so the daily dynamics are vectorised;
  the agents expose them as properties for inspection, the wargame and the web view.
* :class:`Patron` — Russia, Turkey, Iran, the Armenian diaspora, the CSCE/UN:
  interests and resources; scenario events make them deliver arms, deploy,
  fund, embargo or mediate, and in a scenario that lets it decide (``endogenous``
  or ``mixed`` mode) its *strategy* (built-in rules or a wargame player) does so
  each month (:mod:`model.actors.patron_policy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent

from ..dynamics.training import join
from ..inputs.forces import KINDS, MERCENARY

if TYPE_CHECKING:
    from ..model import KarabakhWar
    from .patron_policy import PatronStrategy
    from .strategy import Strategy


def _row_field(name: str, doc: str) -> property:
    """A property reading/writing this unit's row of the Forces arrays."""

    def get(self):
        return getattr(self.model.forces, name)[self.row].item()

    def set_(self, value):
        getattr(self.model.forces, name)[self.row] = value

    return property(get, set_, doc=doc)


class Unit(CellAgent):
    """A military unit placed on a district cell; state is its Forces row."""

    kind: str = ""

    def __init__(self, model: KarabakhWar, row: int, key: str, name: str, commander: str, government: Government):
        super().__init__(model)
        self.row = row
        self.key = key
        self.name = name
        self.commander = commander
        self.government = government

    personnel = _row_field("personnel", "Soldiers in the unit.")
    tanks = _row_field("tanks", "Main battle tanks.")
    apcs = _row_field("apcs", "Armoured personnel carriers and IFVs.")
    artillery = _row_field("artillery", "Guns, howitzers and multiple rocket launchers.")
    training = _row_field("training", "Training 0..1.")
    morale = _row_field("morale", "Morale 0..1.")
    supply = _row_field("supply", "Supply 0..1 (falls when cut off from the side's depots).")
    loyalty = _row_field("loyalty", "Loyalty of the commander to the government 0..1.")
    active = _row_field("active", "On the map and fighting.")

    @property
    def side(self) -> str:
        """Neutral side code: 'aze' or 'arm'."""
        return self.government.side

    @property
    def district(self) -> int:
        """Current district node."""
        return int(self.model.forces.node[self.row])

    def place(self, node: int) -> None:
        """Move to a district, keeping the Forces row and the Mesa cell in step (and the day it arrived there)."""
        if self.model.forces.node[self.row] != node:
            self.model.arrived[self.row] = self.model.day
        self.model.forces.node[self.row] = node
        self.cell = self.model.grid[node]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.side}, district={self.model.world.keys[self.district]})"


class Brigade(Unit):
    """Regular unit with heavy equipment, answering to its government."""

    kind = KINDS[0]


class Militia(Unit):
    """Irregular local force: strong at home, weak in offence, may follow a local leader."""

    kind = KINDS[1]

    @property
    def home_district(self) -> int:
        """The district this militia defends."""
        return int(self.model.forces.home[self.row])


class Mercenary(Unit):
    """Contract force: origin, pay, cohesion, contract end; leaves when unpaid or bled."""

    kind = KINDS[2]

    def __init__(self, *args, origin: str = "", **kw):
        super().__init__(*args, **kw)
        self.origin = origin

    cohesion = _row_field("cohesion", "Cohesion 0..1; the contingent leaves below a threshold.")
    pay_usd_month = _row_field("pay_usd_month", "Pay per fighter per month, USD.")


UNIT_CLASSES = {cls.kind: cls for cls in (Brigade, Militia, Mercenary)}


class Government(Agent):
    """A government commanding units of one side; its strategy decides each day."""

    def __init__(self, model: KarabakhWar, key: str, name: str, side: str, capital: int, leader: str,
                 legitimacy: float, budget_musd_per_year: float, war_aims: np.ndarray, strategy: Strategy,
                 recruits_param: str = "recruits_per_day_arm", cohesion: float = 0.5,
                 opportunism: float | None = None, force_generation_start: float = 1.0,
                 training_capacity_param: str = "", theatre: np.ndarray | None = None):
        super().__init__(model)
        self.index = len(model.governments)  # position in model.governments = the Forces.government code
        self.key = key
        self.name = name
        self.side = side
        self.side_index = 0 if side == "aze" else 1
        self.capital = capital
        self.leader = leader
        self.legitimacy = legitimacy
        self.income_musd_per_day = budget_musd_per_year / 365.0
        self.treasury_musd = budget_musd_per_year / 12.0  # one month's reserve (assumption)
        self.war_aims = war_aims  # bool mask over districts
        # bool mask over districts: where its staff sends reserves and stages offensives (BuiltinAI, staff_theatre)
        self.theatre = np.ones_like(war_aims, dtype=bool) if theatre is None else theatre
        self.strategy = strategy
        self.recruits_param = recruits_param  # name of the parameter giving daily recruits at legitimacy 1
        self.cohesion = cohesion  # command cohesion 0..1 (model.mechanisms.command)
        self.opportunism = opportunism  # value of districts outside its war aims; None: the parameter's
        self.force_generation_start = force_generation_start  # recruiting capacity on 1991-12-01 (recruitment.py)
        self.training_capacity_param = training_capacity_param  # parameter capping recruits sent to units a day; "" = none
        self.depot_personnel = 0.0  # recruits waiting to be trained (recruitment.py): in service, not at the front
        self.coup_constraint: str | None = None  # "forbid"/"force"/None, set by coup_constraint events
        self.coup_constraint_until = None
        # Regime politics (model.actors.politics): the regime in power, its listed successors, what its
        # coup-proofing profile does (Effects), a purge in progress (start day, intensity), the
        # regime guard kept away from the front, and the leadership's policies.
        self.regime = None
        self.initial_regime = None
        self.successors: tuple = ()
        self.effects = None
        self.purge: tuple[int, float] | None = None
        self.guard_personnel = 0.0
        self.guard_committed: str | None = None  # the date the regime guard went to the front (commit_guards)
        self.alignment_russia = 0.0
        self.mediation_appetite = 0.5
        self.regime_history: list[dict] = []
        self.in_power_since = -10**9  # day the leadership in power took it (politics.blame_share); long before the start
        self._aims_area: tuple[np.ndarray, np.ndarray, float] | None = None  # (the mask, its km² per district, total)

    def levy(self, share: float) -> float:
        """Send ``share`` of its depots (recruits its army could not train yet, recruitment.py) to its units,
        by the reinforcement weights of its orders, arriving with training ``levy_training``; returns the men
        sent. Called at an offensive's launch (``offensive_levy_share``, tempo.py), when it breaks a ceasefire
        (``revanche_levy_share``, Diplomacy.break_off) and each day for the men who have waited (``depot_wait_days``,
        recruitment.py)."""
        if share <= 0 or self.depot_personnel <= 0:
            return 0.0
        m = self.model
        f = m.forces
        weight = m.reinforce_weight * (f.active & (f.kind != MERCENARY) & (f.government == self.index))
        total = weight.sum()
        if total <= 0:  # no unit to join: the depots wait
            return 0.0
        men = self.depot_personnel * share
        self.depot_personnel -= men
        join(f, weight * (men / total), m.p["levy_training"])
        return men

    def aims_held(self) -> float:
        """Share of the area of its war aims that its side holds today (what it fights for, what it
        has lost): it gates opportunism (BuiltinAI) and drives revanche (Diplomacy)."""
        # Cached by the identity of the mask: aims are replaced (scenario events), never edited in place.
        if self._aims_area is None or self._aims_area[0] is not self.war_aims:
            area = self.model.world.area_km2
            self._aims_area = (self.war_aims, self.war_aims * area, max(float(self.war_aims @ area), 1.0))
        _, aims_km2, total = self._aims_area
        return float(aims_km2 @ self.model.side_share[self.side_index]) / total

    def own_opportunism(self, default: float) -> float:
        """Its value of districts beyond its war aims: its own (governments.toml), else ``default``
        (the ``opportunism`` parameter)."""
        return default if self.opportunism is None else self.opportunism

    def open_opportunism(self, default: float, gate: bool | None = None) -> float:
        """Its opportunism (:meth:`own_opportunism`) while its opportunity is open (:meth:`opportunity_open`,
        or ``gate`` if already asked today), else 0: what a district beyond its aims is worth to it today. A
        government whose opportunism is 0 needs no gate (its value is 0 either way), so the gate is not asked."""
        own = self.own_opportunism(default)
        if not own:
            return own
        return own * (self.opportunity_open() if gate is None else gate)

    def opportunity_open(self) -> bool:
        """Whether districts beyond its war aims are worth fighting for today: its command cohesion
        exceeds the enemy's (the highest among the other side's governments) by
        ``exploitation_gap``, or the enemy's command is coming apart (:meth:`enemy_collapsing`), and its
        side holds ``aims_secured_share`` of its aims' area. The same gate decides the built-in AI's
        attacks and whether opportunism is at stake in breaking a ceasefire (BuiltinAI._value, Diplomacy)."""
        m = self.model
        enemy = m.cohesion_of_side(1 - self.side_index)
        return ((self.cohesion - enemy >= m.p["exploitation_gap"] or self.enemy_collapsing(enemy))
                and self.aims_held() >= m.p["aims_secured_share"])

    def enemy_collapsing(self, enemy: float) -> bool:
        """Whether the enemy's command cohesion ``enemy`` (today's) lies ``collapse_drop`` or more below its
        highest of the last ``collapse_window_days`` days (0: never). Why: the Karabakh forces went beyond
        the NKAO and the Lachin corridor in 1993 as Azerbaijan's army came apart — Kalbajar after
        Huseynov's brigade left the front, Aghdam, Fuzuli, Jabrayil, Qubadli and Zangilan after the Ganja
        revolt — not while the two were matched (de Waal 2003, ch. 12); a gap between two cohesions that
        the better-built army keeps all war long cannot tell those months from the others (ODD 7.6)."""
        m = self.model
        window = int(m.p["collapse_window_days"])
        if window <= 0:
            return False
        past = m.cohesion_history[max(m.day - window + 1, 0):m.day + 1, 1 - self.side_index]
        high = max(float(past.max()), enemy)
        # collapse_from: only an army that had been built (its high at least that) comes apart; 0: any army
        return high - enemy >= m.p["collapse_drop"] and high >= m.p["collapse_from"]

    def __repr__(self) -> str:
        return f"Government({self.key!r}, leader={self.leader!r}, legitimacy={self.legitimacy:.2f})"


class Patron(Agent):
    """An external power: interests, resources and the actions it can take."""

    def __init__(self, model: KarabakhWar, key: str, name: str, alignment: float, arms_stock: dict[str, float],
                 money_musd_per_year: float, interests: list[str], can: list[str], deployed: list[dict],
                 mode: str = "scheduled", policy: dict | None = None, strategy: PatronStrategy | None = None,
                 blockade_supply_loss: float = 0.0):
        super().__init__(model)
        self.key = key
        self.name = name
        self.alignment = alignment  # -1 pro-aze .. +1 pro-arm
        self.arms_stock = dict(arms_stock)
        self.money_musd_per_year = money_musd_per_year
        self.interests = list(interests)
        self.can = list(can)
        self.deployed = [dict(d) for d in deployed]
        self.embargo_on: set[str] = set()  # sides under this patron's embargo
        self.blockade_supply_loss = blockade_supply_loss  # supply a side under its embargo loses (border closed)
        self.mediating = False
        self.mode = mode  # "scheduled", "endogenous" or "mixed" (model.inputs.patrons.MODES)
        self.policy = dict(policy or {})  # parameters of its decision rules (patrons.toml, scenario)
        self.strategy = strategy  # decides each month unless the mode is "scheduled"
        self.delivered: dict[str, float] = {}  # all it has delivered so far, dated events and decisions alike

    def draw_stock(self, delivered: dict[str, float]) -> dict[str, float]:
        """Take a delivery out of the stock, where the stock of that kind is known (it never goes
        below 0), and add it to what the patron has delivered; returns what is left."""
        for kind, value in delivered.items():
            self.delivered[kind] = self.delivered.get(kind, 0.0) + value
            if kind in self.arms_stock:
                self.arms_stock[kind] = max(0.0, self.arms_stock[kind] - value)
        return self.arms_stock

    def __repr__(self) -> str:
        return f"Patron({self.key!r}, alignment={self.alignment:+.2f})"
