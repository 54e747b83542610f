"""Coup-proofing practices with two sides: each channel can push either way, and which way depends on
the course of the war (when a purge happens, whether the regime commits its guard, who the purge hits)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from model.actors.coup_proofing import PUSHES, CHANNELS, effects, reported_enemy, war_experience
from model.actors.politics import effective_loyalty, vet_commanders
from model.inputs.params import resolve
from model.inputs.regimes import load_regimes
from model.mechanisms.shelling import Shelling
from model.model import KarabakhWar
from model.outputs.outcomes import outcomes

P = resolve()
MUTALIBOV = load_regimes()["azerbaijan"][0]


def test_every_channel_says_which_way_it_pushes():
    assert set(PUSHES) == set(CHANNELS)
    assert all(set(v) <= {"battlefield", "attempts", "success"}
               and set(v.values()) <= {"costs", "helps", "protects", "exposes", "either way"}
               for v in PUSHES.values())


def test_war_experience_grows_with_combat_days_only():
    assert war_experience(0.0, P) == 0.0
    assert war_experience(180.0, P) == pytest.approx(1 - np.exp(-180 / P["war_experience_days"]))
    m = KarabakhWar(rng=0, until="1991-12-20")
    m.run()
    assert 0 < m.combat_days[0] <= m.day + 1 and 0 < m.combat_days[1] <= m.day + 1
    m = KarabakhWar(rng=0, until="1991-12-20")
    m.mechanism(Shelling).step(m, None)  # a day of shelling alone: losses, but no battle experience
    assert m.casualties.sum() > 0 and not m.combat_days.any()


def test_a_purge_before_the_first_battle_costs_less_than_a_purge_mid_war():
    purged = MUTALIBOV.with_items({"recent_purge": 1.0})
    before, mid_war = effects(purged, P, experience=0.0), effects(purged, P, experience=0.9)
    clean = effects(MUTALIBOV.with_items({"recent_purge": 0.0}), P)
    cost_before = clean.training_delta - before.training_delta
    cost_mid = clean.training_delta - mid_war.training_delta
    assert 0 < cost_before < cost_mid
    assert cost_before == pytest.approx(P["purge_training_loss"] * (1 - P["purge_experience_weight"]))


def test_a_purge_ordered_in_the_run_costs_more_once_the_side_has_fought():
    """The same purge, ordered on the first day and after a year of war: the government's combat-power
    factor falls further in the second case (no change of power, no purge coded in the profiles). Each
    purge is measured against the same run without it, so what else moves the factor cancels."""
    def purge_cost(day: int) -> float:
        factor = []
        for purge in (False, True):
            m = KarabakhWar(rng=3, until="1993-06-01", coup_base_rate=0.0, uprising_rate=0.0,
                            resignation_legitimacy=0.0, profiles={"azerbaijan": {"recent_purge": 0.0}})
            for _ in range(day):
                m.step()
            gov = m.government("azerbaijan")
            if purge:
                gov.purge = (m.day, 1.0)
            for _ in range(int(m.p["purge_lag_days"]) + 1):
                m.step()
            factor.append(m.gov_cp_factor[gov.index])
        return factor[0] / factor[1]

    early, late = purge_cost(0), purge_cost(400)
    assert early < late and late > 1.01  # mid-war it costs combat power; one ordered on the first day
    assert early - 1.0 < 0.75 * (late - 1.0)  # takes effect after the lag, with a few weeks of war behind it: less


def _aze_front_power(commit_legitimacy: float, counterweight: float, days: int = 5) -> float:
    """Men at Azerbaijan's front times its combat-power factor, a few days into the war."""
    m = KarabakhWar(rng=1, until="1992-06-01", guard_commit_legitimacy=commit_legitimacy,
                    profiles={"azerbaijan": {"paramilitary_counterweight": counterweight}})
    for _ in range(days):
        m.step()
    gov = m.government("azerbaijan")
    f = m.forces
    return float(f.personnel[f.active & (f.government == gov.index)].sum() * m.gov_cp_factor[gov.index])


def test_a_committed_counterweight_helps_the_front_and_a_withheld_one_costs_it():
    """Committed at once (a regime that fears defeat), the guard's better-trained men fight and the front is
    stronger than with no counterweight; kept in the capital, the front is weaker. The direction of the
    counterweight's battlefield effect is the war's, not the code's."""
    none = _aze_front_power(1.0, 0.0)
    assert _aze_front_power(1.0, 1.0) > none
    assert _aze_front_power(0.0, 1.0) < none


def test_a_committed_guard_leaves_the_capital_and_stops_taking_recruits():
    m = KarabakhWar(rng=1, until="1992-06-01", guard_commit_legitimacy=1.0,
                    profiles={"azerbaijan": {"paramilitary_counterweight": 1.0}})
    gov = m.government("azerbaijan")
    assert gov.guard_personnel > 0 and gov.guard_committed is None
    m.step()
    assert gov.guard_committed == "1991-12-01" and gov.guard_personnel == 0.0
    m.step()
    assert gov.guard_personnel == 0.0
    kept = KarabakhWar(rng=1, until="1992-06-01", guard_commit_legitimacy=1.0, knockouts=["guard_committed"],
                       profiles={"azerbaijan": {"paramilitary_counterweight": 1.0}})
    kept.step()
    assert kept.government("azerbaijan").guard_committed is None


@pytest.mark.parametrize("above_threshold, fewer_plotters", [(-0.3, True), (0.05, False)])
def test_a_purge_can_lower_or_raise_the_number_of_would_be_plotters(above_threshold, fewer_plotters):
    """A purge replaces commanders who would plot and angers every other one. After defeats (commanders well
    below the plotting threshold) it leaves fewer would-be plotters; after victories (commanders just above
    it) its grievance makes more. Same parameters: the sign is the war's."""
    m = KarabakhWar(rng=2, until="1993-06-01", screening_loyalty_gain=0.0)
    gov = m.government("azerbaijan")
    f = m.forces
    mine = np.flatnonzero(f.government == gov.index)
    threshold = m.p["plot_loyalty_threshold"]
    f.loyalty[mine] = threshold + above_threshold
    plotters_before = int((effective_loyalty(m)[mine] < threshold).sum())
    gov.purge = (m.day, 1.0)
    for _ in range(int(m.p["purge_lag_days"])):
        m.day += 1
        vet_commanders(m, effective_loyalty(m))
        f.loyalty[mine] -= m.p["purge_loyalty_loss"] / m.p["purge_lag_days"]  # the grievance (update_loyalty's)
    plotters_after = int((effective_loyalty(m)[mine] < threshold).sum())
    assert (plotters_after < plotters_before) == fewer_plotters
    assert (plotters_after > plotters_before) == (not fewer_plotters)


# ------------------------------------------------------------------ internal intelligence and the front's reports
def _gov(bias: float, noise: float) -> SimpleNamespace:
    """A government as reported_enemy reads it: only its effects' reporting fields."""
    return SimpleNamespace(effects=SimpleNamespace(reporting_bias=bias, reporting_noise=noise))


def test_an_intelligence_apparatus_makes_the_staff_see_the_enemy_weaker_and_blurred():
    """Talmadge's information management: item 11 biases (and blurs) the enemy strength the AI decides by;
    without the apparatus, or knocked out, the staff sees the map as it is and no draw is made."""
    watched = MUTALIBOV.with_items({"internal_intelligence": 1.0})
    e = effects(watched, P)
    assert e.reporting_bias == pytest.approx(P["intelligence_reporting_bias"]) and e.reporting_bias > 0
    assert e.reporting_noise == pytest.approx(P["intelligence_reporting_noise"]) and e.reporting_noise > 0
    off = effects(watched, P, off=frozenset({"reporting"}))
    assert off.reporting_bias == off.reporting_noise == 0.0
    assert effects(MUTALIBOV.with_items({"internal_intelligence": 0.0}), P).reporting_bias == 0.0
    stand = np.full((2, 2001), 100.0)
    rng = np.random.default_rng(0)
    seen = reported_enemy([_gov(0.0, 0.0), _gov(e.reporting_bias, e.reporting_noise)], stand, rng)
    assert (seen[0] == 100.0).all()  # the undistorted staff sees the truth
    assert seen[1].mean() == pytest.approx(100.0 * (1 - e.reporting_bias), rel=0.03)  # biased, noise mean-one
    assert np.log(seen[1]).std() == pytest.approx(e.reporting_noise, rel=0.1)
    state = rng.bit_generator.state
    assert reported_enemy([_gov(0.0, 0.0)], stand, rng) is stand and rng.bit_generator.state == state


def test_the_reporting_channel_changes_the_war_only_where_intelligence_watches_the_officers():
    """With item 11 at 0 everywhere the reporting knock-out leaves the run bit-identical (no draw, no bias);
    with Azerbaijan's apparatus at 1 the staff's distorted picture changes the war."""
    zero = {g: {"internal_intelligence": 0.0} for g in ("azerbaijan", "armenia", "nagorno_karabakh")}
    run = lambda prof, ko=(): outcomes(KarabakhWar(rng=3, until="1992-09-01", profiles=prof, knockouts=ko).run())
    assert run(zero) == run(zero, ("reporting",))
    watched = {"azerbaijan": {"internal_intelligence": 1.0}}
    assert run(watched) != run(watched, ("reporting",))
