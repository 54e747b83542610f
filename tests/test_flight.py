"""Civilians' flight: the exposed civilians of shelled districts flee into displaced_front, none under
a ceasefire; civilians are the 1989 census grown to the start date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from model.dynamics.flight import shelling_flight
from model.dynamics.shelling import incoming_fire
from model.inputs.world import CENSUS_DATE, grown_population
from model.mechanisms.flight import CivilianFlight
from model.model import KarabakhWar
from test_combat import make_forces

LINE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], float)  # districts 0 and 1 adjacent; 2 far away


def test_flight_grows_with_the_guns_firing_in_and_stops_at_the_exposed():
    f = make_forces(1000, 2000)  # arm unit in district 0, aze unit in district 1
    f.artillery[:] = [10.0, 40.0]
    incoming, men = incoming_fire(f, LINE)
    exposed = np.full((2, 3), 1000.0)
    fled = shelling_flight(exposed, incoming, men, 1e-3)
    assert np.isclose(fled[1, 0], 1000 * 1e-3 * 40)  # arm civilians of district 0 under the aze side's 40 pieces
    assert np.isclose(fled[0, 1], 1000 * 1e-3 * 10)  # aze civilians of district 1 under the arm side's 10 pieces
    assert fled[0, 0] == 0 and fled[1, 1] == 0  # no aze troops in 0, no arm troops in 1: no fire aimed there
    assert not fled[:, 2].any()  # out of range
    assert np.array_equal(shelling_flight(exposed, incoming, men, 1.0), np.array([[0, 1000, 0], [1000, 0, 0]]))


def test_a_shelled_district_loses_exposed_civilians_to_displaced_front_and_none_under_a_ceasefire():
    m = KarabakhWar(rng=3, until="1991-12-10", exposed_fraction=0.2)  # day 0: Shusha's guns above Khankendi/Stepanakert
    flight = m.mechanism(CivilianFlight)
    start = m.civilians.copy()
    azssr = m.world.azssr_area > 0
    assert np.allclose(flight.exposed, 0.2 * start * azssr)  # Armenia's border rayons are not counted (targets)
    flight.step(m, None)
    fled = start - m.civilians
    assert (fled >= 0).all() and (fled <= 0.2 * start * azssr + 1e-9).all()  # only the exposed flee
    stepanakert = m.world.index["stepanakert"]
    assert fled[1, stepanakert] > 0  # Armenians of Khankendi/Stepanakert under the guns of Shusha
    assert np.allclose(m.displaced_front, fled.sum(axis=1)) and np.allclose(m.displaced, m.displaced_front)
    assert m.displaced_front[0] > 0  # and Azerbaijanis on the other side of the line
    m.diplomacy.active = {"start": str(m.date), "end": None}  # a ceasefire in force
    before = m.civilians.copy()
    flight.step(m, None)
    assert np.array_equal(m.civilians, before)


def test_the_exposed_are_a_stock_that_flight_empties():
    m = KarabakhWar(rng=3, until="1991-12-10", exposed_fraction=0.2, shelling_flight_rate=0.01)
    flight = m.mechanism(CivilianFlight)
    start = m.civilians.copy()
    flight.step(m, None)
    first = m.displaced_front.copy()
    for _ in range(299):  # the same guns (nothing else moves) for 300 days
        flight.step(m, None)
    fled = start - m.civilians
    assert (fled <= 0.2 * start + 1e-6).all()  # never more than were in range
    assert (m.displaced_front < 300 * first).all()  # each day fewer are left to flee
    s, v = np.unravel_index(np.argmax(fled), fled.shape)
    assert fled[s, v] > 0.19 * start[s, v]  # the most shelled district's exposed villages are nearly empty


def test_civilians_are_the_census_grown_to_the_start_date():
    pop = np.array([1000.0, 50_000.0])
    assert np.array_equal(grown_population(pop, CENSUS_DATE, 0.022), pop)  # the census itself: no growth yet
    two, four = (grown_population(pop, CENSUS_DATE + dt.timedelta(days=days), 0.05) for days in (730, 1460))
    assert (two > pop).all() and np.allclose(four / two, two / pop)  # compound: every two years the same factor
    assert (grown_population(pop, CENSUS_DATE + dt.timedelta(days=730), 0.02) < two).all()  # slower growth, fewer
    m0 = KarabakhWar(rng=1, until="1991-12-10", population_growth_per_year=0.0)
    m = KarabakhWar(rng=1, until="1991-12-10", population_growth_per_year=0.022)
    w = m.world
    assert np.allclose(m0.civilians, [w.population * w.share_azerbaijani, w.population * w.share_armenian])
    growth = m.civilians.sum() / m0.civilians.sum()
    assert 1.06 < growth < 1.07  # about +6.5 % by the start of the war (docs/notes/displacement_sources.md)
    counted = m0.civilians > 0
    assert np.allclose(m.civilians[counted] / m0.civilians[counted], growth)  # the same growth everywhere


def test_the_displaced_are_scored_as_each_targets_sources_count_them(tmp_path, monkeypatch):
    """[displaced_arm] counts flight from districts that changed hands (its sources count the refugees of the 1992
    offensive, none the shelling flight), [displaced_aze] everyone (the official figure includes shelled border
    settlements): the fit's displaced term and the score card compare those, and a ``counts`` the loader does not
    know is refused with the file and field."""
    from model.errors import InputError
    from model.experiments.scoring import range_miss
    from model.inputs.history import TARGETS, counted_displaced, load_targets

    t = load_targets()
    assert (t["displaced_aze"]["counts"], t["displaced_arm"]["counts"]) == ("all", "captures")
    m = KarabakhWar(rng=3, until="1992-12-31").run()
    day = m.day
    assert np.array_equal(m.displaced_front_history[day], m.displaced_front)
    assert (np.diff(m.displaced_front_history, axis=0) >= 0).all() and (m.displaced_front_history <= m.displaced_history).all()
    assert m.displaced_front[1] > 0  # Armenians fled shelling in 1992: the case in which the two counts differ
    counted = counted_displaced(m.displaced_history[day], m.displaced_front_history[day])
    assert counted[0] == m.displaced[0] and counted[1] == m.displaced[1] - m.displaced_front[1]
    # the two counts miss the targets by different amounts (the fit scores the counted: test_historical)
    assert range_miss(counted, ("displaced_aze", "displaced_arm")) != range_miss(m.displaced, ("displaced_aze", "displaced_arm"))
    # the rule follows the file, not the side: with the counts swapped the other side's shelling flow comes off
    swapped = {**t, "displaced_aze": {**t["displaced_aze"], "counts": "captures"},
               "displaced_arm": {**t["displaced_arm"], "counts": "all"}}
    monkeypatch.setattr("model.inputs.history.load_targets", lambda: swapped)
    assert np.array_equal(counted_displaced(m.displaced, m.displaced_front),
                          [m.displaced[0] - m.displaced_front[0], m.displaced[1]])
    monkeypatch.undo()
    bad = tmp_path / "targets.toml"
    bad.write_text(TARGETS.read_text(encoding="utf-8").replace('counts = "captures"', 'counts = "shelling"'),
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"targets\.toml: \[displaced_arm\] counts: found 'shelling', expected one of "
                                         r"'all', 'captures'"):
        load_targets(bad)
