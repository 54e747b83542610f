"""Model dynamics on a synthetic world: determinism, emergent fronts, seams, events; the parameters' domain."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from model.errors import InputError
from model.inputs.events import ArmsTransfer, ParameterChange, UnitFormation
from model.inputs.params import load_parameters
from model.model import KarabakhWar
from model.actors.strategy import ExternalStrategy
from model.mechanisms import Orders
from conftest import SYNTH_START, synthetic_model


def test_same_seed_same_history_different_seed_different_history():
    a, b, c = (synthetic_model(seed=s).run() for s in (5, 5, 6))
    assert np.array_equal(a.control_history, b.control_history)
    assert a.captures == b.captures
    assert np.array_equal(a.casualty_history, b.casualty_history)
    assert not np.array_equal(a.control_history, c.control_history)


def test_fronts_move_and_casualties_accumulate():
    m = synthetic_model(seed=2).run()
    assert len(m.captures) > 0
    assert np.all(np.diff(m.casualty_history, axis=0) >= 0)
    assert np.all(np.diff(m.displaced_history, axis=0) >= 0)
    assert m.casualties.sum() > 0
    f = m.forces
    assert np.all(f.personnel >= 0) and np.all((f.morale >= 0) & (f.morale <= 1))
    assert np.all((f.supply >= 0) & (f.supply <= 1))
    assert np.all((m.control_history >= 0) & (m.control_history <= 1))


def test_units_stay_on_their_cells():
    m = synthetic_model(seed=2, days=60).run()
    for unit in m.units:
        if unit.active:
            assert unit.cell is m.grid[unit.district]
            assert unit in unit.cell.agents


def test_external_strategy_orders_are_obeyed_and_checked():
    ext = ExternalStrategy()
    m = synthetic_model(seed=1, days=10)
    gov = m.government("armenia")
    m.governments[gov.index].strategy = ext
    f = m.forces
    row = int(np.flatnonzero((f.government == gov.index) & f.active)[0])
    here = int(f.node[row])
    neighbour = int(m.world.edges[m.world.edges[:, 0] == here, 1][0])
    far = int(np.flatnonzero(~(m.world.adjacency[here] > 0))[-1])
    key = m.unit_keys[row]
    ext.submit({key: ("attack", m.world.keys[neighbour])})
    m.mechanism(Orders).decide(m, m.situation())
    assert f.target[row] == neighbour
    ext.submit({key: ("attack", m.world.keys[far])})
    m.mechanism(Orders).decide(m, m.situation())
    assert f.target[row] == -1  # not adjacent: rejected, the unit holds


def test_events_fire_on_their_date():
    when = SYNTH_START + dt.timedelta(days=10)
    events = (ParameterChange(type="parameter_change", date=when, params={"attrition_rate": 0.02}),
              ArmsTransfer(type="arms_transfer", date=when, **{"from": "stockpile"}, to="armenia", tanks=50))
    m = synthetic_model(seed=1, days=30, events=events)
    arm = m.forces.government == m.government("armenia").index
    for _ in range(10):
        m.step()
    assert m.p["attrition_rate"] != 0.02
    tanks_before = m.forces.tanks[arm].sum()
    m.step()
    assert m.p["attrition_rate"] == 0.02
    # 50 delivered, minus at most one day's combat losses on the same day
    assert tanks_before + 50 * 0.7 < m.forces.tanks[arm].sum() <= tanks_before + 50
    assert [e["date"] for e in m.event_log] == [str(when)] * 2


def test_disputed_quantities_are_drawn_per_run_within_their_range():
    """A ranged delivery varies with the seed, repeats with it, stays in range, and does not
    depend on other events (each event has its own random stream)."""
    when = SYNTH_START + dt.timedelta(days=3)
    ranged = ArmsTransfer(type="arms_transfer", id="guns", date=when, **{"from": "stockpile"}, to="armenia",
                          tanks=(100, 300))
    other = ArmsTransfer(type="arms_transfer", id="other", date=when, **{"from": "stockpile"}, to="azerbaijan",
                         apcs=(5, 50))

    def delivered(seed, events):
        m = synthetic_model(seed=seed, days=10, events=events)
        arm = m.forces.government == m.government("armenia").index
        for _ in range(3):
            m.step()
        before = m.forces.tanks[arm].sum()
        m.fire_due_events()  # fire day 3's events without fighting
        return m.forces.tanks[arm].sum() - before

    a, b, c = delivered(1, (ranged,)), delivered(1, (ranged,)), delivered(2, (ranged,))
    assert a == b and a != c
    assert 100 <= a <= 300 and 100 <= c <= 300
    assert delivered(1, (other, ranged)) == pytest.approx(a)


def test_a_unit_raised_for_a_district_the_enemy_holds_forms_behind_the_line():
    """A unit that forms during the run in a district its side no longer holds forms in the nearest district
    its side holds (fewest road hops, then the lowest index), and that is its base; where its side holds
    the district, it forms there."""
    m = KarabakhWar("historical", rng=0)
    row, key = m.unit_index["az_brigades_lachin_sector"], "az_brigades_lachin_sector"
    qubadli = m.world.index["qubadli"]
    assert m.forces.node[row] == qubadli and not m.forces.active[row]
    formation = UnitFormation(type="unit_formation", date=dt.date(1992, 9, 1), unit=key, source="test")
    m.side_held = m.side_held.copy()
    m.side_held[:, qubadli] = [False, True]  # the arm side took Qubadli before the brigade formed
    message = formation.apply(m)
    node = int(m.forces.node[row])
    held = np.flatnonzero(m.side_held[0])
    hops = m.hops_from(qubadli)
    assert node != qubadli and m.side_held[0, node] and hops[node] == hops[held].min()
    assert node == held[hops[held] == hops[held].min()].min() and m.raised_in[row] == node
    assert message.endswith(f"formed in {m.world.keys[node]} (the enemy holds its district)") and m.forces.active[row]
    again = KarabakhWar("historical", rng=0)  # Qubadli still held: it forms where units.csv says
    assert UnitFormation(type="unit_formation", date=dt.date(1992, 9, 1), unit=key, source="test").apply(again) == \
        f"unit {key} formed"
    assert again.forces.node[row] == qubadli == again.raised_in[row]


def test_the_builtin_ai_only_gives_legal_orders():
    """Its orders skip the model's checks for speed; with the checks on, none is ever rejected,
    and the run is identical."""
    from model.model import KarabakhWar

    fast = KarabakhWar(rng=4, until="1993-06-30")
    checked = KarabakhWar(rng=4, until="1993-06-30")
    checked.check_all_orders = True
    fast.run(), checked.run()
    assert checked.rejected_orders == 0
    assert np.array_equal(fast.control_history, checked.control_history)


@pytest.mark.parametrize("name", sorted(load_parameters()))
def test_every_parameter_at_its_hard_bounds_runs(name):
    """The bounds are the model's real domain: both ends run without error or warning; beyond is refused."""
    p = load_parameters()[name]
    for value in (p.min, p.max):
        KarabakhWar(rng=1, until="1992-01-20", **{name: value}).run()
    for value in (p.min - max(abs(p.min), 1) * 1e-3, p.max * 1.001 + 1e-9):
        with pytest.raises(InputError, match=f"parameter '{name}'.*outside the values the model accepts"):
            KarabakhWar(rng=1, until="1992-01-20", **{name: value})
