"""Shelling: losses along the front from the enemy's neighbouring artillery, none under a ceasefire."""

from __future__ import annotations

import numpy as np

from model.dynamics.shelling import MAX_DAILY_SHELLING_LOSS, shelling_losses
from model.inputs.params import resolve
from model.mechanisms.shelling import Shelling
from model.model import KarabakhWar
from test_combat import make_forces

P = resolve()
LINE = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], float)  # districts 0 and 1 adjacent; 2 far away


def test_guns_next_door_cost_the_other_side_in_proportion_to_their_number():
    f = make_forces(1000, 2000)  # arm unit in district 0, aze unit in district 1
    f.artillery[:] = [0.0, 40.0]
    frac = shelling_losses(f, LINE, P)
    assert frac[1] == 0  # no arm guns: the aze unit loses nothing
    assert np.isclose(frac[0], P["shelling_casualties"] * 40 / 1000)
    f.artillery[1] = 80.0
    assert np.isclose(shelling_losses(f, LINE, P)[0], 2 * frac[0])
    f.node[1] = 2  # the guns move out of range
    assert shelling_losses(f, LINE, P)[0] == 0
    f.node[1], f.artillery[1] = 1, 1e6  # an absurd battery: capped
    assert shelling_losses(f, LINE, P)[0] == MAX_DAILY_SHELLING_LOSS


def test_a_day_of_shelling_counts_its_losses_as_casualties_and_none_under_a_ceasefire():
    m = KarabakhWar(rng=3, until="1991-12-10")  # day 0: Shusha's guns above Khankendi/Stepanakert
    f = m.forces
    men, cas = np.bincount(f.side, f.personnel * f.active, minlength=2), m.casualties.copy()
    m.mechanism(Shelling).step(m, None)
    lost = men - np.bincount(f.side, f.personnel * f.active, minlength=2)
    assert lost[1] > 0 and lost[0] > 0  # both sides have guns next to the other's troops
    assert np.allclose(m.casualties - cas, lost)
    m.diplomacy.active = {"start": str(m.date), "end": None}  # a ceasefire in force
    before = f.personnel.copy()
    m.mechanism(Shelling).step(m, None)
    assert np.array_equal(f.personnel, before)


def test_as_area_fire_the_same_guns_cost_a_crowded_sector_more_men_and_the_same_share():
    f = make_forces(1000, 2000)  # arm unit in district 0 under the fire of 40 aze guns next door
    f.artillery[:] = [0.0, 40.0]
    aimed = {**P, "shelling_density_exponent": 0.0, "shelling_reference_men": 1000.0}
    area = {**P, "shelling_density_exponent": 1.0, "shelling_reference_men": 1000.0}
    half = {**P, "shelling_density_exponent": 0.5, "shelling_reference_men": 1000.0}
    at_1000 = shelling_losses(f, LINE, area)[0]
    assert np.isclose(at_1000, shelling_losses(f, LINE, aimed)[0])  # at the reference the two forms agree
    f.personnel[0] = 4000.0  # four times the men under the same guns
    assert np.isclose(shelling_losses(f, LINE, area)[0], at_1000)  # area fire: the same share, four times the men
    assert np.isclose(shelling_losses(f, LINE, aimed)[0], at_1000 / 4)  # aimed: the same men, a quarter of the share
    assert np.isclose(shelling_losses(f, LINE, half)[0], at_1000 / 2)  # in between: (4000 / 1000) ** 0.5 / 4
    f.personnel[0] = 250.0  # a thin screen: area fire spares it what aimed fire would take
    assert shelling_losses(f, LINE, area)[0] < shelling_losses(f, LINE, aimed)[0]
