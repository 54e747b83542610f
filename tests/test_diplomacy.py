"""Ceasefire breakdown: advantage, revanche and their deterrents (model.actors.diplomacy)."""

from __future__ import annotations

import numpy as np
import pytest

from model.actors.diplomacy import Proposal
from model.model import KarabakhWar


def _in_ceasefire(pressure=0.3, **params):
    m = KarabakhWar(rng=0, until="1992-03-01", **params)
    m.step()
    m.diplomacy._start(Proposal(mediator="russia", pressure=pressure, terms="test", opened=m.day,
                                expires=m.day + 30, next_round=m.day))
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


def test_front_line_advantage_counts_up_to_its_cap():
    """Beyond ``ceasefire_advantage_cap`` more superiority adds nothing to the hazard of breaking a truce;
    where the advantage stays below the cap, the cap changes nothing."""
    hazards = {}
    for cap, superiority in ((1.0, 40), (2.0, 40), (20.0, 40), (20.0, 1), (1000.0, 1)):
        m = _in_ceasefire(ceasefire_revanche_weight=0.0, ceasefire_breakdown_rate=0.5, ceasefire_advantage_cap=cap)
        nk = m.government("nagorno_karabakh")
        m.forces.personnel[m.forces.side == nk.side_index] *= superiority
        hazards[cap, superiority] = m.diplomacy.breakdown_hazard(nk, m.situation())
    assert hazards[1.0, 40] > 0
    assert hazards[2.0, 40] == pytest.approx(2 * hazards[1.0, 40])
    assert hazards[20.0, 40] > hazards[2.0, 40]
    assert hazards[20.0, 1] == pytest.approx(hazards[1000.0, 1]) and hazards[20.0, 1] < hazards[20.0, 40]
