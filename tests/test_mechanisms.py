"""The mechanisms of the daily cycle that shape the war's tempo: command cohesion, operational
tempo and seasons. Each test can fail: it compares a mechanism switched to an extreme with the
same run where it is not, or checks a computed value."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import synthetic_model
from model import KarabakhWar
from model.actors.politics import blame_share, dismiss_scapegoats, install_regime, refuses_orders, update_legitimacy
from model.actors.strategy import BuiltinAI, Orders
from model.dynamics.combat import DayResult, fight
from model.dynamics.cover import spare
from model.inputs.forces import BRIGADE, MERCENARY, MILITIA
from model.inputs.world import REGIONS
from model.mechanisms import DAILY_CYCLE, Command, Control, Desertion, Mechanism, Recruitment, Season, Tempo, Today
from model.mechanisms import Orders as OrdersMechanism


class AttackProbe(Mechanism):
    """Records, after Command, which governments still had units ordered to attack."""

    def __init__(self, model):
        self.attacked = np.zeros(len(model.governments), dtype=int)

    def step(self, model, today):
        f = model.forces
        self.attacked += np.bincount(f.government[f.target >= 0], minlength=len(model.governments)) > 0


def _cycle_with_probe():
    cycle = list(DAILY_CYCLE)
    cycle.insert(cycle.index(Command) + 1, AttackProbe)
    return cycle


def test_a_government_without_command_cohesion_executes_no_attack():
    m = synthetic_model(seed=3, days=120, mechanisms=_cycle_with_probe(), cohesion_build_per_day=0.0)
    aze, arm = m.government("azerbaijan"), m.government("armenia")
    aze.cohesion = 0.0
    m.run()
    probe = m.mechanism(AttackProbe)
    assert probe.attacked[aze.index] == 0
    assert probe.attacked[arm.index] > 0  # the other side, whose command holds, does attack


def test_with_operation_draws_an_attack_goes_ahead_with_all_its_units_or_none():
    """operation_draw_share 1: the units one government sends against one target share one execution draw, so a
    fragmented command's attack goes in whole or not at all; with a draw per unit (0) some go and some do not."""
    def outcomes(share):
        m = synthetic_model(seed=3, days=30, operation_draw_share=share, cohesion_build_per_day=0.0)
        aze, f, command = m.government("azerbaijan"), m.forces, m.mechanism(Command)
        aze.cohesion = 0.5
        mine = np.flatnonzero(f.active & (f.government == aze.index))[:4]
        f.loyalty[mine] = 1.0
        seen = set()
        for _ in range(40):
            f.target[:] = -1
            f.target[mine] = 0
            command.step(m, Today(situation=m.situation()))
            seen.add(int((f.target[mine] >= 0).sum()))
        return seen

    assert outcomes(1.0) == {0, 4}
    assert outcomes(0.0) - {0, 4}  # units drawn alone: some attacks go in with only part of their units


def test_cohesion_grows_toward_legitimacy_and_falls_at_a_change_of_power():
    m = synthetic_model(seed=3, days=30)
    gov = m.government("azerbaijan")
    command = m.mechanism(Command)
    p = m.p
    before = gov.cohesion
    command.step(m, Today(situation=m.situation()))
    assert gov.cohesion == pytest.approx(before + p["cohesion_build_per_day"] * (gov.legitimacy - before))
    after_growth = gov.cohesion
    install_regime(m, gov, gov.successors[0], "coup")
    command.step(m, Today(situation=m.situation()))
    cut = after_growth * (1 - p["regime_change_cohesion_loss"])
    assert gov.cohesion == pytest.approx(cut + p["cohesion_build_per_day"] * (gov.legitimacy - cut))


def test_with_a_lower_legitimacy_weight_cohesion_builds_partly_toward_a_built_army():
    """cohesion_legitimacy_weight w: cohesion closes cohesion_build_per_day of the gap to w x legitimacy +
    (1 - w); an unpopular government's army still builds its order, a popular one's no faster than at w = 1."""
    def one_day(w, legitimacy):
        m = synthetic_model(seed=3, days=30, cohesion_legitimacy_weight=w)
        gov = m.government("azerbaijan")
        gov.legitimacy, gov.cohesion = legitimacy, 0.4
        m.mechanism(Command).step(m, Today(situation=m.situation()))
        return gov.cohesion, m.p["cohesion_build_per_day"]

    low, build = one_day(0.5, 0.2)
    full = one_day(1.0, 0.2)[0]
    assert low == pytest.approx(0.4 + build * (0.5 * 0.2 + 0.5 - 0.4))
    assert low > full  # at w = 1 it falls toward the low legitimacy
    assert full == pytest.approx(0.4 + build * (0.2 - 0.4))
    assert one_day(0.0, 0.2)[0] == pytest.approx(one_day(0.0, 0.9)[0])  # at w = 0 legitimacy plays no part


def test_resting_governments_fight_only_in_their_own_districts():
    moving = synthetic_model(seed=2, days=150).run()
    resting = synthetic_model(seed=2, days=150, offensive_rest_days=3650).run()  # its max: longer than the run
    assert len(moving.captures) > 0 and len(moving.offensives) > 0
    assert resting.offensives == [] and resting.captures == []


def test_offensives_culminate_when_their_losses_reach_the_share():
    m = synthetic_model(seed=2, days=200, culmination_loss_share=0.01, offensive_max_days=90).run()
    fighting = ("azerbaijan", "armenia")  # the synthetic world gives the third government no units
    ended = [o for o in m.offensives if o["end"] and o["government"] in fighting]
    assert ended and all(o["ended_by"] == "culmination" for o in ended)
    long = synthetic_model(seed=2, days=200, culmination_loss_share=0.4, offensive_max_days=20).run()
    assert any(o["ended_by"] == "duration" for o in long.offensives)


def test_an_offensive_ends_once_its_side_takes_a_district_beyond_the_aims():
    """objective_culminates: each offensive logged as ended by its objective ended the day after its side took a
    district beyond that government's war aims; without the switch no offensive ends that way."""
    # seed 0: eight offensives end by their objective (seed 1's, used until stop 41's set, none)
    m = KarabakhWar(rng=0, until="1993-12-31", objective_culminates=1).run()
    by_objective = [o for o in m.offensives if o["ended_by"] == "objective"]
    assert by_objective
    for o in by_objective:
        g = m.government(o["government"])
        end = dt.date.fromisoformat(o["end"])
        beyond = [c for c in m.captures if c["to"] == ("arm" if g.side_index == 1 else "aze")
                  and not g.war_aims[m.world.index[c["district"]]]
                  and o["start"] <= c["date"] < o["end"] and dt.date.fromisoformat(c["date"]) == end - dt.timedelta(days=1)]
        assert beyond, o
    off = KarabakhWar(rng=0, until="1993-12-31", objective_culminates=0).run()
    assert not any(o["ended_by"] == "objective" for o in off.offensives)


def test_a_rested_government_launches_at_once_when_its_staff_orders_an_attack_at_the_odds():
    """offensive_launch_odds L: a rested government whose staff has ordered an attack beyond a unit's own
    district with assembled attack CP of at least L times the defence there launches today whatever the daily
    draw; weaker odds, a government still resting, or L = 0 leave it to the draw."""
    def launched(odds, cp_share, rest_days=0.0):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), offensive_launch_odds=odds,
                            offensive_launch_hazard=0.0, offensive_rest_days=rest_days)
        f, w = model.forces, model.world
        aze = model.government("azerbaijan")
        tempo = model.mechanism(Tempo)
        tempo.since[:] = -10_000 if rest_days == 0 else model.day  # rested long enough, or just begun to rest
        situation = model.situation()
        row = int(np.flatnonzero(f.active & (f.government == aze.index) & (f.kind != MILITIA))[0])
        target = int(w.edges[w.edges[:, 0] == f.node[row], 1][0])  # a neighbouring district
        f.target[:] = -1
        f.target[row] = target
        reach = w.approach(model.p["rough_attack_factor"])[f.node[row], target]
        defence = max(situation.stand_padded[1, target], 1.0)
        situation.attack_cp[row] = cp_share * odds * defence / reach if odds else 1e9
        tempo.step(model, Today(situation=situation))
        return [o["government"] for o in model.offensives]

    assert launched(2.0, 1.01) == ["azerbaijan"]  # at the odds: at once
    assert launched(2.0, 0.99) == []  # short of them: the draw (hazard 0) decides
    assert launched(2.0, 1.01, rest_days=30.0) == []  # still resting
    assert launched(0.0, 1.0) == []  # off: however good the odds


def test_an_offensive_that_takes_nothing_costs_its_command_cohesion():
    """failed_offensive_cohesion_loss: when an offensive ends (here at its maximum length) and its side has taken
    no district since the launch, its government's cohesion falls by that share; one whose side took a district
    costs nothing, and 0 costs nothing either."""
    def ratio(loss, took):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), failed_offensive_cohesion_loss=loss,
                            offensive_max_days=5.0, offensive_launch_hazard=0.0, cohesion_build_per_day=0.0)
        aze = model.government("azerbaijan")
        tempo = model.mechanism(Tempo)
        tempo.on_offensive[:] = False
        tempo.since[:] = -10_000
        model.p["offensive_launch_hazard"] = 1.0  # launch today
        tempo.step(model, Today(situation=model.situation()))
        assert tempo.on_offensive[aze.index]
        model.p["offensive_launch_hazard"] = 0.0
        if took:
            model.captures.append({"district": "shusha", "date": str(model.date), "to": "aze"})
        before = aze.cohesion
        tempo.since[aze.index] = model.day - 5  # its five days are up: it ends today
        tempo.step(model, Today(situation=model.situation()))
        assert not tempo.on_offensive[aze.index]
        return aze.cohesion / before

    assert ratio(0.2, took=False) == pytest.approx(0.8)
    assert ratio(0.2, took=True) == 1.0
    assert ratio(0.0, took=False) == 1.0


def test_winter_slows_advances_in_the_mountains_only():
    m = synthetic_model(seed=2, days=10)
    season = m.mechanism(Season)
    winter, summer = Today(), Today()
    m.start = dt.date(1992, 1, 1)  # the model's date is read from start + day
    season.step(m, winter)
    m.start = dt.date(1992, 7, 1)
    season.step(m, summer)
    mountain = season.mountain
    assert mountain.any() and (~mountain).any()
    assert np.all(winter.advance_factor[mountain] == m.p["winter_advance_factor"])
    assert np.all(winter.advance_factor[~mountain] == 1.0)
    assert np.all(winter.exposure_factor[mountain] == m.p["winter_exposure_factor"])
    # Off-season combat is exactly what it is with factors of one everywhere.
    s = m.situation()
    f = m.forces
    f.target[:] = np.where(f.side == 1, f.node[np.flatnonzero(f.side == 0)[0]], -1)
    n = m.world.n
    args = (f, s.attack_cp, s.defense_cp, m.p)
    off = fight(*args, np.random.default_rng(1), n, advance_factor=summer.advance_factor,
                exposure_factor=summer.exposure_factor)
    ones = fight(*args, np.random.default_rng(1), n, advance_factor=np.ones(n), exposure_factor=np.ones(n))
    assert off.share_gain.sum() > 0
    for field in ("unit_loss_fraction", "share_gain", "broke"):
        assert np.array_equal(getattr(off, field), getattr(ones, field))


def test_the_combat_kernel_applies_the_advance_and_exposure_factors():
    m = synthetic_model(seed=2, days=10)
    s = m.situation()
    f = m.forces
    f.target[:] = np.where(f.side == 1, f.node, -1)  # the arm side attacks where it stands ...
    enemy = np.flatnonzero(f.side == 0)
    f.target[f.side == 1] = f.node[enemy[0]]  # ... all of it against one aze district
    n = m.world.n
    args = (f, s.attack_cp, s.defense_cp, m.p)
    plain = fight(*args, np.random.default_rng(1), n)
    frozen = fight(*args, np.random.default_rng(1), n, advance_factor=np.zeros(n), exposure_factor=np.full(n, 2.0))
    assert plain.share_gain.sum() > 0 and frozen.share_gain.sum() == 0
    attackers = f.side == 1
    assert frozen.unit_loss_fraction[attackers].sum() > plain.unit_loss_fraction[attackers].sum()


def test_the_picture_after_moves_equals_a_fresh_one():
    m = synthetic_model(seed=2, days=60)
    for _ in range(20):
        m.step()
    before = m.situation()
    f, w = m.forces, m.world
    for row in np.flatnonzero(f.active)[::3]:  # every third unit moves to its first neighbour
        m.units[row].place(int(w.edges[w.edges[:, 0] == f.node[row], 1][0]))
    reused, fresh = m.situation(since=before), m.situation()
    assert not np.array_equal(fresh.defense_cp, before.defense_cp)  # the moves changed combat power
    for name in ("attack_cp", "defense_cp", "stand_padded"):
        assert np.array_equal(getattr(reused, name), getattr(fresh, name))


class NodesAroundControl(Mechanism):
    """Records, for every unit that changes district during Control, (kind, old, new, captured
    today, old district still held by its side)."""

    def __init__(self, model):
        self.moves = []
        self.before = None

    def step(self, model, today):
        f = model.forces
        if self.before is None:  # called before Control: remember where everyone stands
            self.before = f.node.copy()
            self.captures = len(model.captures)
            return
        captured = {model.world.index[c["district"]] for c in model.captures[self.captures:]}
        for row in np.flatnonzero(f.node != self.before):
            old = int(self.before[row])
            self.moves.append((int(f.kind[row]), old, int(f.node[row]), int(f.node[row]) in captured,
                               bool(model.side_held[f.side[row], old])))
        self.before = None


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_militias_hold_their_district_while_brigades_occupy_what_they_take(seed):
    """In the NKAO, where village detachments raid neighbouring districts (historical 1992). (Seed 3 for seed 2
    since stop 53's network: seed 2's brigades occupy no district taken from a held one before mid-1993, so it no longer
    tests anything; seeds 0-7 have 0-16 such brigade moves and no militia one.)"""
    cycle = list(DAILY_CYCLE)
    cycle.insert(cycle.index(Control), NodesAroundControl)
    m = KarabakhWar(rng=seed, mechanisms=cycle)
    probe = m.mechanism(NodesAroundControl)
    m.mechanisms.insert(m.mechanisms.index(m.mechanism(Control)) + 1, probe)  # the same probe after Control
    for _ in range(577):  # to mid-1993
        m.step()
    occupied = [mv for mv in probe.moves if mv[3] and mv[4]]  # into a captured district, leaving one still held
    assert any(kind != MILITIA for kind, *_ in occupied)  # brigades advance into what they took
    assert not any(kind == MILITIA for kind, *_ in occupied)  # militias move only when their district is lost


def test_an_assault_leaves_behind_the_cover_its_base_needs():
    """Attackers follow into the district they took only as far as the district they set out from can
    spare (base_cover, ODD 7.4): in unit order while what stays covers the enemy across its line."""
    m = synthetic_model(days=5)
    f, w = m.forces, m.world
    base = int(w.edges[0, 0])
    taken, beyond = (int(x) for x in w.edges[w.edges[:, 0] == base, 1][:2])
    brigades = np.flatnonzero(f.active & (f.side == 1) & (f.kind != MILITIA))[:4]
    f.node[brigades] = base
    f.target[brigades] = [taken, taken, taken, base]  # the last fights in its own district: it stays put anyway
    today = Today(situation=m.situation())
    s = today.situation
    s.defense_cp[:] = 0.0
    s.defense_cp[brigades] = 4.0
    s.stand_padded[:] = 0.0
    s.stand_padded[1, base] = 16.0  # the base's defence: the four brigades
    s.stand_padded[0, beyond] = 6.0  # the enemy across the base's line (not in the district just taken)
    occupy = np.zeros(len(f.node), dtype=bool)
    occupy[brigades] = True
    assert (w.adjacency[beyond, base] > 0) and (w.adjacency[taken, base] > 0)
    pressure = s.stand_cp[0] @ w.adjacency
    cover = 1.0
    assert 16.0 - cover * pressure[base] == pytest.approx(16.0 - 6.0 * w.adjacency[beyond, base])
    surplus = 16.0 - cover * pressure[base]
    moved = Control._spared(m, today, occupy, cover) & occupy
    expected = [4.0 * (i + 1) <= surplus for i in range(3)]  # the first ones while the surplus lasts
    assert moved[brigades].tolist() == expected + [True]
    assert 0 < sum(expected) < 3  # some follow, some stay to hold the base
    assert Control._spared(m, today, occupy, 10.0)[brigades].tolist() == [False, False, False, True]
    assert Control._spared(m, today, occupy, 1e-9)[brigades].all()  # hardly any cover: all follow


def test_a_district_taken_is_occupied_by_its_strongest_attacker_when_the_cover_keeps_every_one_home():
    """capture_occupied (ODD 7.4): where base_cover lets none of the attackers follow into the district they took and
    none of their side stands there, the strongest of them moves in; where one already follows or stands there, no one
    else does (the caller leaves self-defence detachments out of the attackers: militias stay at home)."""
    m = synthetic_model(days=5)
    f, w = m.forces, m.world
    base = int(w.edges[0, 0])
    taken = int(w.edges[w.edges[:, 0] == base, 1][0])
    brigades = np.flatnonzero(f.active & (f.side == 1) & (f.kind != MILITIA))[:3]
    f.node[f.active & (f.node == taken)] = base  # nobody stands in the district taken
    f.node[brigades] = base
    f.target[:] = -1
    f.target[brigades] = taken
    today = Today(situation=m.situation())
    today.situation.defense_cp[brigades] = [2.0, 5.0, 3.0]
    held = m.held_by_arm.copy()
    held[taken] = True  # the arm side took it today
    attackers = np.zeros(len(f.node), dtype=bool)
    attackers[brigades] = True
    none_follow = np.zeros(len(f.node), dtype=bool)
    first = Control._first_in(m, today, np.array([taken]), held, attackers, none_follow)
    assert np.flatnonzero(first).tolist() == [brigades[1]]  # the strongest
    one_follows = none_follow.copy()
    one_follows[brigades[0]] = True
    assert not Control._first_in(m, today, np.array([taken]), held, attackers, one_follows).any()
    f.node[brigades[2]] = taken  # one of the side already stands there
    assert not Control._first_in(m, today, np.array([taken]), held, attackers, none_follow).any()


def test_reserves_ordered_into_a_contested_district_of_their_own_side_move_in_as_far_as_their_base_can_spare():
    """Relief (relief_moves_in, ODD 7.4): a unit whose attack order is a neighbour its side still holds moves into it
    and fights there, within base_cover; an attack on a district the other side holds is made from where the unit
    stands; with the switch off nobody moves."""
    m = synthetic_model(days=5, base_cover=0.0, rough_move_factor=1.0)
    f, w = m.forces, m.world
    base = int(w.edges[0, 0])
    contested, enemy_held = (int(x) for x in w.edges[w.edges[:, 0] == base, 1][:2])
    m.arm_share = m.arm_share.copy()
    m.arm_share[[base, contested, enemy_held]] = [1.0, 0.7, 0.2]
    m.held_by_arm = m.held_by_arm.copy()
    m.held_by_arm[[base, contested, enemy_held]] = [True, True, False]
    m.side_held = np.array([~m.held_by_arm, m.held_by_arm])
    brigades = np.flatnonzero(f.active & (f.side == 1) & (f.kind != MILITIA))[:3]
    f.node[brigades] = base
    f.target[brigades] = [contested, enemy_held, base]
    orders = m.mechanism(OrdersMechanism)
    moved = orders.relieve(m, m.situation())
    assert moved == [int(brigades[0])]
    assert f.node[brigades].tolist() == [contested, base, base] and f.target[brigades[0]] == contested
    # the base cannot spare it when it must cover a strong enemy across its line
    f.node[brigades[0]] = base
    s = m.situation()
    s.stand_padded[0, enemy_held] = 1e9
    assert orders.relieve(m, s) == [int(brigades[0])]  # base_cover 0: no cover asked
    f.node[brigades[0]] = base
    m.p["base_cover"] = 1.0
    assert orders.relieve(m, s) == []  # enemy_held borders the base
    assert f.node[brigades[0]] == base
    # off: the day's orders move nobody into its own contested district
    m.p["relief_moves_in"] = 0.0
    m.p["decision_interval_days"] = 1000.0  # no decision today (day 0 decides: step to day 1 first)
    m.day = 1
    m.p["base_cover"] = 0.0
    before = f.node.copy()
    orders.step(m, Today())
    assert np.array_equal(f.node, before)
    m.p["relief_moves_in"] = 1.0  # on, the same day moves it
    orders.step(m, Today())
    assert f.node[brigades[0]] == contested and np.count_nonzero(f.node != before) == 1


def test_districts_beyond_war_aims_are_worth_attacking_only_once_the_enemy_command_has_come_apart():
    m = KarabakhWar(rng=0, exploitation_gap=0.3, opportunism=0.4, aims_secured_share=0.0, opportunism_depth_decay=1.0,
                    collapse_window_days=0)  # the gap rule alone
    aze, nk = m.government("azerbaijan"), m.government("nagorno_karabakh")
    w = m.world
    outside = ~nk.war_aims & ~w.beyond_border[nk.side_index]
    assert outside[w.index["kalbajar"]] and outside[w.index["aghdam"]]
    ai = BuiltinAI()
    for own, enemy, open_ in ((0.5, 0.4, False), (0.5, 0.2, True), (0.9, 0.5, True), (0.2, 0.6, False)):
        nk.cohesion, aze.cohesion = own, enemy
        value = ai._value(m, [nk], m.p["opportunism"], m.p["cross_border_value"])[0]
        assert np.all(value[nk.war_aims] == 1.0)
        assert np.all(value[outside] == (0.4 if open_ else 0.0)), (own, enemy)


def test_an_enemy_command_coming_apart_opens_the_districts_beyond_the_aims_while_the_gap_does_not():
    """collapse_window_days: with a gap the Karabakh side never reaches (1), the gate opens only while
    Azerbaijan's cohesion lies collapse_drop below its highest of the window, and closes once that high is
    out of the window or the cohesion has recovered; the model's own history of cohesions is what it reads."""
    def gate(window, history, today, drop=0.1, high_from=0.0):
        m = KarabakhWar(rng=0, exploitation_gap=1.0, aims_secured_share=0.0, collapse_window_days=window,
                        collapse_drop=drop, collapse_from=high_from)
        aze, nk = m.government("azerbaijan"), m.government("nagorno_karabakh")
        m.day = len(history)
        m.cohesion_history[1:m.day + 1, aze.side_index] = history
        aze.cohesion = today
        return nk.opportunity_open()

    fell = [0.6] * 10 + [0.45] * 20  # a change of power 20 days ago cost Azerbaijan 0.15
    assert gate(90, fell, 0.45)
    assert not gate(0, fell, 0.45)  # off: the gap rule alone, never open here
    assert not gate(15, fell, 0.45)  # the high is older than the memory
    assert not gate(90, fell, 0.45, drop=0.2)  # a smaller fall than the one that counts
    assert not gate(90, fell, 0.55)  # recovered to within the drop of its high
    assert not gate(90, [0.45] * 30, 0.45)  # low, but not falling: the gap would have to open it
    # collapse_from: a fall counts only from a high an army reached (a built army coming apart)
    assert gate(90, fell, 0.45, high_from=0.55) and not gate(90, fell, 0.45, high_from=0.65)  # the high was 0.6
    young = [0.35] * 10 + [0.2] * 20  # an army that never got past 0.35 falls to 0.2
    assert gate(90, young, 0.2, high_from=0.3) and not gate(90, young, 0.2, high_from=0.4)
    run = KarabakhWar(rng=0, until="1991-12-20").run()  # each day's end is recorded for the gate to read
    assert np.array_equal(run.cohesion_history[run.day], run.side_cohesion())
    assert np.all(run.cohesion_history[:run.day + 1] > 0) and len(np.unique(run.cohesion_history[:run.day + 1, 0])) > 1


def test_districts_beyond_war_aims_wait_until_the_aims_are_held():
    """On 1991-12-01 the Karabakh side holds about half of the area of its aims (Shusha and
    Lachin are Azerbaijani-held): attacks beyond the aims wait for a secured share above that."""
    ai = BuiltinAI()
    for secured, open_ in ((0.4, True), (0.85, False)):
        m = KarabakhWar(rng=0, exploitation_gap=-1.0, opportunism=0.4, aims_secured_share=secured,
                        opportunism_depth_decay=1.0)
        nk = m.government("nagorno_karabakh")
        held = nk.aims_held()
        assert 0.4 < held < 0.85
        outside = ~nk.war_aims & ~m.world.beyond_border[nk.side_index]
        value = ai._value(m, [nk], m.p["opportunism"], m.p["cross_border_value"])[0]
        assert np.all(value[outside] == (0.4 if open_ else 0.0)), secured


def test_a_staff_that_reckons_with_its_command_orders_only_attacks_its_command_can_carry():
    """staff_cohesion_foresight: on the same day with the same draws, a staff that counts its units' attack CP
    as its command will bring it (1 − w + w·cohesion) orders a subset of the attacks it orders at full
    strength, fewer when its command is weak; with a whole command (cohesion 1) it orders the same."""
    m = KarabakhWar(rng=1, until=dt.date(1992, 6, 17))  # Azerbaijan's summer offensive (stop 59's set: 6 attacks, 4 weak)
    m.run()
    aze = m.government("azerbaijan")
    situation, state = m.situation(), (m.rng.bit_generator.state, m.rng_reports.bit_generator.state)
    ai = BuiltinAI()

    def attacks(foresight, cohesion):
        m.p["staff_cohesion_foresight"], aze.cohesion = foresight, cohesion
        m.rng.bit_generator.state, m.rng_reports.bit_generator.state = state  # the same draws
        orders = ai.decide_many(m, [aze], situation)
        return orders.target >= 0

    blind = attacks(0.0, 0.3)
    assert blind.sum() > 0  # Azerbaijan's staff orders attacks that day
    weak = attacks(1.0, 0.3)
    assert not np.any(weak & ~blind) and weak.sum() < blind.sum()
    assert np.array_equal(attacks(1.0, 1.0), blind)
    assert ai._command_factor([aze], {"staff_cohesion_foresight": 0.5, "cohesion_attack_weight": 0.8}) == \
        pytest.approx(1 - 0.4 + 0.4 * 1.0)


def test_a_staff_sends_reserves_only_to_threats_in_its_theatre():
    """staff_theatre (ODD 7.6): a huge Azerbaijani force in Gazakh, across from Ijevan and Noyemberyan (Armenia
    proper), becomes the goal of the Karabakh staff's reserves only with the theatre off; with it on, the Karabakh
    goal is that of the same day without the threat, while Armenia's staff, which answers for every district its
    side holds, turns to Armenia's border. Seed 0: on 1 March 1993 its border is calm (with stop 52's set seed 0's
    already drew Armenia's reserves to Noyemberyan without the added threat, and seed 3 was used; since stop 54's OMON
    seed 3's does too, and seed 1 was used; since stop 55's set seed 1's does, and seed 0's is calm again: seeds 0, 3,
    5, 6, 8 and 9 of 0-9 are; seed 0's still is with stop 58's and stop 59's sets)."""
    m = KarabakhWar(rng=0, until=dt.date(1993, 3, 1))
    m.run()
    w = m.world
    nk, am = m.government("nagorno_karabakh"), m.government("armenia")
    assert not nk.theatre[w.index["ijevan"]] and nk.theatre[w.index["kalbajar"]] and am.theatre.all()
    situation, state = m.situation(), (m.rng.bit_generator.state, m.rng_reports.bit_generator.state)

    class Recording(BuiltinAI):
        """Records the goal each side's reserves head for (the staff asks the route to it)."""
        def __init__(self):
            super().__init__()
            self.goals = {}

        def _next_hop(self, world, held, goal, version, side):
            self.goals.setdefault(side, []).append(goal)
            return super()._next_hop(world, held, goal, version, side)

    def goals(theatre, threatened):
        m.p["staff_theatre"] = theatre
        m.rng.bit_generator.state, m.rng_reports.bit_generator.state = state  # the same draws
        s = m.situation()
        if threatened:
            s.stand_padded = situation.stand_padded.copy()
            s.stand_padded[0, w.index["gazakh"]] = 1e6
        ai = Recording()
        ai.decide_many(m, [am, nk], s)
        return [w.districts["key"].iat[g] for g in ai.goals[1]]  # Armenia's, then Nagorno-Karabakh's

    border = {"ijevan", "noyemberyan"}  # Armenia's districts across from Gazakh
    calm, hot = goals(1.0, False), goals(1.0, True)
    assert hot[0] in border and calm[0] not in border
    assert hot[1] == calm[1] and calm[1] not in border
    off = goals(0.0, True)
    assert off[0] == off[1] == hot[0]  # without the theatre the Karabakh reserves answer the threat to Armenia too


def test_a_staff_does_not_take_the_units_away_from_a_district_its_side_took_for_consolidation_days():
    """consolidation_days (ODD 7.6): Azerbaijan takes Shahumyan on 23 April 1992 (seed 0, stop 59's set); on 5 May,
    twelve days later, a fresh staff deciding for Azerbaijan's governments alone, without consolidation (a replay of
    that day's draws, not the run's own orders, which consolidate) sends one of the units there away as a reserve. With
    a consolidation of 30 days it sends none of them, and every other order is as it was (the same draws); with 12 days
    or fewer the district is no longer being consolidated and the unit leaves again."""
    m = KarabakhWar(rng=0)
    while m.date < dt.date(1992, 5, 5):
        m.step()
    i = m.world.index["shahumyan"]
    assert not m.held_by_arm[i] and m.day - m.taken_on[i] == 12
    situation, state = m.situation(), (m.rng.bit_generator.state, m.rng_reports.bit_generator.state)
    aze = [g for g in m.governments if g.side_index == 0]

    def orders(days):
        m.p["consolidation_days"] = days
        m.rng.bit_generator.state, m.rng_reports.bit_generator.state = state  # the same draws
        return BuiltinAI().decide_many(m, aze, situation)

    free, held, short = orders(0.0), orders(30.0), orders(12.0)
    here = m.forces.node[free.units] == i
    assert ((free.move_to >= 0) & here).sum() == 1
    assert not ((held.move_to >= 0) & here).any()
    assert np.array_equal(held.move_to[~here], free.move_to[~here]) and np.array_equal(held.target, free.target)
    assert np.array_equal(short.move_to, free.move_to)


def test_a_sector_formation_leaves_as_a_reserve_only_for_a_goal_in_its_sector(monkeypatch):
    """sector_hold (ODD 7.6; data/sectors.toml): every order of the built-in staff from December 1991 to the end of
    1993 (seed 0) is read as it is given, with the goal each government's reserves head for (the staff asks the route
    to it). With the rule on, no sector formation standing in its sector leaves it for a goal outside it, while such
    formations still move for goals inside; with it off, they leave for goals outside (the Armenian side's: Zangezur's
    units for Lachin, the northern front units for Askeran)."""
    decide, next_hop, no_hop = BuiltinAI.decide_many, BuiltinAI._next_hop, BuiltinAI._no_hop

    def run(hold: float) -> tuple[int, int]:
        out, within, goals = [0], [0], []

        def asked(self, world, held, goal, version, side):
            goals.append(goal)
            return next_hop(self, world, held, goal, version, side)

        def none(self, n):  # a government without a goal today: its units do not move as reserves
            goals.append(-1)
            return no_hop(self, n)

        def watched(self, model, governments, situation):
            goals.clear()
            orders = decide(self, model, governments, situation)
            assert len(goals) == len(governments)  # one goal (or none) per government, in their order
            slot = {g.index: k for k, g in enumerate(governments)}
            goal = np.array([goals[slot[g]] for g in model.forces.government[orders.units]])
            sector = model.sector_districts[model.sector_of[orders.units]]
            row = np.arange(len(orders.units))
            has = model.sector_of[orders.units] < len(model.sector_districts) - 1  # formations with a sector
            leaving = has & sector[row, model.forces.node[orders.units]] & (orders.move_to >= 0)
            assert (goal[leaving] >= 0).all()
            out[0] += int((leaving & ~sector[row, goal]).sum())
            within[0] += int((leaving & sector[row, goal]).sum())
            return orders

        monkeypatch.setattr(BuiltinAI, "_next_hop", asked)
        monkeypatch.setattr(BuiltinAI, "_no_hop", none)
        monkeypatch.setattr(BuiltinAI, "decide_many", watched)
        KarabakhWar(rng=0, until=dt.date(1993, 12, 31), sector_hold=hold).run()
        return out[0], within[0]

    on, off = run(1.0), run(0.0)
    assert on[0] == 0 and on[1] > 0
    assert off[0] > 0


def test_a_staff_keeps_its_reserves_on_the_threat_it_chose_for_threat_hold_days():
    """threat_hold_days (ODD 7.6): on 1 March 1993 (seed 0) a huge Azerbaijani force in Qubadli makes a district
    next to it (Hadrut) the Karabakh staff's goal; the next day the threat is in Goranboy instead, across from
    Shahumyan and Aghdara/Mardakert. Without the hold the reserves turn there at once; with a hold of 14 days they
    keep heading for the first, until the hold runs out or the staff no longer holds it."""
    m = KarabakhWar(rng=0, until=dt.date(1993, 3, 1))
    m.run()
    w = m.world
    nk = m.government("nagorno_karabakh")
    situation, state = m.situation(), (m.rng.bit_generator.state, m.rng_reports.bit_generator.state)
    north = {"shahumyan", "mardakert"}

    class Recording(BuiltinAI):
        """Records the goal the Karabakh reserves head for (the staff asks the route to it)."""
        goal = None

        def _next_hop(self, world, held, goal, version, side):
            self.goal = world.keys[goal]
            return super()._next_hop(world, held, goal, version, side)

    def goal(ai, hold, threatened, day, lost=None):
        m.p["threat_hold_days"] = hold
        m.rng.bit_generator.state, m.rng_reports.bit_generator.state = state  # the same draws
        s = m.situation()
        s.day = day
        s.stand_padded = situation.stand_padded.copy()
        s.stand_padded[0, w.index[threatened]] = 1e7
        if lost:
            s.side_held = situation.side_held.copy()
            s.side_held[1, w.index[lost]] = False
        ai.decide_many(m, [nk], s)
        return ai.goal

    for hold in (0.0, 14.0):
        ai = Recording()
        first = goal(ai, hold, "qubadli", situation.day)
        assert w.adjacency[w.index[first], w.index["qubadli"]] and first not in north
        assert goal(ai, hold, "goranboy", situation.day + 1) in (north if hold == 0 else {first})
    assert goal(ai, 14.0, "goranboy", situation.day + 14) in north  # the hold ran out
    ai = Recording()
    goal(ai, 14.0, "qubadli", situation.day)
    assert goal(ai, 14.0, "goranboy", situation.day + 1, lost=first) in north


def test_a_unit_that_has_held_its_district_defends_it_better_than_one_that_just_came():
    """prepared_defense_bonus (ODD 7.1): a brigade that has stood in its district for prepared_defense_days defends
    with 1 + the bonus times the defensive CP it has on the day it arrives, half of that after half the days; a
    self-defence detachment's does not change; moving (not staying put) starts the count again; off, nothing."""
    from model.dynamics.combat import prepared_defense

    kind = np.array([BRIGADE, BRIGADE, BRIGADE, MILITIA, MERCENARY])
    assert prepared_defense(np.array([0.0, 5.0, 40.0, 40.0, 10.0]), kind, 0.5, 10.0).tolist() == \
        pytest.approx([1.0, 1.25, 1.5, 1.0, 1.5])
    m = KarabakhWar(rng=0, until=dt.date(1992, 3, 1), prepared_defense_bonus=0.5, prepared_defense_days=10.0)
    m.run()
    f = m.forces
    row = next(r for r in range(len(f)) if f.active[r] and f.kind[r] == BRIGADE and m.day - m.arrived[r] >= 10)
    militia = next(r for r in range(len(f)) if f.active[r] and f.kind[r] == MILITIA)
    settled = m.situation().defense_cp
    m.arrived[[row, militia]] = m.day  # as if both had just come
    fresh = m.situation().defense_cp
    assert settled[row] == pytest.approx(1.5 * fresh[row]) and settled[militia] == fresh[militia]
    m.arrived[row] = m.day - 5
    assert m.situation().defense_cp[row] == pytest.approx(1.25 * fresh[row])
    unit, here = m.units[row], int(f.node[row])
    unit.place(here)  # staying put
    assert m.arrived[row] == m.day - 5
    unit.place(int(np.flatnonzero(m.world.adjacency[here])[0]))
    assert m.arrived[row] == m.day
    m.p["prepared_defense_bonus"] = 0.0
    m.arrived[row] = m.day - 100
    long_held = m.situation().defense_cp[row]
    m.arrived[row] = m.day
    assert m.situation().defense_cp[row] == long_held


def test_a_sector_spares_only_the_reserves_above_its_cover():
    # Government 0, district 2: defence 10 above its cover; three reserves of 4 CP want to leave,
    # so two may go (4, 8 <= 10) and the third stays. District 5 has no surplus: nobody leaves.
    ug = np.array([0, 0, 0, 0, 0])
    nodes = np.array([2, 2, 2, 5, 2])
    leaving = np.array([True, True, True, True, False])
    cp = np.array([4.0, 4.0, 4.0, 1.0, 50.0])
    surplus = np.zeros((1, 6))
    surplus[0, 2] = 10.0
    surplus[0, 5] = -1.0
    assert spare(ug, nodes, leaving, cp, surplus).tolist() == [True, True, False, False, False]


def test_a_sector_keeps_its_garrison_when_the_cover_is_high():
    """On the same day of the same war, the built-in staff with cover moves only units it would also
    move without it, and fewer of them: a sector keeps the defence its front needs. (Measured on the
    decision, not on the men left months later, which the whole war decides: with stop 31's set cover
    left Azerbaijan's south with fewer men on 1 March 1993 in two of seeds 1-3. Days on which the staffs
    move reserves at all in the committed set: stop 59's; with cover fewer move on the last two.)"""
    ai, fewer = BuiltinAI(), 0
    for seed, day in ((2, dt.date(1993, 5, 1)), (3, dt.date(1993, 4, 1)), (4, dt.date(1992, 9, 1))):
        m = KarabakhWar(rng=seed, until=day, garrison_cover=0.0)
        m.run()
        situation, state = m.situation(), (m.rng.bit_generator.state, m.rng_reports.bit_generator.state)
        moves = {}
        for cover in (0.0, 1.5):
            m.p["garrison_cover"] = cover
            m.rng.bit_generator.state, m.rng_reports.bit_generator.state = state  # the same draws
            orders = ai.decide_many(m, list(m.governments), situation)
            moves[cover] = orders.move_to >= 0
        assert not np.any(moves[1.5] & ~moves[0.0]), seed
        fewer += int(moves[1.5].sum() < moves[0.0].sum())
    assert fewer >= 1


def test_a_command_that_has_come_apart_holds_less_ground_when_cohesion_weighs_on_defence():
    """Azerbaijan's command pinned at cohesion 0.05: with cohesion_defense_weight its positions
    give way more often, so the other side ends up holding more (summed over seeds); with the
    weight 0 its defence is what it was."""
    def arm_area(weight, seed):
        m = synthetic_model(seed=seed, days=150, cohesion_build_per_day=0.0, cohesion_defense_weight=weight)
        m.government("azerbaijan").cohesion = 0.05
        m.run()
        return float(m.side_share[1].sum())

    seeds = (1, 2, 3, 4)
    assert sum(arm_area(0.8, s) for s in seeds) > sum(arm_area(0.0, s) for s in seeds)


def test_losing_war_aims_raises_recruits():
    """Mobilisation: a government whose aims the enemy holds raises more men than its base rate,
    one that holds all of them raises exactly its base rate."""
    from model.mechanisms.recruitment import mobilisation

    m = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), mobilisation_gain=2.0)
    held = np.array([g.aims_held() for g in m.governments])
    factor = mobilisation(m)
    assert np.all(factor >= 1.0)
    assert np.all((factor > 1.0) == (held < 1.0))
    aze = m.government("azerbaijan")
    assert held[aze.index] < 1.0  # the arm side holds most of the NKAO on 1 December 1991

    def recruited(gain):  # men the day's recruitment raises for Azerbaijan (its units, guard and depots)
        model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), mobilisation_gain=gain)
        before = model.personnel_in_service()[0]
        model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
        return model.personnel_in_service()[0] - before

    assert recruited(2.0) > recruited(0.0) > 0


def test_force_generation_grows_from_its_start_share_to_full_capacity():
    """With force_generation_days T, a government with force_generation_start s raises s x its full
    recruits on 1991-12-01, the mean of s and 1 at T / 2 and all of them from T on; with T = 0 every
    government raises all of them from the first day."""
    from types import SimpleNamespace

    from model.mechanisms.recruitment import force_generation

    def recruited(days):  # Azerbaijan's recruits on the first day (its units, guard and depots)
        model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), force_generation_days=days)
        before = model.personnel_in_service()[0]
        model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
        return model.personnel_in_service()[0] - before

    model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1))
    start = model.government("azerbaijan").force_generation_start
    assert 0 < start < 1 and model.government("armenia").force_generation_start == 1.0
    assert recruited(400.0) == pytest.approx(start * recruited(0.0)) and recruited(0.0) > 0
    govs = [SimpleNamespace(force_generation_start=start), SimpleNamespace(force_generation_start=1.0)]

    def capacity(days, on):
        return force_generation(SimpleNamespace(p={"force_generation_days": days}, date=on, governments=govs))

    assert capacity(400.0, dt.date(1991, 12, 1)) == [pytest.approx(start), 1.0]
    assert capacity(400.0, dt.date(1991, 12, 1) + dt.timedelta(days=200)) == [pytest.approx((start + 1) / 2), 1.0]
    assert capacity(400.0, dt.date(1993, 1, 5)) == [1.0, 1.0] == capacity(400.0, dt.date(1994, 5, 1))
    assert capacity(0.0, dt.date(1991, 12, 1)) == [1.0, 1.0]


def test_an_offensive_levies_its_governments_depots_untrained():
    """At launch, offensive_levy_share of the government's depots joins its units by their reinforcement
    weights, with training levy_training (the units' mean training moves toward it); the men stay in
    service; another government's units are untouched; at share 0 nothing moves."""
    def launch(share):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), offensive_levy_share=share, levy_training=0.1)
        aze, arm = model.government("azerbaijan"), model.government("armenia")
        aze.depot_personnel = 10_000.0
        f = model.forces
        mine = (f.government == aze.index) & f.active & (f.kind != MERCENARY)
        model.reinforce_weight[:] = 0.0
        model.reinforce_weight[np.nonzero(mine)[0][:2]] = [3.0, 1.0]  # two units share the levy 3:1
        tempo = model.mechanism(Tempo)
        tempo.since[:] = -10_000  # rested long enough
        model.p["offensive_launch_hazard"] = 1.0  # every government launches today
        before, training, service = f.personnel.copy(), f.training.copy(), model.personnel_in_service()[0]
        tempo.step(model, Today(situation=model.situation()))
        return model, aze, arm, f.personnel - before, training, service

    model, aze, arm, gained, training, service = launch(0.4)
    f = model.forces
    first, second = np.nonzero(model.reinforce_weight > 0)[0]
    assert gained[first] == pytest.approx(3000.0) and gained[second] == pytest.approx(1000.0)
    assert aze.depot_personnel == pytest.approx(6000.0)
    assert model.personnel_in_service()[0] == pytest.approx(service)  # moved from the depots, not raised
    assert f.training[first] < training[first] and f.training[first] > 0.1  # diluted toward 0.1
    assert np.all(gained[f.government == arm.index] == 0.0)
    assert [o["levied"] for o in model.offensives if o["government"] == "azerbaijan"] == [4000]
    _, still, _, none, _, _ = launch(0.0)
    assert still.depot_personnel == 10_000.0 and np.all(none == 0.0)


def test_recruits_beyond_the_training_capacity_wait_in_the_depots_and_count_in_service():
    """With training_capacity_per_day_aze c, Azerbaijan's units gain c men a day however many it raises;
    the rest wait in its depots, counted in service; when it raises fewer than c the depots send their
    men first. Armenia, without a capacity, is untouched; at c = 0 (no limit) nothing waits."""
    def run(days, cap, recruits=200.0):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), recruits_per_day_aze=recruits,
                            training_capacity_per_day_aze=cap, force_generation_days=0.0, mobilisation_gain=0.0)
        aze, arm = model.government("azerbaijan"), model.government("armenia")
        f = model.forces
        units = lambda g: f.personnel[(f.government == g.index) & f.active].sum()
        before, in_service, arm_before = units(aze), model.personnel_in_service()[0], units(arm)
        for _ in range(days):
            model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
        return model, aze, units(aze) - before, model.personnel_in_service()[0] - in_service, units(arm) - arm_before

    model, aze, to_units, to_service, arm_gain = run(10, 5.0)
    raised = 200.0 * aze.legitimacy * (1.0 - model.gov_guard_share[aze.index])  # for the units, per day
    assert raised > 5.0
    assert to_units == pytest.approx(50.0)  # 10 days at the capacity, not at the rate raised
    assert aze.depot_personnel == pytest.approx(10 * raised - 50.0)
    assert to_service == pytest.approx(10 * 200.0 * aze.legitimacy)  # all raised (guard's share too): the depot counts
    free, free_aze, free_units, _, free_arm = run(10, 0.0)
    assert free_aze.depot_personnel == 0.0 and free_units == pytest.approx(10 * raised)
    assert arm_gain == pytest.approx(free_arm)  # only Azerbaijan has a capacity
    # fewer raised than the capacity: the depot sends its men first, so the units still gain the capacity
    model.p["recruits_per_day_aze"] = 0.0
    f = model.forces
    before, depot = f.personnel[(f.government == aze.index) & f.active].sum(), aze.depot_personnel
    model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
    assert f.personnel[(f.government == aze.index) & f.active].sum() - before == pytest.approx(5.0)
    assert aze.depot_personnel == pytest.approx(depot - 5.0)


def test_recruits_who_wait_depot_wait_days_join_their_units_untrained():
    """With depot_wait_days W, each day 1 / W of Azerbaijan's depots (after the day's trained men have left)
    joins its units by their reinforcement weights, with training levy_training: the depots shrink by that
    share, the units gain exactly those men (and the trained capacity), the men in service stay the same, the
    units' training falls toward levy_training; at W = 0 the depots keep everyone the army cannot train."""
    def day(wait):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), recruits_per_day_aze=0.0, training_capacity_per_day_aze=5.0,
                            depot_wait_days=wait, levy_training=0.05, recruit_training_gap=0.0, wounded_return_share=0.0)
        aze = model.government("azerbaijan")
        aze.depot_personnel = 10_005.0
        f = model.forces
        mine = (f.government == aze.index) & f.active & (f.kind != MERCENARY)
        model.reinforce_weight[:] = 0.0
        model.reinforce_weight[np.nonzero(mine)[0][:2]] = [3.0, 1.0]  # two units share the men 3:1
        before, training, service = f.personnel.copy(), f.training.copy(), model.personnel_in_service()[0]
        model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
        return model, aze, f.personnel - before, training, service

    model, aze, gained, training, service = day(20.0)
    first, second = np.nonzero(model.reinforce_weight > 0)[0]
    assert aze.depot_personnel == pytest.approx(10_000.0 * (1 - 1 / 20))  # 5 trained, then 1/20 of the rest
    assert gained[first] == pytest.approx(0.75 * (5.0 + 500.0)) and gained[second] == pytest.approx(0.25 * 505.0)
    assert gained.sum() == pytest.approx(505.0)
    assert model.personnel_in_service()[0] == pytest.approx(service)  # moved from the depots, not raised
    assert model.forces.training[first] < training[first]  # raw men: the unit's mean training falls
    off, kept, off_gained, _, _ = day(0.0)
    assert kept.depot_personnel == pytest.approx(10_000.0) and off_gained.sum() == pytest.approx(5.0)
    _, at_once, _, _, _ = day(0.5)  # below a day acts as a day: everyone the army cannot train leaves today
    assert at_once.depot_personnel == pytest.approx(0.0)


def test_depot_garrison_sends_a_share_of_the_depots_to_threatened_home_militias_only():
    """With depot_garrison_share g, each day g of Azerbaijan's depots joins its militias standing in their own
    home district, which its side holds, in proportion to the enemy's strength next to each; no other unit
    gets any of it, the men in service stay the same, and at g = 0 the depots keep their men."""
    from model.mechanisms.recruitment import garrison_weights

    def day(share):
        model = KarabakhWar(rng=1, until=dt.date(1992, 3, 1), recruits_per_day_aze=0.0, depot_garrison_share=share,
                            training_capacity_per_day_aze=5.0, force_generation_days=0.0, wounded_return_share=0.0)
        aze = model.government("azerbaijan")
        aze.depot_personnel = 10_000.0
        today = Today(situation=model.situation())
        before, in_service = model.forces.personnel.copy(), model.personnel_in_service()[0]
        model.mechanism(Recruitment).step(model, today)
        return model, aze, model.forces.personnel - before, in_service, garrison_weights(model, today)

    model, aze, gained, in_service, weights = day(0.01)
    f, situation = model.forces, model.situation()
    home_militia = f.active & (f.kind == MILITIA) & (f.home == f.node) & (f.government == aze.index)
    held = situation.side_held[0, f.node]
    mine = f.government == aze.index
    assert (weights[home_militia & held] > 0).any() and (weights[mine & ~(home_militia & held)] == 0).all()
    sent = 0.01 * (10_000.0 - 5.0)  # 5 trained go to the units first, then 1 % of the rest to the garrisons
    assert aze.depot_personnel == pytest.approx(10_000.0 - 5.0 - sent)
    _, off, trained_only, _, _ = day(0.0)
    garrisoned = gained - trained_only  # what the garrison added beyond the trained recruits
    assert garrisoned.sum() == pytest.approx(sent) and (garrisoned[~mine] == 0).all()  # no depot elsewhere
    assert np.allclose(garrisoned[mine], sent * weights[mine] / weights[mine].sum())
    assert model.personnel_in_service()[0] == pytest.approx(in_service)  # moved from the depots, not raised
    assert off.depot_personnel == pytest.approx(10_000.0 - 5.0)


def test_recovered_wounded_rejoin_their_units_and_casualties_still_count_them():
    """With wounded_return_share w, w of each unit's losses join its pool of recovering men, of which
    1 / wounded_recovery_days rejoin each day; the casualty count is the same as with w = 0."""
    from model.mechanisms.combat import count_losses

    def bled(share):
        model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), wounded_return_share=share, recruits_per_day_aze=0.0,
                            recruits_per_day_arm=0.0, recruits_per_day_nk=0.0, wounded_recovery_days=10.0)
        f = model.forces
        loss = np.where(f.active, 0.2, 0.0)
        lost = f.personnel * loss
        count_losses(model, loss)
        return model, lost

    none, lost = bled(0.0)
    half, _ = bled(0.5)
    assert half.casualties == pytest.approx(none.casualties) and none.forces.recovering.sum() == 0
    assert half.forces.recovering == pytest.approx(0.5 * lost)
    before = half.forces.personnel.copy()
    half.mechanism(Recruitment).step(half, Today(situation=half.situation()))
    active = half.forces.active
    assert half.forces.personnel[active] == pytest.approx(before[active] + 0.05 * lost[active])
    assert half.forces.recovering[active] == pytest.approx(0.45 * lost[active])
    none_before = none.forces.personnel.copy()
    none.mechanism(Recruitment).step(none, Today(situation=none.situation()))
    assert (none.forces.personnel == none_before).all()  # no recruits, no wounded: nobody joins


def test_raw_recruits_dilute_the_training_of_the_units_they_join():
    """With recruit_training_gap g, r recruits with (1 - g) x the documented training join P men: the
    unit's training becomes the mean, which settles at (1 - g) x the documented training however many
    men it replaces (not toward 0); units that take in none keep theirs; g = 0 changes nothing."""
    def one_day(gap):
        model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), recruit_training_gap=gap)
        f = model.forces
        before_t, before_p = f.training.copy(), f.personnel.copy()
        model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
        return before_t, before_p, f.training.copy(), f.personnel - before_p

    t0, p0, after, joined = one_day(0.5)
    took = joined > 0
    assert took.any() and (~took).any()
    share = joined[took] / (p0[took] + joined[took])
    assert after[took] == pytest.approx(t0[took] * (1 - share) + 0.5 * t0[took] * share)  # t0 is documented
    assert (after[took] < t0[took]).all() and (after[~took] == t0[~took]).all()
    t0, _, after, _ = one_day(0.0)
    assert (after == t0).all()
    # Replaced many times over, a unit keeps the recruits' training, (1 - g) x its documented one.
    model = KarabakhWar(rng=1, until=dt.date(1992, 1, 1), recruit_training_gap=0.5, recruits_per_day_aze=5000.0,
                        recruits_per_day_arm=5000.0, recruits_per_day_nk=5000.0)
    for _ in range(200):
        model.mechanism(Recruitment).step(model, Today(situation=model.situation()))
    f = model.forces
    grew = f.active & (f.personnel > 20 * f.initial_personnel)
    assert grew.any()
    assert f.training[grew] == pytest.approx(0.5 * f.base_training[grew], rel=0.06)
    assert (f.training[grew] >= 0.5 * f.base_training[grew]).all()


def test_units_that_fight_learn_toward_the_ceiling_and_the_others_keep_their_training():
    """experience_gain x: each unit engaged today closes x of the gap between its training and
    experience_ceiling; units that did not fight, and units already above the ceiling, keep theirs; x = 0
    changes nothing."""
    from model.mechanisms import Combat

    def day(gain):
        m = KarabakhWar(rng=0, until="1992-06-01", experience_gain=gain, experience_ceiling=0.6).run()
        f = m.forces
        f.training[f.active & (f.side == 1)] = np.linspace(0.3, 0.8, int((f.active & (f.side == 1)).sum()))
        for u in np.flatnonzero(f.active & (f.side == 0)):  # every Azerbaijani unit attacks where it can
            f.target[u] = next((v for v in m.world.neighbourhood[f.node[u]] if v < m.world.n
                                and m.side_share[0, v] < 1.0), -1)
        before = f.training.copy()
        today = Today(situation=m.situation())
        m.mechanism(Combat).step(m, today)
        return before, f.training.copy(), today.combat.engaged

    before, after, engaged = day(0.1)
    assert engaged.any() and (~engaged).any()
    assert after == pytest.approx(before + 0.1 * engaged * np.maximum(0.6 - before, 0.0))
    assert (after[engaged & (before < 0.6)] > before[engaged & (before < 0.6)]).all()
    assert (after <= np.maximum(before, 0.6) + 1e-12).all()  # never past the ceiling by experience
    before, after, _ = day(0.0)
    assert np.array_equal(before, after)


def test_a_patron_unit_that_joins_mid_war_has_a_pool_of_wounded():
    """A patron force that fights as a unit gets every per-unit array, the wounded pool included."""
    from model.mechanisms.combat import count_losses

    model = KarabakhWar("turkey_intervenes_nakhchivan", rng=0, wounded_return_share=0.5)
    while model.running and not any(":" in k for k in model.unit_keys):  # patron units are keyed patron:name
        model.step()
    assert any(":" in k for k in model.unit_keys), "the scenario's patron unit arrived"
    assert len(model.forces.recovering) == len(model.forces) == len(model.forces.base_training)
    count_losses(model, np.where(model.forces.active, 0.1, 0.0))
    assert model.forces.recovering[-1] > 0


def test_units_whose_defence_broke_rout_under_a_command_that_has_come_apart():
    """rout_rate r: a unit whose district's defence broke today falls back with probability r x (1 - its
    government's cohesion), keeping its men and losing equipment as in any retreat; under full cohesion
    nobody routs, and units whose district did not break stay."""
    def after_rout(cohesion):
        m = KarabakhWar(rng=0, until="1992-03-01", rout_rate=1.0)
        f, w = m.forces, m.world
        m.government("azerbaijan").cohesion = cohesion
        node = w.index["aghdam"]
        formed = m.unit_index["az_national_army_battalions"]  # forms at Aghdam on 1 April 1992 (units.csv): a brigade
        m.activate_unit(formed)  # beside Aghdam's own self-defence, with armour to see what a retreat leaves
        f.tanks[formed] = 10.0
        broke = np.zeros((2, w.n), dtype=bool)
        broke[1, node] = True  # the arm side broke the defence of Aghdam
        here = f.active & (f.node == node) & (f.side == 0)
        elsewhere = f.active & (f.node != node)
        before = (f.node.copy(), f.personnel.copy(), f.tanks.copy())
        m.mechanism(Control).rout(m, broke)
        return here, elsewhere, before, f
    here, elsewhere, (node0, men0, tanks0), f = after_rout(0.0)
    assert here.sum() >= 2 and (f.node[here] != node0[here]).all()  # every defender of Aghdam left
    assert np.array_equal(f.personnel, men0)  # with its men
    assert np.allclose(f.tanks[here], 0.7 * tanks0[here])
    assert np.array_equal(f.node[elsewhere], node0[elsewhere])
    here, _, (node0, _, _), f = after_rout(1.0)
    assert np.array_equal(f.node[here], node0[here])  # a command that holds together does not rout


def test_an_uprising_costs_its_share_of_the_cohesion_a_change_of_power_costs():
    """An armed opposition that rises takes power with its battalions (the Popular Front, May 1992):
    ``uprising_cohesion_loss_share`` of the loss; a commander's revolt costs the whole of it."""
    def cut(how, share):
        m = synthetic_model(seed=3, days=30, cohesion_build_per_day=0.0, uprising_cohesion_loss_share=share)
        gov = m.government("azerbaijan")
        before = gov.cohesion
        install_regime(m, gov, gov.successors[0], how)
        m.mechanism(Command).step(m, Today(situation=m.situation()))
        return gov.cohesion / before

    loss = synthetic_model(seed=3, days=30).p["regime_change_cohesion_loss"]
    assert cut("uprising", 0.25) == pytest.approx(1 - 0.25 * loss)
    assert cut("uprising", 1.0) == pytest.approx(1 - loss)
    assert cut("coup", 0.25) == pytest.approx(1 - loss)


def test_an_uprising_brings_its_battalions_to_the_command():
    """uprising_cohesion_gain: an armed opposition that takes power closes that share of the gap between the command's
    cohesion (after the change's loss) and its target at once; other paths gain nothing, and 0 is the model before."""
    def after(how, gain):
        m = synthetic_model(seed=3, days=30, cohesion_build_per_day=0.0, uprising_cohesion_loss_share=0.5,
                            uprising_cohesion_gain=gain)
        gov = m.government("azerbaijan")
        gov.cohesion = 0.2
        install_regime(m, gov, gov.successors[0], how)
        m.mechanism(Command).step(m, Today(situation=m.situation()))
        weight = m.p["cohesion_legitimacy_weight"]
        return gov.cohesion, weight * gov.legitimacy + (1.0 - weight), m.p["regime_change_cohesion_loss"]

    cut, target, loss = after("uprising", 0.0)
    assert cut == pytest.approx(0.2 * (1 - 0.5 * loss))
    assert target > cut  # the case the gain is for: a command below what its new government can hold together
    gained, _, _ = after("uprising", 0.4)
    assert gained == pytest.approx(cut + 0.4 * (target - cut))
    assert after("uprising", 1.0)[0] == pytest.approx(target)
    assert after("coup", 0.4)[0] == pytest.approx(0.2 * (1 - loss))  # a commander's revolt brings no battalions


def test_a_failed_revolt_costs_its_share_of_the_cohesion_a_change_of_power_costs():
    """failed_revolt_cohesion_loss_share: an armed attempt on power that fails (a commander's revolt or an
    uprising) still splits the command; 0 costs nothing, and a successful attempt is cut once, as a change of power."""
    def cut(share, attempt):
        m = synthetic_model(seed=3, days=30, cohesion_build_per_day=0.0, failed_revolt_cohesion_loss_share=share)
        gov = m.government("azerbaijan")
        before = gov.cohesion
        m.coups.append({"country": "azerbaijan", **attempt})
        if attempt["success"]:
            install_regime(m, gov, gov.successors[0], attempt["kind"])
        m.mechanism(Command).step(m, Today(situation=m.situation()))
        after = gov.cohesion
        m.mechanism(Command).step(m, Today(situation=m.situation()))  # read once: the next day cuts nothing
        assert gov.cohesion == after
        return after / before

    loss = synthetic_model(seed=3, days=30).p["regime_change_cohesion_loss"]
    failed_coup = {"kind": "coup", "success": False}
    assert cut(0.5, failed_coup) == pytest.approx(1 - 0.5 * loss)
    assert cut(0.5, {"kind": "uprising", "success": False}) == pytest.approx(1 - 0.5 * loss)
    assert cut(0.0, failed_coup) == 1.0
    assert cut(0.5, {"kind": "coup", "success": True}) == pytest.approx(1 - loss)  # a change of power, not both


def test_a_new_leadership_bears_the_blame_for_defeats_only_as_its_honeymoon_ends():
    """honeymoon_days: a leadership that took power d days ago bears d / honeymoon_days of the legitimacy
    a defeat costs (all of it after the honeymoon, and always with 0); the one in power at the start
    bears all of it; a caretaker (regimes.toml) carries on its predecessor's tenure."""
    m = synthetic_model(seed=3, days=30, honeymoon_days=100.0)
    gov, p = m.government("azerbaijan"), m.p
    caretaker, front = gov.successors[0], gov.successors[1]  # mammadov_interim, popular_front
    assert blame_share(gov, m.day, 100.0) == 1.0  # in power long before the start

    def cost(days_from_now: int, honeymoon: float) -> float:
        gov.legitimacy = 0.5
        update_legitimacy(m.governments, np.array([1.0, 0.0]), {**p, "honeymoon_days": honeymoon,
                                                                "legitimacy_recovery_per_day": 0.0},
                          day=m.day + days_from_now)
        return 0.5 - gov.legitimacy

    install_regime(m, gov, caretaker, "resignation")
    assert gov.in_power_since < 0  # the caretaker inherits Mutalibov's tenure: no honeymoon
    assert cost(0, 100.0) == pytest.approx(p["legitimacy_loss_per_capture"])
    install_regime(m, gov, front, "uprising")
    assert gov.in_power_since == m.day
    assert cost(0, 100.0) == 0.0
    assert cost(25, 100.0) == pytest.approx(0.25 * p["legitimacy_loss_per_capture"])
    assert cost(150, 100.0) == pytest.approx(p["legitimacy_loss_per_capture"])
    assert cost(0, 0.0) == pytest.approx(p["legitimacy_loss_per_capture"])  # off: the whole blame at once


def test_a_government_blames_the_commander_it_trusts_least_for_a_lost_district_and_one_who_refuses_leaves_the_front():
    """scapegoat_rate: of the losing side's brigades in or next to a lost district, the commander with the lowest
    loyalty is relieved (ties: the strongest brigade). One whose loyalty would stay at or above fragmentation_loyalty
    after dismissal_loyalty_loss goes, and a vetted successor takes his brigade at its base loyalty; one it would
    leave below refuses: his loyalty falls, he takes his unit to its base, its government's cohesion falls by his
    unit's share of its men, and his unit obeys no order until his loyalty recovers. At rate 0 nothing happens and
    nothing is drawn."""
    m = synthetic_model(seed=3, days=30, scapegoat_rate=1.0, dismissal_loyalty_loss=0.3)
    f, p = m.forces, m.p
    aze = m.government("azerbaijan")
    rows = np.flatnonzero(f.active & (f.side == 0) & (f.kind == BRIGADE))
    v = int(f.node[rows[0]])
    near = rows[m.world.closed_adjacency[v, f.node[rows]] > 0]
    assert len(near) >= 3
    strongest, weaker = int(near[np.argmax(f.personnel[near])]), int(near[np.argmin(f.personnel[near])])
    m.held_by_arm = m.held_by_arm.copy()
    m.held_by_arm[v] = True  # the aze side lost it today
    m.side_held = np.array([~m.held_by_arm, m.held_by_arm])
    f.loyalty[near] = 0.9
    f.loyalty[weaker] = 0.7  # the least trusted, though not the strongest
    state = m.rng_politics.bit_generator.state
    dismiss_scapegoats(m, np.array([v]))
    assert m.dismissals[-1]["unit"] == m.unit_keys[weaker] and not m.dismissals[-1]["refused"]
    assert f.loyalty[weaker] == f.base_loyalty[weaker] != 0.7 and not m.off_front[weaker]  # replaced, vetted
    assert m.rng_politics.bit_generator.state != state  # one draw per changed district
    f.loyalty[near] = 0.9  # all alike: the strongest brigade's commander is blamed
    dismiss_scapegoats(m, np.array([v]))
    assert m.dismissals[-1]["unit"] == m.unit_keys[strongest] and f.loyalty[strongest] == f.base_loyalty[strongest]
    blamed = strongest

    f.loyalty[blamed] = p["fragmentation_loyalty"] + 0.1  # falls below it: he refuses and leaves
    cohesion, share = aze.cohesion, f.personnel[blamed] / f.personnel[f.active & (f.government == aze.index)].sum()
    dismiss_scapegoats(m, np.array([v]))
    assert m.off_front[blamed] and m.dismissals[-1]["refused"] and m.dismissals[-1]["unit"] == m.unit_keys[blamed]
    assert f.loyalty[blamed] == pytest.approx(p["fragmentation_loyalty"] + 0.1 - 0.3)  # he keeps his post and his grudge
    base = int(m.raised_in[blamed])
    assert f.node[blamed] == (base if m.side_held[0, base] else aze.capital)
    assert aze.cohesion == pytest.approx(cohesion * (1 - share))
    here = int(f.node[blamed])
    own = [int(x) for x in np.flatnonzero(m.world.adjacency[here] > 0) if m.side_held[0, x]]
    enemy = [int(x) for x in np.flatnonzero(m.world.adjacency[here] > 0) if m.side_share[0, x] < 1.0]
    orders = m.mechanism(OrdersMechanism)
    for trusted in (True, False):  # the built-in AI's path and a player's (checked) path
        move = Orders(np.array([blamed]), np.array([-1]), np.array([own[0]]), np.ones(1), trusted=trusted)
        attack = Orders(np.array([blamed]), np.array([(enemy or [here])[0]]), np.array([-1]), np.ones(1), trusted=trusted)
        assert orders.apply(m, move, [aze.index]) == 0 and f.node[blamed] == here
        orders.apply(m, attack, [aze.index])
        assert f.target[blamed] == -1
    f.loyalty[blamed] = p["fragmentation_loyalty"]  # recovered (or replaced): back to duty
    assert orders.apply(m, Orders(np.array([blamed]), np.array([-1]), np.array([own[0]]), np.ones(1)), [aze.index]) == 1
    f.loyalty[blamed] = 0.0
    assert m.off_front[blamed] == False  # noqa: E712 - the flag was cleared when he obeyed again
    assert not refuses_orders(m)[blamed]

    # refusal_cohesion_loss_share: the refusal also costs that share of a change of power's cut
    split = synthetic_model(seed=3, days=30, scapegoat_rate=1.0, dismissal_loyalty_loss=0.3,
                            refusal_cohesion_loss_share=0.5)
    sf, sa = split.forces, split.government("azerbaijan")
    split.held_by_arm = split.held_by_arm.copy()
    split.held_by_arm[v] = True
    split.side_held = np.array([~split.held_by_arm, split.held_by_arm])
    sf.loyalty[near] = 0.9
    sf.loyalty[blamed] = p["fragmentation_loyalty"] + 0.1
    cohesion = sa.cohesion
    share = sf.personnel[blamed] / sf.personnel[sf.active & (sf.government == sa.index)].sum()
    dismiss_scapegoats(split, np.array([v]))
    assert split.dismissals[-1]["refused"] and split.dismissals[-1]["unit"] == split.unit_keys[blamed]
    assert sa.cohesion == pytest.approx(cohesion * (1 - share) * (1 - 0.5 * p["regime_change_cohesion_loss"]))
    assert p["regime_change_cohesion_loss"] > 0

    off = synthetic_model(seed=3, days=30)  # scapegoat_rate 0 (documented default)
    state, before = off.rng_politics.bit_generator.state, off.forces.loyalty.copy()
    dismiss_scapegoats(off, np.array([v]))
    assert off.rng_politics.bit_generator.state == state and (off.forces.loyalty == before).all() and not off.dismissals


def test_the_security_zone_values_districts_by_the_enemy_guns_that_fire_into_the_aims():
    """The Karabakh staff, its opportunity open: a district beyond its aims is worth security_value in
    proportion to the Azerbaijani guns there that fire into its aims; the one that fires most gets the
    whole; Zangilan, which borders none of its aims, nothing; with the gate shut, nothing anywhere."""
    m = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5)
    nk = m.government("nagorno_karabakh")
    g_side = np.array([nk.side_index])
    f, w = m.forces, m.world
    # A brigade with guns at Aghdam (the National Army battalions, formed there on 1 April 1992: units.csv), so that
    # a district beyond the aims, not Shusha inside them, is the one that fires most
    formed = m.unit_index["az_national_army_battalions"]
    m.activate_unit(formed)
    f.artillery[formed] = 40.0
    outside = ~nk.war_aims & ~w.beyond_border[nk.side_index]
    added = BuiltinAI()._security(m, [nk], g_side, 0.5)[0]
    assert added.max() == pytest.approx(0.5)
    assert np.all(added[nk.war_aims] == 0.0) and np.all(added[~outside] == 0.0)
    assert added[w.index["zangilan"]] == 0.0
    # Move every Azerbaijani gun out of the district that fires most: it is then worth nothing.
    top = int(added.argmax())
    assert f.artillery[(f.node == top) & (f.side == 0) & f.active].sum() > 0
    f.artillery[(f.node == top) & (f.side == 0)] = 0.0
    assert BuiltinAI()._security(m, [nk], g_side, 0.5)[0][top] == 0.0
    shut = KarabakhWar(rng=0, exploitation_gap=1.0, collapse_window_days=0, security_value=0.5, security_always=0)
    nk = shut.government("nagorno_karabakh")
    assert not nk.opportunity_open()
    assert not BuiltinAI()._security(shut, [nk], g_side, 0.5).any()
    # security_always: the guns count with the gate shut too, as they would with it open
    always = KarabakhWar(rng=0, exploitation_gap=1.0, aims_secured_share=0.0, security_value=0.5, security_always=1)
    nk = always.government("nagorno_karabakh")
    assert not nk.opportunity_open()
    opened = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5)
    assert np.array_equal(BuiltinAI()._security(always, [nk], g_side, 0.5),
                          BuiltinAI()._security(opened, [opened.government("nagorno_karabakh")], g_side, 0.5))


def test_the_security_zone_can_give_its_whole_value_to_the_district_it_may_take_that_fires_most():
    """security_peak_in_zone: with the guns of Tartar (in Azerbaijan's rear, which the zone may not take) firing
    most into the Karabakh aims, the districts the zone may take count a fraction of security_value measured
    against Tartar (switch off, as before); with the switch on, the one of them that fires most counts the whole
    and the others keep their proportions to it."""
    def added(switch):
        m = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5,
                        security_peak_in_zone=switch)
        nk, f, tartar = m.government("nagorno_karabakh"), m.forces, m.world.index["tartar"]
        f.artillery[(f.node == tartar) & (f.side == 0) & f.active] = 400.0
        zone = ~nk.war_aims & ~m.world.beyond_border[nk.side_index]
        assert not zone[tartar]
        return BuiltinAI()._security(m, [nk], np.array([nk.side_index]), 0.5)[0], zone
    before, zone = added(0)
    after, _ = added(1)
    assert 0.0 < before[zone].max() < 0.5 / 4  # measured against Tartar's guns
    assert after[zone].max() == pytest.approx(0.5)
    firing = before > 0
    assert np.array_equal(firing, after > 0) and firing.sum() >= 2
    assert after[firing] / after[firing].max() == pytest.approx(before[firing] / before[firing].max())


def test_security_first_withholds_the_opportunities_that_silence_no_gun_while_any_gun_fires():
    """security_first on the staff's values (G, N): while some gun fires into a government's aims, the
    opportunism of each district beyond them that fires into none is cut by that share; its aims, the
    districts that fire and districts worth nothing keep their values; a government whose aims are under
    no fire keeps all of them. In a run's first day: with security_first 1 Zangilan, which borders none of
    the Karabakh aims, is worth nothing to its staff while guns fire from elsewhere."""
    aims = np.array([[True, False, False, False], [True, False, False, False]])
    value = np.array([[1.0, 0.3, 0.3, 0.0], [1.0, 0.3, 0.3, 0.0]])
    security = np.array([[0.0, 0.5, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])  # only the first government's aims under fire
    out = BuiltinAI()._guns_first(value, security, aims, 0.75)
    assert out[0].tolist() == pytest.approx([1.0, 0.3, 0.075, 0.0]) and out[1].tolist() == value[1].tolist()
    assert BuiltinAI()._guns_first(value, security, aims, 1.0)[0, 2] == 0.0

    m = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5, security_first=1.0)
    nk = m.government("nagorno_karabakh")
    ai = nk.strategy
    security = BuiltinAI()._security(m, [nk], np.array([nk.side_index]), 0.5)[0]
    zangilan = m.world.index["zangilan"]
    assert security.any() and security[zangilan] == 0.0
    plain = ai._value(m, [nk], m.p["opportunism"], m.p["cross_border_value"])[0]
    first = ai._guns_first(plain[None, :], security[None, :], nk.war_aims[None, :], 1.0)[0]
    assert plain[zangilan] > 0 and first[zangilan] == 0.0


def test_opportunism_fades_with_the_road_links_between_a_district_and_the_war_aims():
    """opportunism_depth_decay on the Karabakh staff's values, its opportunity open: the districts that
    border its aims (Kalbajar, Aghdam's town and west) keep the whole opportunism, those one link further
    out (Zangilan, the plain east of Aghdam) the decay's share of it, and two links further its square; the
    aims stay at 1 and the districts across the 1991 border at cross_border_value. At 1 nothing fades."""
    def values(decay):
        m = KarabakhWar(rng=0, exploitation_gap=-1.0, opportunism=0.4, aims_secured_share=0.0,
                        opportunism_depth_decay=decay)
        nk = m.government("nagorno_karabakh")
        return m, nk, BuiltinAI()._value(m, [nk], m.p["opportunism"], m.p["cross_border_value"])[0]

    m, nk, faded = values(0.25)
    w = m.world
    depth = w.links_from(nk.war_aims)
    assert depth[w.index["kalbajar"]] == depth[w.index["aghdam"]] == 1
    assert depth[w.index["zangilan"]] == depth[w.index["aghdam_plain"]] == 2
    assert np.all(depth[nk.war_aims] == 0)
    outside = ~nk.war_aims & ~w.beyond_border[nk.side_index]
    assert np.all(faded[nk.war_aims] == 1.0)
    assert faded[w.index["kalbajar"]] == faded[w.index["aghdam"]] == pytest.approx(0.4)
    assert faded[w.index["zangilan"]] == faded[w.index["aghdam_plain"]] == pytest.approx(0.1)
    assert np.allclose(faded[outside], 0.4 * 0.25 ** np.maximum(depth[outside] - 1, 0))
    assert np.all(faded[w.beyond_border[nk.side_index]] == m.p["cross_border_value"])
    _, _, flat = values(1.0)
    assert np.all(flat[outside] == 0.4)


def test_with_full_axis_focus_the_staff_attacks_beyond_a_units_district_only_on_its_axis():
    """One operation at a time: with axis_focus 1 every attack the built-in staff orders beyond a
    unit's own district is on its government's axis; with 0 (the committed value) some are not."""
    def off_axis_attacks(focus):
        # seed 0: a run whose staffs attack beyond their units' districts with and without focus (not every
        # seed's does before 1994: seed 5's, which this test used before stop 27's set, seed 3's, which it
        # used until stop 35's, seed 1's, until stop 41's, and seed 2's, until stop 58's, no longer do; seeds 0, 1,
        # 3 and 4 of 0-4 do with stop 58's set, seed 0 still with stop 59's)
        m = KarabakhWar(rng=0, axis_focus=focus, until=dt.date(1993, 12, 31))
        ai = m.governments[0].strategy
        count, days = 0, 0
        while m.running:
            axis = {g.index: ai._axis.get(g.index, (-1, 0))[0] for g in m.governments}
            orders = ai.decide_many(m, list(m.governments), m.situation())
            f = m.forces
            gov = f.government[orders.units]
            beyond = (orders.target >= 0) & (orders.target != f.node[orders.units])
            has_axis = np.array([axis[int(g)] >= 0 for g in gov])
            on_axis = orders.target == np.array([axis[int(g)] for g in gov])
            count += int((beyond & has_axis & ~on_axis).sum())
            days += int((beyond & has_axis).any())
            m.step()
        return count, days

    focused, days = off_axis_attacks(1.0)
    assert days > 0 and focused == 0  # the staff did attack on its axes, and nowhere else
    assert off_axis_attacks(0.0)[0] > 0


def test_tracks_and_passes_carry_the_rough_factor_of_an_attack_and_roads_all_of_it():
    """World.approach: rough_attack_factor along the links of class track or pass (roads.csv), 1 along
    roads and highways and in a unit's own district, 0 where no road leads; at 1 it is closed_adjacency."""
    w = KarabakhWar(rng=0, until="1991-12-02").world
    a = w.approach(0.4)
    i = w.index
    assert a[i["mardakert"], i["shahumyan"]] == a[i["shahumyan"], i["mardakert"]] == pytest.approx(0.4)  # track
    assert a[i["kalbajar"], i["dashkasan"]] == pytest.approx(0.4)  # the Omar pass
    assert a[i["goranboy"], i["shahumyan"]] == 1.0 and a[i["mardakert"], i["kalbajar"]] == 1.0  # roads
    assert a[i["shahumyan"], i["shahumyan"]] == 1.0 and a[i["lachin"], i["baku"]] == 0.0
    assert w.approach(1.0) is w.closed_adjacency
    rough = (w.adjacency > 0) & (a < 1.0)
    assert rough.sum() == 2 * sum(w.roads["road_class"].isin(["track", "pass"]))


@pytest.mark.parametrize("factor", [0.3, 1.0])
def test_an_attack_across_a_track_brings_the_rough_factor_of_its_strength(factor):
    """Two Azerbaijani units attack Shahumyan, one from Goranboy by road and one from Kalbajar across
    the Murovdag track: the day's attack on Shahumyan is the first's CP plus ``factor`` x the second's."""
    from model.mechanisms import Combat

    m = KarabakhWar(rng=0, until="1991-12-05", rough_attack_factor=factor).run()
    f, i = m.forces, m.world.index
    road, track = [int(u) for u in np.flatnonzero(f.active & (f.side == 0) & (f.kind == BRIGADE))[:2]]
    m.units[road].place(i["goranboy"])
    m.units[track].place(i["kalbajar"])
    f.target[:] = -1
    f.target[[road, track]] = i["shahumyan"]
    today = Today(situation=m.situation())
    cp = today.situation.attack_cp
    m.mechanism(Combat).step(m, today)
    assert today.combat.attack_cp[0, i["shahumyan"]] == pytest.approx(cp[road] + factor * cp[track])


@pytest.mark.parametrize("factor, draw", [(0.25, 0.5), (0.25, 0.1), (1.0, None)])
def test_a_move_along_a_track_arrives_only_with_the_rough_move_factor_and_a_move_by_road_always(factor, draw):
    """Two Karabakh units in Aghdara/Mardakert are ordered on the same day, one to Shahumyan across the
    Murovdag track and one to Askeran by road: the road move is made; the track move only if the day's draw
    is below ``rough_move_factor`` (the draw is fixed here). At 1 no random number is drawn."""
    m = KarabakhWar(rng=0, until="1991-12-05", rough_move_factor=factor).run()
    f, i = m.forces, m.world.index
    track, road = [int(u) for u in np.flatnonzero(f.active & (f.side == 1))[:2]]
    for u in (track, road):
        m.units[u].place(i["mardakert"])
    f.target[[track, road]] = -1
    draws = []
    m.rng = type("FixedDraws", (), {"random": lambda self, n: draws.append(n) or np.full(n, draw)})()
    moved = m.mechanism(OrdersMechanism).apply(
        m, Orders(np.array([track, road]), np.array([-1, -1]), np.array([i["shahumyan"], i["askeran"]]), np.ones(2),
                  trusted=True), sorted({int(f.government[track]), int(f.government[road])}))
    arrives = factor == 1.0 or draw < factor
    assert f.node[road] == i["askeran"]
    assert f.node[track] == (i["shahumyan"] if arrives else i["mardakert"])
    assert moved == 1 + arrives
    assert draws == ([] if factor == 1.0 else [2])


def test_men_leave_an_attacked_district_as_their_command_comes_apart():
    """desertion_rate r: in a district the enemy attacks today, each unit loses r x (1 - its government's
    cohesion) x min(odds / breakthrough_ratio, 1) of its men and arms, counted as deserters, not casualties;
    self-defence in its home district stays, units elsewhere and a cohesive army keep their men."""
    def after_desertion(cohesion, odds):
        m = KarabakhWar(rng=0, until="1992-03-01", desertion_rate=0.4)
        f, w = m.forces, m.world
        m.government("azerbaijan").cohesion = cohesion
        node = w.index["aghdam"]
        m.activate_unit(m.unit_index["az_national_army_battalions"])  # a brigade at Aghdam (forms 1 April 1992)
        attack, defense = np.zeros((2, w.n)), np.ones((2, w.n)) * 1000.0
        attack[1, node] = odds * 1000.0  # the arm side attacks Aghdam at these odds
        today = Today(combat=DayResult(np.zeros(len(f)), np.zeros(len(f)), np.zeros(len(f), dtype=bool),
                                       np.zeros((2, w.n)), np.zeros((2, w.n), dtype=bool), attack, defense))
        before = (f.personnel.copy(), f.tanks.copy(), m.casualties.copy())
        m.mechanism(Desertion).step(m, today)
        home = (f.kind == MILITIA) & (f.home == f.node)
        here = f.active & (f.node == node) & (f.side == 0)
        return m, before, here & ~home, here & home, f.active & (f.node != node)
    m, (men0, tanks0, cas0), leaving, staying, elsewhere = after_desertion(0.25, 3.0)
    share = 0.4 * 0.75 * min(3.0 / m.p["breakthrough_ratio"], 1.0)
    assert leaving.any() and staying.any()  # Aghdam's brigades and its own self-defence
    assert np.allclose(m.forces.personnel[leaving], (1 - share) * men0[leaving])
    assert np.allclose(m.forces.tanks[leaving], (1 - share) * tanks0[leaving])
    assert np.array_equal(m.forces.personnel[staying | elsewhere], men0[staying | elsewhere])
    assert m.deserted[0] == pytest.approx(share * men0[leaving].sum()) and m.deserted[1] == 0
    assert np.array_equal(m.casualties, cas0)
    m, (men0, _, _), leaving, _, _ = after_desertion(0.25, 0.5)  # weaker odds: fewer leave
    assert np.allclose(m.forces.personnel[leaving], (1 - 0.4 * 0.75 * 0.5 / m.p["breakthrough_ratio"]) * men0[leaving])
    m, (men0, _, _), _, _, _ = after_desertion(1.0, 3.0)  # a cohesive army: nobody leaves
    assert np.array_equal(m.forces.personnel, men0) and m.deserted.sum() == 0


def test_a_government_that_never_goes_beyond_its_aims_has_no_security_zone_with_the_restraint():
    """security_restraint: the Republic of Armenia (its own opportunism 0 in governments.toml) values no district
    beyond its aims for the guns there, while the Karabakh government's values are unchanged; off, both value them."""
    def values(restraint):
        m = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5,
                        security_restraint=restraint, home_security=0)
        govs = [m.government("armenia"), m.government("nagorno_karabakh")]
        g_side = np.array([g.side_index for g in govs])
        return BuiltinAI()._security(m, govs, g_side, 0.5)
    off, on = values(0), values(1)
    assert off[0].max() > 0 and off[1].max() > 0  # both see guns on their aims without it
    assert not on[0].any() and np.array_equal(on[1], off[1])


def test_a_restrained_government_values_only_the_guns_that_fire_into_its_own_country():
    """home_security: with the restraint the Republic of Armenia values the districts beyond its aims whose guns
    fire into Armenia proper (Kalbajar on Vardenis, Qubadli on Goris, Zangilan on Kapan and Meghri), not Aghdam's or
    Fuzuli's, which fire into Nagorno-Karabakh alone; the Karabakh government's values are unchanged."""
    def values(home):
        m = KarabakhWar(rng=0, exploitation_gap=-1.0, aims_secured_share=0.0, security_value=0.5,
                        security_restraint=1, home_security=home)
        govs = [m.government("armenia"), m.government("nagorno_karabakh")]
        g_side = np.array([g.side_index for g in govs])
        return m.world, BuiltinAI()._security(m, govs, g_side, 0.5)
    w, off = values(0)
    _, on = values(1)
    i = w.index
    borders_armenia = w.adjacency[:, w.region_code == REGIONS.index("armenia")].any(axis=1)
    assert not off[0].any() and np.array_equal(on[1], off[1])
    assert on[0, i["kalbajar"]] > 0 and on[0, i["zangilan"]] > 0  # their guns reach Vardenis, Kapan and Meghri
    assert on[1, i["aghdam"]] > 0 and on[0, i["aghdam"]] == 0 and on[0, i["fuzuli"]] == 0
    assert not on[0, ~borders_armenia].any()


def test_snow_cuts_kalbajar_off_once_the_tartar_road_is_lost():
    """From November to April the Omar pass and the Murov trails carry no supply (roads.csv closed_months):
    Kalbajar's Azerbaijani garrison is then supplied only along the Tartar road through Aghdara/Mardakert
    (or Lachin's), and cut off once the Karabakh side holds both; in summer the pass supplies it."""
    from model.dynamics.supply import supply_targets
    from model.inputs.world import load_world
    from model.mechanisms.supply import Supply

    world = load_world()
    i = world.index
    held = world.arm_share_start >= 0.5
    held[[i["mardakert"], i["lachin"], i["shahumyan"]]] = True
    held[i["kalbajar"]] = False
    assert world.open_edges(7) is world.edges  # no road closed in July
    summer = supply_targets(world, held, 0.0, world.open_edges(7))
    winter = supply_targets(world, held, 0.0, world.open_edges(1))
    assert summer[0, i["kalbajar"]] == 1.0 and winter[0, i["kalbajar"]] == 0.0
    changed = set(np.flatnonzero((winter != summer).any(axis=0)).tolist())
    assert changed <= {i["kalbajar"], *np.flatnonzero(world.adjacency[i["kalbajar"]]).tolist()}  # it and its front
    held[i["mardakert"]] = False  # the Tartar road in Azerbaijani hands: supplied in winter too
    assert supply_targets(world, held, 0.0, world.open_edges(1))[0, i["kalbajar"]] == 1.0
    # the mechanism reads the month's roads only with the switch on
    on = KarabakhWar(rng=0, until="1992-01-10", winter_closure=1)
    off = KarabakhWar(rng=0, until="1992-01-10", winter_closure=0)
    assert Supply.roads(on) is world.open_edges(12) and Supply.roads(off) is world.edges
    assert len(world.open_edges(12)) == len(world.edges) - 6  # three roads, both ways


def test_a_staff_calls_off_the_attacks_it_cannot_assemble_enough_strength_for():
    """attack_call_off: the attack CP that actually goes to a target (over the approach: tracks count
    rough_attack_factor), summed per government, against the defence its staff is told of; below the
    threshold every unit of that government attacking that target holds instead, at or above it all go."""
    w = KarabakhWar(rng=0, until="1991-12-02").world
    i, n = w.index, w.n
    p = {"rough_attack_factor": 0.4}
    # units 0, 1 (government row 0) from Kalbajar on Mardakert by road; unit 2 (row 0) from Mardakert on Shahumyan
    # by a track; unit 3 holds; unit 4 (row 1) from Kalbajar on Mardakert alone
    nodes = np.array([i["kalbajar"], i["kalbajar"], i["mardakert"], i["kalbajar"], i["kalbajar"]])
    target = np.array([i["mardakert"], i["mardakert"], i["shahumyan"], -1, i["mardakert"]])
    ug = np.array([0, 0, 0, 0, 1])
    situation = SimpleNamespace(attack_cp=np.array([600.0, 100.0, 500.0, 900.0, 100.0]))
    enemy = np.zeros((2, n + 1))
    enemy[:, i["mardakert"]] = 1000.0
    enemy[:, i["shahumyan"]] = 1000.0

    def orders(threshold):
        return BuiltinAI._call_off(w, situation, np.arange(5), ug, nodes, target, enemy,
                                   {**p, "attack_call_off": threshold})

    # 700 of row 0 against 1000 on Mardakert go; 500 x 0.4 = 200 on Shahumyan and row 1's 100 do not
    assert orders(0.5).tolist() == [i["mardakert"], i["mardakert"], -1, -1, -1]
    assert orders(0.15).tolist() == [i["mardakert"], i["mardakert"], i["shahumyan"], -1, -1]  # 0.2 >= 0.15
    assert orders(0.71).tolist() == [-1] * 5  # 0.7 < 0.71: the whole attack holds
    assert orders(0.1).tolist() == target.tolist()
