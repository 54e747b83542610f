"""Ceasefire breakdown: advantage, revanche and their deterrents (model.actors.diplomacy)."""

from __future__ import annotations

import numpy as np
import pytest

from model.actors.diplomacy import Proposal
from model.model import KarabakhWar
from model.outputs.outcomes import outcomes


def _start_ceasefire(m, mediator="russia", pressure=0.3):
    m.diplomacy._start(Proposal(mediator=mediator, pressure=pressure, terms="test", opened=m.day,
                                expires=m.day + 30, next_round=m.day))


def _in_ceasefire(pressure=0.3, **params):
    m = KarabakhWar(rng=0, until="1992-03-01", **params)
    m.step()
    _start_ceasefire(m, pressure=pressure)
    return m


def test_revanche_moves_a_government_that_lost_its_aims_and_not_one_that_holds_them():
    """On the first days Azerbaijan has lost the NKAO (most of its aims' area it does not hold), so the
    revanche term raises its hazard of breaking a truce; with aims it holds entirely, it does not."""
    calm, angry = _in_ceasefire(ceasefire_revanche_weight=0.0), _in_ceasefire(ceasefire_revanche_weight=30.0)
    aze_calm, aze_angry = calm.government("azerbaijan"), angry.government("azerbaijan")
    assert aze_angry.aims_held() < 0.9
    h0 = calm.diplomacy.breakdown_hazard(aze_calm, calm.situation())
    h1 = angry.diplomacy.breakdown_hazard(aze_angry, angry.situation())
    assert h1 > h0
    for m, gov in ((calm, aze_calm), (angry, aze_angry)):  # aims it holds entirely: nothing to win back
        gov.war_aims = np.zeros(m.world.n, dtype=bool)
        gov.war_aims[np.flatnonzero((m.side_share[0] == 1.0) & (m.world.area_km2 > 0))[0]] = True
    assert aze_angry.aims_held() == pytest.approx(1.0)
    assert angry.diplomacy.breakdown_hazard(aze_angry, angry.situation()) == pytest.approx(
        calm.diplomacy.breakdown_hazard(aze_calm, calm.situation()))

def test_a_mediators_full_guarantee_and_war_weariness_deter_breaking():
    """Pressure 1 (a full guarantee) leaves no hazard; more of its own casualties lower it, step by step,
    without ever making it negative; the enemy's casualties do not weary it."""
    m = _in_ceasefire(pressure=1.0, ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5)
    for gov in m.governments:
        assert m.diplomacy.breakdown_hazard(gov, m.situation()) == 0.0
    m = _in_ceasefire(ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5)
    aze = m.government("azerbaijan")
    situation = m.situation()
    before = m.diplomacy.breakdown_hazard(aze, situation)
    assert before > 0
    own, enemy = aze.side_index, 1 - aze.side_index
    m.casualties[enemy] += 3 * m.p["weariness_scale"]
    assert m.diplomacy.breakdown_hazard(aze, situation) == pytest.approx(before)
    hazards = [before]
    for _ in range(3):
        m.casualties[own] += m.p["weariness_scale"]
        hazards.append(m.diplomacy.breakdown_hazard(aze, situation))
    assert hazards[0] > hazards[1] > hazards[2] > hazards[3] > 0


def test_an_initiative_during_a_ceasefire_renews_it_with_the_stronger_guarantee():
    """A mediation that comes while a ceasefire holds opens no proposal: the ceasefire in force keeps the
    stronger of the two pressures (a weaker one leaves it), each renewal is recorded, and a stronger
    guarantee deters breaking it."""
    m = _in_ceasefire(pressure=0.3, ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5)
    aze = m.government("azerbaijan")
    before = m.diplomacy.breakdown_hazard(aze, m.situation())
    assert m.open_mediation("russia", 0.8, "confirm the ceasefire") is True  # renewed (the event log says so)
    assert m.open_mediation("csce_un", 0.1, "continuation of the existing ceasefire") is True
    active = m.diplomacy.active
    assert m.diplomacy.proposals == [] and len(m.ceasefires) == 1 and active["pressure"] == 0.8
    assert [(r["mediator"], r["pressure"]) for r in active["renewed"]] == [("russia", 0.8), ("csce_un", 0.1)]
    assert 0 < m.diplomacy.breakdown_hazard(aze, m.situation()) < before


def test_revanche_needs_the_means_to_fight():
    """revanche_readiness_exponent k: the revanche term counts min(advantage, 1) ** k. A front far
    below the strength an attack needs gives less reason to resume the war the larger k (k = 0: as much
    as at parity, whatever the strength); a front with what an attack needs counts in full for every k."""
    def hazard(k, strength):
        m = _in_ceasefire(ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5, revanche_readiness_exponent=k)
        aze = m.government("azerbaijan")
        m.forces.personnel[m.forces.side == aze.side_index] *= strength
        return m.diplomacy.breakdown_hazard(aze, m.situation())
    weak, strong = 0.05, 50.0
    assert 0 < hazard(3, weak) < hazard(1, weak) < hazard(0, weak)
    assert hazard(0, weak) == pytest.approx(hazard(0, 0.5 * weak))  # k = 0: strength does not matter
    assert hazard(3, strong) == pytest.approx(hazard(1, strong)) == pytest.approx(hazard(0, strong))


def test_front_line_advantage_saturates():
    """With ceasefire_advantage_saturation s, the advantage e beyond what an attack needs counts as
    e / (1 + s e): an overwhelming superiority adds little to the hazard of breaking a truce, a small one
    counts almost in full; s = 0 counts all of it."""
    def hazard(s, superiority):
        m = _in_ceasefire(ceasefire_revanche_weight=0.0, ceasefire_breakdown_rate=0.5, ceasefire_advantage_saturation=s)
        nk = m.government("nagorno_karabakh")
        m.forces.personnel[m.forces.side == nk.side_index] *= superiority
        return m.diplomacy.breakdown_hazard(nk, m.situation())
    assert hazard(1.0, 40) > 0
    assert hazard(0.0, 40) > 5 * hazard(1.0, 40)  # e well above 5: saturation 1 keeps it below 1
    assert hazard(1.0, 400) < 1.1 * hazard(1.0, 40)  # ten times more superiority: hardly more reason
    assert hazard(0.0, 400) > 5 * hazard(0.0, 40)  # unsaturated, it counts in full
    assert hazard(0.0, 1) < hazard(0.0, 40)


def test_what_a_truce_breaker_could_take_is_worth_what_its_staff_would_attack_it_for():
    """The stake of breaking a ceasefire is the staff's value of the enemy-held front (strategy.staff_values):
    with its gate open and aims it holds entirely, the Karabakh side risks a truce for enemy-held districts
    beyond its aims at their opportunism; faded with the road links from its aims, less; for districts across
    the 1991 border only, at cross_border_value 0, not at all."""
    def hazard(front_keys, **params):
        m = _in_ceasefire(ceasefire_revanche_weight=0.0, ceasefire_breakdown_rate=0.5, exploitation_gap=-1.0,
                          aims_secured_share=0.0, opportunism=0.4, cross_border_value=0.0, **params)
        nk = m.government("nagorno_karabakh")
        nk.war_aims = np.zeros(m.world.n, dtype=bool)
        nk.war_aims[m.world.index["stepanakert"]] = True  # an aim it holds: nothing to win back
        m.forces.personnel[m.forces.side == nk.side_index] *= 40  # a clear advantage everywhere
        front = np.zeros(m.world.n, dtype=bool)
        front[[m.world.index[k] for k in front_keys]] = True
        assert m.side_held[0][front].all()  # Azerbaijani-held districts
        return m.diplomacy.breakdown_hazard(nk, m.situation(), front=front | nk.war_aims)
    beyond = hazard(["aghdam"], opportunism_depth_decay=1.0)  # two links from Khankendi/Stepanakert (via Askeran)
    assert beyond > 0
    assert hazard(["aghdam"], opportunism_depth_decay=0.5) == pytest.approx(0.5 * beyond)
    assert hazard(["tartar", "barda"], opportunism_depth_decay=1.0) == 0.0  # across the 1991 border: worth nothing to the staff
    assert hazard(["tartar", "aghdam"], opportunism_depth_decay=1.0) > 0  # the most valued district counts (Tartar's defenders lower the advantage)


def test_a_truce_broken_for_nothing_weakens_revanche_and_one_that_won_ground_back_does_not():
    """revanche_futility f: a government that broke a truce and held no more of its aims when the next
    ceasefire started has its revanche term multiplied by 1 - f; one that won revanche_futile_gain back
    keeps it; f = 0 changes nothing."""
    def revanche_hazard(futility, regained):
        m = _in_ceasefire(ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5, ceasefire_advantage_saturation=100.0,
                          revanche_futility=futility)
        aze = m.government("azerbaijan")
        first = m.diplomacy.breakdown_hazard(aze, m.situation())
        m.diplomacy.break_off(aze)
        if regained:  # the war it resumed won back a district of its aims
            lost = np.flatnonzero(aze.war_aims & m.side_held[1] & (m.world.area_km2 > 0))
            v = lost[np.argmax(m.world.area_km2[lost])]
            m.arm_share[v] = 0.0
            m.side_share[:, v] = (1.0, 0.0)
            m.held_by_arm[v] = False
            m.side_held[:, v] = (True, False)
        _start_ceasefire(m)
        return first, m.diplomacy.breakdown_hazard(aze, m.situation()), int(m.diplomacy.futile[aze.index])

    first, again, futile = revanche_hazard(0.5, regained=False)
    assert futile == 1 and first > 0 and again == pytest.approx(0.5 * first)
    first, again, futile = revanche_hazard(0.0, regained=False)
    assert futile == 1 and again == pytest.approx(first)  # counted, but f = 0 leaves revanche as it was
    _, _, futile = revanche_hazard(0.5, regained=True)
    assert futile == 0


def test_each_broken_ceasefire_is_counted_for_the_side_that_broke_it():
    """outcomes' ceasefires_broken_<side>: a truce broken by Nagorno-Karabakh counts for the arm side, one
    broken by Azerbaijan for the aze side; a truce in force counts for neither."""
    m = _in_ceasefire()
    assert (outcomes(m)["ceasefires_broken_aze"], outcomes(m)["ceasefires_broken_arm"]) == (0, 0)
    m.diplomacy.break_off(m.government("nagorno_karabakh"))
    _start_ceasefire(m, "csce_un")
    m.diplomacy.break_off(m.government("azerbaijan"))
    _start_ceasefire(m)
    assert (outcomes(m)["ceasefires_broken_aze"], outcomes(m)["ceasefires_broken_arm"], outcomes(m)["ceasefires"]) == (1, 1, 3)


def test_a_government_counts_the_depots_it_would_throw_in_and_sends_them_when_it_breaks():
    """revanche_levy_share: Azerbaijan's staff counts that share of its depots (at levy_training, as men like
    those on its front) in the strength it weighs for revanche, so a truce it would keep with an empty front it
    may break with full depots; when it breaks, that share of the depots joins its units; at 0 the depots
    count for nothing and stay where they are."""
    def state(share, depots):
        m = _in_ceasefire(ceasefire_revanche_weight=30.0, ceasefire_breakdown_rate=0.5, revanche_levy_share=share)
        aze = m.government("azerbaijan")
        m.forces.personnel[m.forces.side == aze.side_index] *= 0.05  # a hollow front
        aze.depot_personnel = depots
        return m, aze

    def hazard(share, depots):
        m, aze = state(share, depots)
        return m.diplomacy.breakdown_hazard(aze, m.situation())
    off = hazard(0.0, 40_000.0)
    assert off == pytest.approx(hazard(0.0, 0.0))  # off: the depots count for nothing
    assert hazard(0.5, 40_000.0) > 10 * off
    assert hazard(0.5, 0.0) == pytest.approx(off)  # nothing in the depots
    m, aze = state(0.5, 40_000.0)
    f = m.forces
    men, service = f.personnel.copy(), m.personnel_in_service()[0]
    m.diplomacy.break_off(aze)
    assert not m.diplomacy.in_force
    assert aze.depot_personnel == pytest.approx(20_000.0)
    assert f.personnel[f.government == aze.index].sum() - men[f.government == aze.index].sum() == pytest.approx(20_000.0)
    assert m.personnel_in_service()[0] == pytest.approx(service)  # moved from the depots, not raised
    m, aze = state(0.0, 40_000.0)
    m.diplomacy.break_off(aze)
    assert aze.depot_personnel == 40_000.0
