"""KarabakhWar: the Mesa model of the 1991-1994 Nagorno-Karabakh war.

One step is one calendar day (default 1991-12-01 to 1994-12-31). Scheduled scenario
events fire before the day (Mesa ``schedule_event``); the day itself is the list of
mechanisms in :data:`model.mechanisms.DAILY_CYCLE` — orders (with diplomacy), combat,
control, regime politics, supply, recruitment, pay, recording — each a small object
in :mod:`model.mechanisms`. This class builds the world, the actors and the state they
share, and offers the public methods through which events, mechanisms and players act
(``reinforce``, ``activate_unit``, ``add_patron_unit``, ``set_params``, ``change_profile``,
``open_mediation``, ...).

A run is a pure function of (scenario, parameters, seed): all randomness comes
from ``self.rng`` (numpy) seeded through Mesa and streams spawned from it, and no
dynamics iterate over an unordered set.
"""

from __future__ import annotations

import datetime as dt
import numbers
import zlib
from collections.abc import Sequence
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import Network

from .actors.agents import UNIT_CLASSES, Brigade, Government, Patron, Unit
from .actors.coup_proofing import check_channels
from .actors.diplomacy import Diplomacy
from .actors.patron_policy import PatronPolicy, check_policy_names
from .actors.politics import install_regime, refresh_effects
from .actors.strategy import BuiltinAI, Situation, Strategy
from .dynamics.combat import Terrain, combat_power, militia_support, prepared_defense, unit_quality, unit_terms
from .errors import InputError
from .inputs import params as params_mod
from .inputs.coding_uncertainty import coding_rng, load_rule, redraw
from .inputs.events import UnitFormation
from .inputs.forces import BRIGADE, KINDS, MERCENARY, MILITIA, Forces, read_units
from .inputs.sectors import load_sectors
from .inputs.governments import RECRUIT_PARAM, load_governments
from .inputs.history import CEASEFIRE_DATE
from .inputs.locations import DATA_DIR
from .inputs.patrons import load_patrons
from .inputs.regimes import load_regimes, regime_sequence
from .inputs.scenario import Scenario, check_references, load_scenario
from .inputs.world import REGIONS, SIDES, World, grown_population, hop_distances, load_world
from .mechanisms import DAILY_CYCLE, Mechanism, Today

__all__ = ["CEASEFIRE_DATE", "HEADLINE", "KarabakhWar"]

LONG_SETTLED = -10**6
"""The day of arrival (``KarabakhWar.arrived``) of the units in place on the start date: long before it."""

HEADLINE = ("days", "arm_held_azssr_km2", "arm_held_azssr_km2_end", "casualties_aze", "casualties_arm",
            "casualties_attacking_aze", "casualties_attacking_arm", "loss_exchange_ratio", "displaced_aze",
            "displaced_arm", "displaced_front_aze", "displaced_front_arm", "deserted_aze", "deserted_arm",
            "personnel_aze", "personnel_arm", "front_aze", "front_arm", "captures", "ceasefires", "coup_attempts_aze", "coups_successful_aze",
            "coup_attempts_arm", "coups_successful_arm")
"""The numeric headline outcomes that :meth:`KarabakhWar.headline` computes and Mesa's DataCollector
reports, weekly and on the last day (names and meanings: :data:`model.outputs.outcomes.OUTCOMES`)."""


def seed(rng):
    """A run's seed as Mesa takes it: any non-negative integer (Python or NumPy, or its text from a
    web form), a SeedSequence or a Generator; anything else is an input error."""
    if isinstance(rng, (np.random.Generator, np.random.SeedSequence)) or rng is None:
        return rng
    try:
        value = int(rng) if isinstance(rng, (str, numbers.Integral)) and not isinstance(rng, bool) else None
    except ValueError:
        value = None
    if value is None or value < 0:
        raise InputError("rng", str(rng)[:40], "a seed must be a non-negative integer")
    return value


class KarabakhWar(mesa.Model):
    """The war on the district network; see the module docstring for the daily cycle.

    Args:
        scenario: built-in scenario name, path to a TOML file, or a resolved Scenario.
        rng: seed (int, also accepted as a string from web forms) or numpy Generator.
        until: optional end date (ISO string or date) earlier than the scenario's.
        world: district network (default: the real one from the data files).
        strategies: optional {government key: Strategy}; default BuiltinAI for all.
        units: optional order-of-battle table (units.csv schema), e.g. for synthetic worlds.
        profiles: optional coup-proofing item overrides per government, applied to all its
            regimes, e.g. ``{"azerbaijan": {"paramilitary_counterweight": 1.0}}`` (experiments).
        mechanisms: the daily cycle, in order (default :data:`model.mechanisms.DAILY_CYCLE`); a study
            can add a mechanism class or knock one out.
        knockouts: coup-proofing channels switched off (:data:`model.actors.coup_proofing.CHANNELS`);
            default none, today's behaviour.
        coding_uncertainty: redraw the low- and medium-confidence items of the coup-proofing coding
            (:mod:`model.inputs.coding_uncertainty`) from a stream spawned from the seed; default off.
        **param_overrides: values for parameters in data/parameters.toml, e.g.
            ``attrition_rate=0.02`` (flat keywords so ``mesa.batch_run`` can sweep them).
    """

    def __init__(self, scenario: str | Path | Scenario = "historical", rng=None, until=None,
                 world: World | None = None, strategies: dict[str, Strategy] | None = None,
                 units=None, profiles: dict[str, dict[str, float]] | None = None,
                 mechanisms: Sequence[type[Mechanism]] | None = None, knockouts: Sequence[str] = (),
                 coding_uncertainty: bool = False, **param_overrides):
        run_seed = seed(rng)
        super().__init__(rng=run_seed)
        self.knockouts = check_channels(knockouts)
        self._coding_rng = coding_rng(run_seed) if coding_uncertainty else None
        # Not `self.scenario`: Mesa 3.5 reserves that name for its own Scenario objects.
        self.war_scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        # The scenario's own values were checked when it was read: what fails here are the keyword overrides.
        self.p = params_mod.resolve({**self.war_scenario.params, **param_overrides},
                                    origin="KarabakhWar(...) keyword arguments")
        self.world = world if world is not None else load_world()
        self.start = self.war_scenario.start
        end = dt.date.fromisoformat(until) if isinstance(until, str) else (until or self.war_scenario.end)
        if not self.start < end <= self.war_scenario.end:
            raise InputError("--until", str(end), f"must be after {self.start} and not after {self.war_scenario.end}")
        self.end = end
        self.n_days = (end - self.start).days + 1
        self.day = 0
        self._date_of: tuple[int, dt.date] = (-1, self.start)  # date's cache: (day, its date)
        # Separate random streams, all from the run's seed: combat and the built-in AI use self.rng;
        # unit draws, events, regime politics and diplomacy get their own, so that a counterfactual
        # that removes a unit, an event or a mediation leaves the other draws unchanged (common random
        # numbers across scenarios).
        # The reports stream (a staff's picture of the front under internal intelligence) is the fifth child:
        # spawning it leaves the first four streams as they were.
        units_ss, events_ss, politics_ss, diplomacy_ss, reports_ss = (
            np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(5))
        self._unit_seed = int(units_ss.generate_state(1, np.uint64)[0])
        self._event_seed = int(events_ss.generate_state(1, np.uint64)[0])
        self.rng_politics = np.random.default_rng(politics_ss)
        self.rng_diplomacy = np.random.default_rng(diplomacy_ss)
        self.rng_reports = np.random.default_rng(reports_ss)
        self.grid = Network(self.world.graph, layout=self.world.positions(), random=self.random)
        self.terrain = Terrain.from_params(self.world.terrain, self.p)

        self._build_actors(strategies or {}, units)
        self._init_state()
        self._init_regimes(profiles or {})
        self.record_personnel()
        self.cohesion_history[0] = self.side_cohesion()
        self.diplomacy = Diplomacy(self)
        self._schedule_events()
        self.mechanisms: list[Mechanism] = [cls(self) for cls in (mechanisms or DAILY_CYCLE)]
        # The headline outcomes under their public names (model.outputs.outcomes): the last row that Mesa's
        # batch_run returns holds the same values as outcomes(model) for these columns.
        self._headline_day, self._headline = -1, {}  # _collected_headline's cache
        self.datacollector = mesa.DataCollector(model_reporters={
            name: (lambda m, name=name: m._collected_headline()[name]) for name in HEADLINE})
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ setup
    def _build_actors(self, strategies: dict[str, Strategy], units) -> None:
        w = self.world
        gov_cfg = load_governments()
        pat_cfg = load_patrons()
        self.governments: list[Government] = []  # file order; Government.index is the position
        default_ai = BuiltinAI()  # one shared staff: decides for all its governments in one pass
        for key, cfg in gov_cfg.items():
            aims = np.zeros(w.n, dtype=bool)
            for d in cfg.war_aims:
                if d in w.index:
                    aims[w.index[d]] = True
            if not aims.any():  # a synthetic world without the real districts: everything is an aim
                aims[:] = True
            capital = w.index.get(cfg.capital, 0)
            unknown = [r for r in cfg.theatre if r not in REGIONS]
            if unknown:
                raise InputError("model/data/governments.toml", f"[{key}].theatre",
                                 f"unknown region(s) {unknown}; expected regions of districts.csv {list(REGIONS)}")
            theatre = np.isin(w.region_code, [REGIONS.index(r) for r in cfg.theatre])
            # none given, or a synthetic world without those regions: everywhere (Government's default)
            theatre = theatre if theatre.any() else None
            self.governments.append(Government(
                self, key=key, name=cfg.name, side=cfg.side, capital=capital, leader=cfg.leader,
                legitimacy=cfg.legitimacy, budget_musd_per_year=cfg.budget_musd_per_year, war_aims=aims,
                strategy=strategies.get(key) or default_ai,
                recruits_param=cfg.recruits_param or RECRUIT_PARAM.get(key, "recruits_per_day_arm"),
                cohesion=cfg.command_cohesion, opportunism=cfg.opportunism,
                force_generation_start=cfg.force_generation_start, training_capacity_param=cfg.training_capacity_param,
                theatre=theatre))
        for g in self.governments:
            for field in ("recruits_param", "training_capacity_param"):
                name = getattr(g, field)
                if name and name not in self.p:
                    raise InputError("model/data/governments.toml", f"[{g.key}].{field}",
                                     f"{name!r} is not a parameter of data/parameters.toml")
        self._gov_by_key = {g.key: g for g in self.governments}
        policy = PatronPolicy()  # the built-in rules, for every patron that decides (scenario mode)
        settings = {k: self.war_scenario.patron_setting(k) for k in pat_cfg}
        self.patrons: list[Patron] = [
            Patron(self, key=k, name=c.name, alignment=c.alignment,
                   arms_stock={n: v for n, v in c.arms_stock.items() if v is not None},
                   money_musd_per_year=c.money_musd_per_year or 0.0, interests=c.interests,
                   can=c.can if settings[k].can is None else settings[k].can, deployed=c.deployed,
                   mode=settings[k].mode, policy={**c.policy, **settings[k].policy},
                   strategy=None if settings[k].mode == "scheduled" else policy,
                   blockade_supply_loss=c.blockade_supply_loss)
            for k, c in pat_cfg.items()]
        self._patron_by_key = {p.key: p for p in self.patrons}

        units = self._unit_table() if units is None else units
        # The names events may use, by kind (also checked for events injected later, e.g. by a wargame umpire).
        self.known_names = {"district": set(w.keys), "unit": set(units["key"]), "government": set(self._gov_by_key),
                            "patron": set(self._patron_by_key), "can": {p.key: p.can for p in self.patrons},
                            "mercenary": set(units.loc[units["kind"] == KINDS[MERCENARY], "key"])}
        check_references(self.war_scenario, self.known_names)
        check_policy_names(self.patrons, self.known_names, self.war_scenario.path)
        if self.war_scenario.exclude_units:
            units = units[~units["key"].isin(self.war_scenario.exclude_units)].reset_index(drop=True)
        gov_index = {g.key: i for i, g in enumerate(self.governments)}
        gov_side = {g.key: g.side_index for g in self.governments}
        self.forces = Forces.from_table(units, w.index, gov_index, gov_side, self._unit_seed)
        self.raised_in = self.forces.node.copy()  # where each unit was raised (its base): set again as it forms
        # the day each unit came to the district it stands in (Unit.place; prepared_defense_bonus)
        self.arrived = np.full(len(self.forces), LONG_SETTLED)
        self.unit_keys = list(units["key"])
        self.unit_index = {k: i for i, k in enumerate(self.unit_keys)}
        self._init_sectors()
        self.units: list[Unit] = []
        for i, row in enumerate(units.itertuples(index=False)):
            cls = UNIT_CLASSES[row.kind]
            extra = {"origin": row.origin} if row.kind == KINDS[MERCENARY] else {}
            agent = cls(self, i, row.key, row.name, row.commander, self.governments[gov_index[row.government]],
                        **extra)
            self.units.append(agent)
        self._formations = [UnitFormation(type="unit_formation", date=dt.date.fromisoformat(d), unit=k,
                                          source="data/units.csv available_from")
                            for k, d, kind in zip(units["key"], units["available_from"], units["kind"])
                            if kind != KINDS[MERCENARY] and dt.date.fromisoformat(d) > self.start]
        for i, (d, kind) in enumerate(zip(units["available_from"], units["kind"])):
            if kind != KINDS[MERCENARY] and dt.date.fromisoformat(d) <= self.start:
                self.activate_unit(i)
        self.arrived[:] = LONG_SETTLED  # the units of the start had held their positions for months (the front of 1991)

    def _init_sectors(self) -> None:
        """Each unit's sector of the front (data/sectors.toml; ``sector_hold``): ``sector_of`` (U,) indexes the rows
        of ``sector_districts`` (S + 1, N), whose last row, every district, is the sector of the units that have none."""
        sectors = load_sectors()
        self.sector_districts = np.ones((len(sectors) + 1, self.world.n), dtype=bool)
        self.sector_of = np.full(len(self.forces), len(sectors), dtype=np.int64)
        for s, sector in enumerate(sectors.values()):
            self.sector_districts[s] = np.isin(np.array(self.world.keys), sector.districts)
            for key in sector.units:
                if key in self.unit_index:  # not left out by the scenario
                    self.sector_of[self.unit_index[key]] = s

    def _unit_table(self):
        world_keys = frozenset(self.world.keys)
        table = read_units(DATA_DIR / "units.csv", world_keys, frozenset(g.key for g in self.governments))
        return table

    def _init_state(self) -> None:
        w = self.world
        self.arm_share = w.arm_share_start.copy()
        self.side_share = np.vstack([1.0 - self.arm_share, self.arm_share])  # (2, N), kept in step
        self.held_by_arm = (w.districts["side_start"] == "arm").to_numpy()
        self.side_held = np.vstack([~self.held_by_arm, self.held_by_arm])  # (2, N), kept in step
        self.control_version = 0
        self.taken_on = np.full(w.n, LONG_SETTLED)  # the day each district last changed holder (consolidation_days)
        # Civilians by ethnicity (index 0 = Azerbaijani, 1 = Armenian): 1989 census, grown to the start date.
        self.area_azssr_km2 = w.azssr_area  # the Azerbaijan SSR (with Nakhchivan): outside the Armenian SSR
        pop = grown_population(w.population, self.start, self.p["population_growth_per_year"])
        self.civilians = np.vstack([pop * w.share_azerbaijani, pop * w.share_armenian])
        self.casualties = np.zeros(2)
        self.casualties_attacking = np.zeros(2)  # of them, lost in their own side's attacks (Combat)
        self.combat_days = np.zeros(2)  # days on which each side's units fought an engagement (war experience)
        self.gov_casualties = np.zeros(len(self.governments))  # military casualties by government
        self.offensives: list[dict] = []  # offensives launched (model.mechanisms.tempo)
        self.displaced = np.zeros(2)  # all who fled, by nation ...
        self.displaced_front = np.zeros(2)  # ... of whom fled shelling rather than a capture (mechanisms.flight)
        self.deserted = np.zeros(2)  # soldiers who left under attack, by side (mechanisms.desertion)
        self.captures: list[dict] = []
        self.coups: list[dict] = []
        self.dismissals: list[dict] = []  # commanders relieved for a lost district (actors.politics.dismiss_scapegoats)
        self.ceasefires: list[dict] = []
        self.mediations: list[dict] = []
        self.patron_decisions: list[dict] = []  # each patron decision: date, patron, action, quantity, trigger
        self.event_log: list[dict] = []
        self.check_all_orders = False  # True: check even the built-in AI's orders (tests)
        self.rejected_orders = 0  # orders dropped by the checks (illegal attacks or moves)
        self.control_history = np.empty((self.n_days + 1, w.n), dtype=np.float32)
        self.control_history[0] = self.arm_share
        self.casualty_history = np.zeros((self.n_days + 1, 2))
        self.displaced_history = np.zeros((self.n_days + 1, 2))
        self.displaced_front_history = np.zeros((self.n_days + 1, 2))  # of them, those who fled shelling
        self.personnel_history = np.zeros((self.n_days + 1, 2))  # in service by side (personnel_in_service)
        self.front_history = np.zeros((self.n_days + 1, 2))  # of them, in the units on the map (personnel_in_units)
        self.cohesion_history = np.zeros((self.n_days + 1, 2))  # each side's highest command cohesion (side_cohesion)
        self.reinforce_weight = np.ones(len(self.forces))  # each unit's share of recruits (set by orders)
        self.gov_cp_factor = np.ones(len(self.governments))  # set by the regimes' profiles
        self.gov_commitment = np.ones(len(self.governments))
        self.gov_guard_share = np.zeros(len(self.governments))  # share of recruits kept in the regime guard
        self.gov_loyalty_gain = np.zeros(len(self.governments))  # screening's pull toward loyalty
        self.patron_backing = np.zeros(len(self.forces))  # 1 where a patron courts the unit's commander
        self.foreign = np.zeros(len(self.forces), dtype=bool)  # patron forces: fight, never plot coups
        self.off_front = np.zeros(len(self.forces), dtype=bool)  # relieved commanders who took their unit off the front
        self._hops_cache: dict[int, np.ndarray] = {}  # road hops from a capital (coup contests)

    def _init_regimes(self, profiles: dict[str, dict[str, float]]) -> None:
        """Put each government's regime of the start date in power; set up its regime guard."""
        all_regimes = load_regimes()
        if self._coding_rng is not None:
            all_regimes = redraw(all_regimes, self._coding_rng, load_rule())
        unknown = sorted(set(profiles) - set(self._gov_by_key))
        if unknown:
            raise InputError("profiles", ", ".join(unknown), f"unknown government; known: {', '.join(self._gov_by_key)}")
        f = self.forces
        for gov in self.governments:
            if gov.key not in all_regimes:
                raise InputError("model/data/coup_proofing.csv", f"government {gov.key!r}", "has no regime profile")
            seq = [r.with_items(profiles.get(gov.key, {})) for r in regime_sequence(all_regimes[gov.key], self.start)]
            gov.successors = tuple(seq[1:])
            install_regime(self, gov, seq[0], "start")
            # The regime guard (item 10) is drawn from the brigades in service at the start.
            guard = f.active & (f.government == gov.index) & (f.kind == BRIGADE)
            taken = f.personnel[guard] * gov.effects.counterweight_share
            # The guard's men leave the front, unless guard_withheld is knocked out (then the guard is notional).
            if "guard_withheld" not in self.knockouts:
                f.personnel[guard] -= taken
            gov.guard_personnel = float(taken.sum())

    def hops_from(self, node: int) -> np.ndarray:
        """Road hops from ``node`` to every district (large where unreachable); cached."""
        hops = self._hops_cache.get(node)
        if hops is None:
            hops = self._hops_cache[node] = hop_distances(self.world, node)
        return hops

    def reward_commander(self, gov: Government, row: int) -> float:
        """``gov`` rewards the commander of unit ``row`` (money, rank, privileges: material inducements,
        Quinlivan 1999): loyalty rises by ``reward_loyalty_gain`` (up to 1) for ``reward_cost_musd`` from
        its treasury. Used by players' orders (the built-in AI does not reward); returns the new loyalty."""
        gov.treasury_musd -= self.p["reward_cost_musd"]
        self.forces.loyalty[row] = min(1.0, self.forces.loyalty[row] + self.p["reward_loyalty_gain"])
        return float(self.forces.loyalty[row])

    def court_unit(self, row: int, patron: Patron) -> None:
        """A patron arms a unit directly: its commander gains a backer and loses loyalty."""
        self.patron_backing[row] = 1.0
        self.forces.loyalty[row] = max(0.0, self.forces.loyalty[row] - self.p["courting_loyalty_loss"])

    def _schedule_events(self) -> None:
        # Each event draws its uncertain quantities from its own stream, keyed by the event's
        # identity (id, or type/date/occurrence), so removing one event in a counterfactual does
        # not change what the others deliver (common random numbers across scenarios).
        base = self._event_seed
        self._event_seeds: dict[int, np.random.SeedSequence] = {}
        seen: dict[str, int] = {}
        for ev in self.war_scenario.events:
            label = ev.id or f"{ev.type}|{ev.date}"
            seen[label] = seen.get(label, 0) + 1
            key = zlib.crc32(f"{label}|{seen[label]}".encode())
            self._event_seeds[id(ev)] = np.random.SeedSequence([base, key])
        self._events_by_day: dict[int, list] = {}
        for ev in (*self._formations, *self.war_scenario.events):
            day = (ev.date - self.start).days
            if 0 <= day < self.n_days:
                self._events_by_day.setdefault(day, []).append(ev)
        for day in sorted(self._events_by_day):
            # Fire half a time unit before the step that simulates `day` (step k runs at time k + 1).
            self.schedule_event(self.fire_due_events, at=day + 0.5)

    # --------------------------------------------------------------- lookups
    def government(self, key: str) -> Government:
        """Government by key ('azerbaijan', 'armenia', 'nagorno_karabakh')."""
        return self._gov_by_key[key]

    def patron(self, key: str) -> Patron:
        """Patron by key ('russia', 'turkey', 'iran', 'armenian_diaspora', 'csce_un')."""
        return self._patron_by_key[key]

    @property
    def date(self) -> dt.date:
        """Calendar date of the day simulated next (or the last one, once finished); computed once a day
        (read a few times a day by politics and events)."""
        if self._date_of[0] != self.day:
            self._date_of = (self.day, self.start + dt.timedelta(days=min(self.day, self.n_days - 1)))
        return self._date_of[1]

    def set_params(self, overrides: dict[str, float], origin: str = "parameters") -> None:
        """Change parameters mid-run (parameter_change events, the wargame)."""
        checked = params_mod.resolve(overrides, origin=origin)  # rejects unknown names
        self.p = {**self.p, **{k: checked[k] for k in overrides}}
        self.terrain = Terrain.from_params(self.world.terrain, self.p)

    def change_profile(self, gov: Government, items: dict[str, float]) -> None:
        """Change items of the coup-proofing profile of ``gov``'s regime in power (profile_change events)."""
        gov.regime = gov.regime.with_items(items)
        refresh_effects(self, gov)

    def open_mediation(self, mediator: str, pressure: float, terms: str) -> bool:
        """A mediator's initiative: record it and open a ceasefire proposal, or renew the ceasefire in
        force (mediation events); returns whether it renewed one."""
        self.patron(mediator).mediating = True
        self.mediations.append({"date": str(self.date), "mediator": mediator, "terms": terms, "pressure": pressure})
        return self.diplomacy.propose(mediator, pressure, terms)

    # ------------------------------------------------------- event handlers
    def event_rng(self, event) -> np.random.Generator:
        """The random stream of one scheduled event (for ranged, disputed quantities)."""
        seq = self._event_seeds.get(id(event))
        if seq is None:  # an event applied from outside the scenario (wargame, tests)
            seq = np.random.SeedSequence([int(self.rng.integers(2**63))])
        return np.random.default_rng(seq)

    def fire_due_events(self) -> None:
        """Apply the scheduled events of the day about to be simulated (Mesa calls this before the step)."""
        for ev in self._events_by_day.pop(self.day, []):
            self.apply_event(ev)

    def apply_event(self, ev, stream: str | None = None) -> str:
        """Apply one scenario event now and log it: the one path for scheduled events, for those
        injected from outside between days (the wargame's umpire) and for patrons' decisions. Returns
        the log message. ``stream`` names the event's own random stream (a patron's decision), so it
        draws nothing from the shared ones."""
        if stream is not None:
            self._event_seeds[id(ev)] = np.random.SeedSequence([self._event_seed, zlib.crc32(stream.encode())])
        try:
            message = ev.apply(self)
        finally:
            if stream is not None:
                self._event_seeds.pop(id(ev), None)
        self.event_log.append({"date": str(self.date), "type": ev.type, "id": ev.id, "message": message})
        return message

    def activate_unit(self, row: int, district: str | None = None, government: str | None = None,
                      behind_the_line: bool = False) -> str | None:
        """Put a unit on the map (formation, mercenary arrival). ``behind_the_line`` (units that form or
        arrive during the run): if its side does not hold the district, the unit forms in the nearest
        district its side holds (fewest road hops; ties: the lowest index) — a brigade raised for a sector
        the enemy has since taken forms behind the front line, not inside the enemy's lines (until
        2026-12-03 it appeared there, cut off). Returns that district's key when moved, else None."""
        f = self.forces
        if government:
            gov = self.government(government)
            f.government[row], f.side[row] = gov.index, gov.side_index
            self.units[row].government = gov
        if district:
            f.node[row] = self.world.index[district]
        moved = None
        if behind_the_line and not self.side_held[f.side[row], f.node[row]]:
            held = np.flatnonzero(self.side_held[f.side[row]])
            if len(held):
                f.node[row] = int(held[np.argmin(self.hops_from(int(f.node[row]))[held])])
                moved = self.world.keys[f.node[row]]
        self.raised_in[row] = f.node[row]
        self.arrived[row] = self.day  # a unit that forms or arrives has prepared no position yet
        f.active[row] = True
        f.supply[row] = 1.0
        self.units[row].place(int(f.node[row]))
        return moved

    def deactivate_unit(self, row: int) -> None:
        """Take a unit off the map (destroyed, disbanded, contract over)."""
        self.forces.active[row] = False
        self.forces.target[row] = -1
        self.forces.recovering[row] = 0.0  # its wounded do not follow the row to a later employer (mercenaries)
        unit = self.units[row]
        if unit.cell is not None:
            unit.cell.remove_agent(unit)
            unit._mesa_cell = None

    def reinforce(self, gov: Government, delivery: dict[str, float], rows: list[int] | None,
                  near: int | None = None) -> None:
        """Share delivered men and equipment among a government's active units.

        Equipment goes to brigades (or the named unit), in proportion to their
        personnel; ``near`` restricts it to units in or next to that district when any are.
        """
        f = self.forces
        if rows is None:
            mask = f.active & (f.government == gov.index) & (f.kind != MILITIA)
            if near is not None:
                close = mask & (self._adjacent_or_same(f.node, near))
                mask = close if close.any() else mask
            if not mask.any():
                mask = f.active & (f.government == gov.index)
            rows = list(np.flatnonzero(mask))
        if not rows:
            return
        rows = np.asarray(rows)
        w = f.personnel[rows] / max(f.personnel[rows].sum(), 1.0)
        for attr in ("personnel", "tanks", "apcs", "artillery"):
            getattr(f, attr)[rows] += w * delivery[attr]

    def _adjacent_or_same(self, nodes: np.ndarray, target: int) -> np.ndarray:
        neigh = self.world.edges[self.world.edges[:, 0] == target, 1]
        return (nodes == target) | np.isin(nodes, neigh)

    def add_patron_unit(self, patron: Patron, ev, q: dict[str, float]) -> None:
        """A patron force that fights for a government joins as a brigade.

        Its strength comes from the event (sourced there); its quality is an assumption: a
        regular foreign army (training 0.7, morale 0.6) with no stake in the host regime's
        politics (loyalty 0.5, and it never plots: ``self.foreign``).
        """
        gov = self.government(ev.fights_for)
        f = self.forces
        row = len(f)
        for attr, value in (("side", gov.side_index), ("government", gov.index), ("kind", BRIGADE),
                            ("node", self.world.index[ev.district]), ("home", -1), ("active", False),
                            ("personnel", q["personnel"]), ("tanks", q["tanks"]), ("apcs", q["apcs"]),
                            ("artillery", q["artillery"]), ("training", 0.7), ("base_training", 0.7), ("morale", 0.6),
                            ("base_morale", 0.6), ("supply", 1.0), ("loyalty", 0.5), ("base_loyalty", 0.5),
                            ("cohesion", 1.0),
                            ("target", -1), ("pay_usd_month", 0.0), ("contract_end_day", 10**9),
                            ("initial_personnel", q["personnel"]), ("recovering", 0.0)):
            arr = getattr(f, attr)
            setattr(f, attr, np.append(arr, np.array([value], dtype=arr.dtype)))
        key = f"{patron.key}:{ev.unit_name}"
        self.unit_keys.append(key)
        self.unit_index[key] = row
        self.units.append(Brigade(self, row, key, ev.unit_name, "", gov))
        self.reinforce_weight = np.append(self.reinforce_weight, 1.0)
        self.patron_backing = np.append(self.patron_backing, 0.0)
        self.foreign = np.append(self.foreign, True)
        self.off_front = np.append(self.off_front, False)
        self.raised_in = np.append(self.raised_in, f.node[row])
        self.sector_of = np.append(self.sector_of, len(self.sector_districts) - 1)  # a patron force: no sector
        self.arrived = np.append(self.arrived, self.day)
        self.activate_unit(row)

    def withdraw_patron_unit(self, patron: Patron, ev) -> None:
        """Remove a patron force that fought as a unit, if there is one."""
        row = self.unit_index.get(f"{patron.key}:{ev.unit_name}")
        if row is not None and self.forces.active[row]:
            self.deactivate_unit(row)

    # ------------------------------------------------------------------ step
    def situation(self, since: Situation | None = None, moved: list[int] | None = None) -> Situation:
        """Today's shared picture (combat power of every unit and district). ``since``: an earlier
        picture of this state in which units stood elsewhere (orders moved them, nothing else
        changed): what does not depend on where units stand is taken from it; ``moved``: the rows of
        the units that moved since (if known), so that the militias' support is taken from it too
        when none of them is a militia."""
        f, n = self.forces, self.world.n
        terms = unit_terms(f, self.p, unit_quality(f, self.p, self.gov_cp_factor)) if since is None else since.terms
        attack, defense = combat_power(f, self.terrain, self.p, terms=terms)
        if self.p["prepared_defense_bonus"] > 0:  # off: no work, the model as before
            defense = defense * prepared_defense(self.day - self.arrived, f.kind, self.p["prepared_defense_bonus"],
                                                 self.p["prepared_defense_days"])
        stand = np.bincount(f.side.astype(np.int64) * (n + 1) + f.node, defense,
                            minlength=2 * (n + 1)).reshape(2, n + 1)
        standing = support = None
        if self.p["militia_support_share"] > 0:  # staffs count on the neighbours' detachments too
            standing = stand[:, :n].copy()
            support = self._militia_support(defense, since, moved)
            stand[:, :n] += support
        return Situation(day=self.day, arm_share=self.arm_share, held_by_arm=self.held_by_arm, side_held=self.side_held,
                         side_share=self.side_share, attack_cp=attack, defense_cp=defense,
                         stand_padded=stand, standing=standing, support=support,
                         control_version=self.control_version, terms=terms)

    def _militia_support(self, defense: np.ndarray, since: Situation | None, moved: list[int] | None) -> np.ndarray:
        """(2, N) the active militias' support to the neighbouring districts of their region; that of
        ``since`` if only the units ``moved`` have moved since and none is a militia (it depends only on where
        the militias stand and their defensive CP there)."""
        f = self.forces
        if since is not None and since.support is not None and moved is not None and all(
                f.kind[row] != MILITIA for row in moved):
            return since.support
        return militia_support(f, defense, self.p, self.world.region_adjacency, (f.kind == MILITIA) & f.active)

    def mechanism(self, cls: type[Mechanism]) -> Mechanism:
        """The instance of a mechanism class in this model's daily cycle (e.g. ``Orders``)."""
        for m in self.mechanisms:
            if isinstance(m, cls):
                return m
        raise KeyError(f"{cls.__name__} is not in this model's daily cycle")

    def step(self) -> None:
        """Simulate one day: each mechanism of the daily cycle in order (``model.mechanisms``)."""
        today = Today()
        for mechanism in self.mechanisms:
            mechanism.step(self, today)

    # -------------------------------------------------------------- running
    def run(self, progress=None) -> KarabakhWar:
        """Run to the end date; ``progress`` is an optional callable(days_done)."""
        while self.running:
            self.step()
            if progress is not None:
                progress(1)
        return self

    # -------------------------------------------------------------- metrics
    @property
    def arm_held_azssr_km2(self) -> float:
        """The headline area: km² of the Azerbaijan SSR (with Nakhchivan) held by the arm side now.
        The same name in :func:`model.outputs.outcomes.outcomes` is its value on 1994-05-12."""
        return float((self.area_azssr_km2 * self.arm_share).sum())

    def _collected_headline(self) -> dict[str, float | int]:
        """:meth:`headline`, computed once per day however many reporters read it."""
        if self._headline_day != self.day:
            self._headline_day, self._headline = self.day, self.headline()
        return self._headline

    def headline(self) -> dict[str, float | int]:
        """The numeric headline outcomes of the run so far (:data:`HEADLINE`), named and computed as in
        :func:`model.outputs.outcomes.outcomes`, which adds dates, per-government coups and capture days:
        ``arm_held_azssr_km2`` is the area on 1994-05-12 once that day has passed, ``..._end`` the area now."""
        then = self.record_day()  # area and personnel on 1994-05-12 (casualties, displaced: to date)
        share = self.arm_share if then == self.day else self.control_history[then]  # today's at full precision
        side_of = {g.key: g.side for g in self.governments}
        coups = [c for c in self.coups if c["kind"] == "coup"]
        row: dict[str, float | int] = {
            "days": self.day,
            "arm_held_azssr_km2": float((self.area_azssr_km2 * share).sum()),
            "arm_held_azssr_km2_end": self.arm_held_azssr_km2,
            "casualties_aze": float(self.casualties[0]),
            "casualties_arm": float(self.casualties[1]),
            "casualties_attacking_aze": float(self.casualties_attacking[0]),
            "casualties_attacking_arm": float(self.casualties_attacking[1]),
            "loss_exchange_ratio": float(self.casualties[0] / max(self.casualties[1], 1.0)),
            "displaced_aze": float(self.displaced[0]),
            "displaced_arm": float(self.displaced[1]),
            "displaced_front_aze": float(self.displaced_front[0]),
            "displaced_front_arm": float(self.displaced_front[1]),
            "deserted_aze": float(self.deserted[0]),
            "deserted_arm": float(self.deserted[1]),
            "personnel_aze": float(self.personnel_history[then, 0]),
            "personnel_arm": float(self.personnel_history[then, 1]),
            "front_aze": float(self.front_history[then, 0]),
            "front_arm": float(self.front_history[then, 1]),
            "captures": len(self.captures),
            "ceasefires": len(self.ceasefires),
        }
        for side in SIDES:
            row[f"coup_attempts_{side}"] = sum(side_of.get(c["country"]) == side for c in coups)
            row[f"coups_successful_{side}"] = sum(side_of.get(c["country"]) == side and bool(c["success"])
                                                  for c in coups)
        return row

    def record_day(self) -> int:
        """Row of the daily histories on 1994-05-12, the day the documented targets count (area, forces,
        casualties and displaced in calibration/targets.toml), or today's if the run has not reached it."""
        cf = (CEASEFIRE_DATE - self.start).days
        return cf if 0 <= cf <= self.day else self.day

    casualties_aze = property(lambda self: float(self.casualties[0]), doc="Military casualties, aze side.")
    casualties_arm = property(lambda self: float(self.casualties[1]), doc="Military casualties, arm side.")
    displaced_aze = property(lambda self: float(self.displaced[0]), doc="Azerbaijani civilians displaced.")
    displaced_arm = property(lambda self: float(self.displaced[1]), doc="Armenian civilians displaced.")
    displaced_front_aze = property(lambda self: float(self.displaced_front[0]),
                                   doc="Azerbaijani civilians displaced by shelling (part of displaced_aze).")
    displaced_front_arm = property(lambda self: float(self.displaced_front[1]),
                                   doc="Armenian civilians displaced by shelling (part of displaced_arm).")

    def record_personnel(self) -> None:
        """Store today's men in the units on the map and in service (:meth:`personnel_in_units`,
        :meth:`personnel_in_service`), counting the units once: on the first day and at each day's end (Recording)."""
        self.front_history[self.day] = self.personnel_in_units()
        self.personnel_history[self.day] = self.personnel_in_service(self.front_history[self.day])

    def personnel_in_units(self) -> np.ndarray:
        """Personnel by side (aze, arm) in the active units on the map: the men who can fight, apart from the
        regime guards and the depots (calibration/targets.toml, front_aze)."""
        f = self.forces
        return np.bincount(f.side[f.active], f.personnel[f.active], minlength=2)[:2]

    def personnel_in_service(self, in_units: np.ndarray | None = None) -> np.ndarray:
        """Personnel by side (aze, arm) in the active units (``in_units``, if already counted today), the regime
        guards and the depots: what a count of a country's forces in being holds (calibration/targets.toml,
        forces_*)."""
        out = (self.personnel_in_units() if in_units is None else in_units).copy()
        guard = "guard_withheld" not in self.knockouts  # otherwise the guard is notional: its men are in the units
        for gov in self.governments:  # the guard, and the recruits in the depots waiting to be trained
            out[gov.side_index] += (gov.guard_personnel if guard else 0.0) + gov.depot_personnel
        return out

    def side_cohesion(self) -> np.ndarray:
        """(aze, arm): the highest command cohesion among each side's governments (0 where it has none)."""
        return np.array([self.cohesion_of_side(0), self.cohesion_of_side(1)])

    def cohesion_of_side(self, side: int) -> float:
        """The highest command cohesion among the governments of ``side`` (0 if it has none): the enemy's
        cohesion as a government's opportunity gate reads it (Government.opportunity_open), asked a few
        times a day; a Python float (an array of two for one entry costs several times as much)."""
        out = 0.0
        for gov in self.governments:
            if gov.side_index == side:
                out = max(out, gov.cohesion)
        return float(out)

    def side_names(self) -> tuple[str, ...]:
        """Neutral side codes in index order."""
        return SIDES
