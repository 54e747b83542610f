"""Combat properties: monotonicity, non-negativity, invariants under random inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model.dynamics.combat import MAX_DAILY_LOSS, Terrain, apply_losses, combat_power, fight
from model.inputs.forces import Forces
from model.inputs.params import resolve

P = resolve()
N = 3  # districts: 0 and 1 adjacent fronts, 2 rear


def make_forces(att_personnel: float, def_personnel: float, *, att_tanks=0.0, def_morale=0.6,
                def_supply=1.0, kinds=(0, 0)) -> Forces:
    """Two units: unit 0 (arm side) attacks district 1 held by unit 1 (aze side)."""
    n = 2
    return Forces(
        side=np.array([1, 0], np.int8), government=np.array([1, 0], np.int8), kind=np.array(kinds, np.int8),
        node=np.array([0, 1]), home=np.array([-1, 1]), active=np.ones(n, bool),
        personnel=np.array([att_personnel, def_personnel], float), tanks=np.array([att_tanks, 0.0]),
        apcs=np.zeros(n), artillery=np.zeros(n), training=np.full(n, 0.5), base_training=np.full(n, 0.5), morale=np.array([0.6, def_morale]),
        base_morale=np.full(n, 0.6), supply=np.array([1.0, def_supply]), loyalty=np.ones(n), base_loyalty=np.ones(n), cohesion=np.ones(n),
        target=np.array([1, -1]), pay_usd_month=np.zeros(n), contract_end_day=np.full(n, 10**9),
        initial_personnel=np.array([att_personnel, def_personnel], float), recovering=np.zeros(n))


TERRAIN = Terrain.from_params(np.array([0, 2, 0]), P)


def day(forces: Forces, seed: int = 0, p: dict[str, float] = P):
    att, dfn = combat_power(forces, TERRAIN, p)
    return fight(forces, att, dfn, p, np.random.default_rng(seed), N)


def test_more_attacking_strength_never_hurts_the_attacker():
    """Same random draws: a stronger attacker inflicts more, suffers no larger fraction, gains more ground."""
    weak, strong = day(make_forces(1000, 1000)), day(make_forces(3000, 1000))
    assert strong.unit_loss_fraction[1] > weak.unit_loss_fraction[1]
    assert strong.unit_loss_fraction[0] < weak.unit_loss_fraction[0]
    assert strong.share_gain[1, 1] >= weak.share_gain[1, 1]
    tanks = day(make_forces(1000, 1000, att_tanks=40))
    assert tanks.unit_loss_fraction[1] > weak.unit_loss_fraction[1]


def test_low_morale_and_supply_weaken_the_defender():
    base = day(make_forces(1500, 1000))
    demoralised = day(make_forces(1500, 1000, def_morale=0.1))
    starved = day(make_forces(1500, 1000, def_supply=0.0))
    for worse in (demoralised, starved):
        assert worse.defense_cp[1, 1] < base.defense_cp[1, 1]
        assert worse.unit_loss_fraction[1] > base.unit_loss_fraction[1]


def test_militia_is_weak_in_attack_and_strong_at_home():
    brigade = day(make_forces(1000, 1000))
    militia_att = day(make_forces(1000, 1000, kinds=(1, 0)))
    militia_def = day(make_forces(1000, 1000, kinds=(0, 1)))  # defender stands in its home district 1
    assert militia_att.attack_cp[1, 1] < brigade.attack_cp[1, 1]
    assert militia_def.defense_cp[1, 1] > brigade.defense_cp[1, 1]


def test_undefended_district_is_taken_without_losses():
    f = make_forces(1000, 1000)
    f.node[1] = 2  # the defender leaves district 1
    r = day(f)
    assert r.share_gain[1, 1] > 0
    assert r.unit_loss_fraction[0] == 0


@settings(max_examples=200, deadline=None)
@given(att=st.floats(0, 1e5), dfn=st.floats(0, 1e5), tanks=st.floats(0, 500), morale=st.floats(0, 1),
       supply=st.floats(0, 1), seed=st.integers(0, 2**32 - 1), kinds=st.tuples(st.integers(0, 2), st.integers(0, 2)))
def test_invariants_under_random_inputs(att, dfn, tanks, morale, supply, seed, kinds):
    f = make_forces(att, dfn, att_tanks=tanks, def_morale=morale, def_supply=supply, kinds=kinds)
    before = f.personnel.copy()
    r = day(f, seed)
    assert np.all(r.unit_loss_fraction >= 0) and np.all(r.unit_loss_fraction <= 1 - (1 - MAX_DAILY_LOSS) ** 2 + 1e-12)
    assert np.all(r.share_gain >= 0) and np.all(np.isfinite(r.share_gain))
    lost = apply_losses(f, r.unit_loss_fraction)
    assert np.all(f.personnel >= 0) and np.all(f.tanks >= 0)
    assert np.allclose(lost + f.personnel, before)


def _with_neighbour_militia(militia_side: int) -> Forces:
    """make_forces plus a militia of ``militia_side`` standing in district 2, next to district 1."""
    f = make_forces(3000, 1000)
    for name in ("side", "government", "kind", "node", "home", "active", "personnel", "tanks", "apcs", "artillery",
                 "training", "morale", "base_morale", "supply", "loyalty", "base_loyalty", "cohesion", "target",
                 "pay_usd_month", "contract_end_day", "initial_personnel"):
        a = getattr(f, name)
        setattr(f, name, np.append(a, a[1]))
    f.side[2], f.government[2], f.kind[2], f.node[2], f.home[2] = militia_side, militia_side, 1, 2, 2
    return f


ONE_REGION = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)  # 1 borders 0 and 2; all one region


def test_militias_of_a_region_support_a_neighbour_under_attack_and_share_its_losses():
    f = _with_neighbour_militia(militia_side=0)  # an aze militia next to the attacked aze district
    att, dfn = combat_power(f, TERRAIN, P)
    alone = fight(f, att, dfn, P, np.random.default_rng(0), N)
    helped = fight(f, att, dfn, P, np.random.default_rng(0), N, support_adjacency=ONE_REGION)
    assert helped.defense_cp[1, 1] == alone.defense_cp[1, 1] + P["militia_support_share"] * dfn[2]
    assert helped.unit_loss_fraction[1] < alone.unit_loss_fraction[1]  # the defender holds better
    assert alone.unit_loss_fraction[2] == 0 < helped.unit_loss_fraction[2]  # the supporter pays its share
    # another region's detachment, the enemy's, or one that attacks today does not help
    other_region = fight(f, att, dfn, P, np.random.default_rng(0), N, support_adjacency=np.zeros((N, N)))
    assert other_region.defense_cp[1, 1] == alone.defense_cp[1, 1]
    enemy = _with_neighbour_militia(militia_side=1)
    att_e, dfn_e = combat_power(enemy, TERRAIN, P)
    assert fight(enemy, att_e, dfn_e, P, np.random.default_rng(0), N,
                 support_adjacency=ONE_REGION).defense_cp[1, 1] == alone.defense_cp[1, 1]
    f.target[2] = 0  # the militia attacks today (district 0, where the arm unit stands)
    busy = fight(f, att, dfn, P, np.random.default_rng(0), N, support_adjacency=ONE_REGION)
    assert busy.defense_cp[1, 1] == alone.defense_cp[1, 1]


def test_a_defence_never_breaks_against_a_weaker_attacker():
    p = {**P, "breakthrough_ratio": 1.0, "breakthrough_steepness": 1.0}  # a flat logistic: ~45 % a day at r = 0.9
    f = make_forces(900, 1000)
    att, dfn = combat_power(f, TERRAIN, p)
    att[0] = 0.9 * dfn[1]
    broke = [fight(f, att, dfn, p, np.random.default_rng(s), N).broke[1, 1] for s in range(200)]
    assert not any(broke)
    loose = {**p, "break_min_ratio": 0.0}  # the earlier model: breaks at any ratio
    assert sum(fight(f, att, dfn, loose, np.random.default_rng(s), N).broke[1, 1] for s in range(200)) > 50


def test_an_empty_district_is_occupied_faster_by_a_stronger_force():
    gains = []
    for men in (30, 150, 3000):
        f = make_forces(men, 1000)
        f.node[1] = 2  # no defender in district 1
        gains.append(day(f).share_gain[1, 1])  # same draws each time
    assert gains[0] < gains[1] < gains[2]
    f = make_forces(30000, 1000)
    f.node[1] = 2
    assert day(f).share_gain[1, 1] == gains[2]  # at full pace from occupation_cp on


def test_a_day_without_attacks_costs_nothing_and_draws_nothing():
    forces = make_forces(3000, 1000)
    forces.target[:] = -1
    att, dfn = combat_power(forces, TERRAIN, P)
    rng = np.random.default_rng(5)
    result = fight(forces, att, dfn, P, rng, N)
    assert not result.engaged.any() and not result.broke.any()
    assert not result.unit_loss_fraction.any() and not result.share_gain.any() and not result.attack_cp.any()
    assert result.defense_cp[0, 0] == dfn[0] and result.defense_cp[1, 1] == dfn[1]  # against side s: the other's
    assert rng.random() == np.random.default_rng(5).random()  # the stream is where it was


def test_a_day_tells_the_losses_of_an_attack_from_those_of_a_defence():
    """``attack_loss_fraction`` is the part of a unit's loss taken in its own attack: all of the
    attacker's, none of the defender's (model.casualties_attacking counts it)."""
    r = day(make_forces(1000, 3000))
    assert r.unit_loss_fraction[0] > 0 and np.isclose(r.attack_loss_fraction[0], r.unit_loss_fraction[0], rtol=1e-12)
    assert r.unit_loss_fraction[1] > 0 and r.attack_loss_fraction[1] == 0.0


def test_the_attrition_exponent_makes_the_odds_weigh_less_on_loss_rates():
    """Helmbold's exponent w (``attrition_exponent``): at 1 each side's loss rate is in proportion to the
    odds it faces (square law); below 1 an attacker at high odds loses more and its victims less, and at 0
    the odds do not matter at all (the same draws give the same fractions at odds 4:1 and 1:1)."""
    def losses(att, w):
        return day(make_forces(att, 1000), 3, {**P, "attrition_exponent": w}).unit_loss_fraction
    square, helmbold, flat = losses(4000, 1.0), losses(4000, 0.5), losses(4000, 0.0)
    assert helmbold[0] > square[0] and helmbold[1] < square[1]  # the strong attacker bleeds more, inflicts less
    even_flat = losses(1000, 0.0)
    assert np.allclose(flat, even_flat, rtol=1e-12)  # w = 0: odds do not enter
    # the square law's exponent scales the odds exactly: at w, the attacker's fraction times the odds^w is fixed
    cp = day(make_forces(4000, 1000))
    ratio = cp.attack_cp[1, 1] / cp.defense_cp[1, 1]
    assert np.isclose(helmbold[0] * ratio ** 0.5, square[0] * ratio, rtol=1e-9)
