"""Regime politics: coup-proofing profiles, their effects, endogenous coups, the experiment harness."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from model.cli import main
from model.actors.coup_proofing import effects
from model.inputs.locations import DATA_DIR
from model.inputs.regimes import ITEMS, PRACTICES, RISK_ITEMS, load_regimes
from model.errors import InputError
from model.inputs.events import CoupConstraint
from model.experiments.coup_proofing import coup_proofing_design, coup_proofing_report
from model.experiments.runner import RunSpec, replicate_seeds, run_many
from model.experiments.statistics import paired_difference_ci
from model.model import KarabakhWar
from model.inputs.params import resolve
from model.inputs.scenario import load_scenario

P = resolve()


def test_profiles_validate_and_are_sourced():
    regimes = load_regimes()
    assert set(regimes) == {"azerbaijan", "armenia", "nagorno_karabakh"}
    assert len(regimes["azerbaijan"]) >= 3, "Mutalibov, the Popular Front and Aliyev at least"
    for gov, seq in regimes.items():
        starts = [r.period_start for r in seq]
        assert starts == sorted(starts)
        for r in seq:
            assert set(r.items) == set(ITEMS) and all(0.0 <= v <= 1.0 for v in r.items.values())
            assert r.policy is not None and r.policy.government == gov
    profiles = pd.read_csv(DATA_DIR / "coup_proofing.csv", dtype=str, keep_default_na=False)
    assert (profiles["source"].str.strip() != "").all()
    first_aze = regimes["azerbaijan"][0].key
    seeded = profiles[(profiles["regime"] == first_aze)]
    assert seeded["source"].str.contains("000_85f62de43105f406").all(), "Azerbaijan 1992 is coded from seed 000"


@pytest.mark.parametrize("column, value, expect", [
    ("value", "1.5", "outside [0, 1]"),
    ("value", "yes", "expected a number"),
    ("confidence", "sure", "is not one of"),
    ("source", "", "every item needs a source"),
    ("item", "coup_luck", "needs the 13 items"),
])
def test_bad_profile_rows_are_named(tmp_path, column, value, expect):
    shutil.copy(DATA_DIR / "regimes.toml", tmp_path / "regimes.toml")
    df = pd.read_csv(DATA_DIR / "coup_proofing.csv", dtype=str, keep_default_na=False)
    df.loc[2, column] = value
    df.to_csv(tmp_path / "coup_proofing.csv", index=False)
    with pytest.raises(InputError) as err:
        load_regimes.__wrapped__(tmp_path / "coup_proofing.csv", tmp_path / "regimes.toml")
    assert "coup_proofing.csv" in str(err.value) and expect in str(err.value)


def test_item_effects_point_the_literatures_way():
    base = load_regimes()["azerbaijan"][0]
    none = base.with_items({k: 0.0 for k in PRACTICES})
    full = base.with_items({k: 1.0 for k in PRACTICES})
    e0, e1 = effects(none, P), effects(full, P)
    assert e1.training_delta < e0.training_delta, "screening, indoctrination, purges cost competence"
    assert e1.commitment_factor < e0.commitment_factor, "surveillance slows initiative"
    assert e1.counterweight_share > e0.counterweight_share == 0.0, "a guard is kept from the front"
    assert e1.detection > e0.detection and e1.loyalty_gain > e0.loyalty_gain
    forum = effects(base.with_items({"civil_military_forum": 1.0}), P).training_delta
    assert forum > effects(base.with_items({"civil_military_forum": 0.0}), P).training_delta
    risky = effects(base.with_items({k: 1.0 for k in RISK_ITEMS}), P).risk_multiplier
    assert risky > effects(base.with_items({k: 0.0 for k in RISK_ITEMS}), P).risk_multiplier
    with pytest.raises(InputError, match="unknown item"):
        base.with_items({"coup_luck": 1.0})


def _forced(seed=3, **params):
    """Historical scenario with a coup forced in Azerbaijan on 1992-03-01."""
    sc = load_scenario("historical")
    force = CoupConstraint(type="coup_constraint", id="force_test", date=dt.date(1992, 3, 1), government="azerbaijan",
                           action="force")
    sc = sc.model_copy(update={"events": tuple(sorted((*sc.events, force), key=lambda e: e.date))})
    return KarabakhWar(scenario=sc, rng=seed, until="1992-03-10", **params)


def test_a_successful_coup_changes_policy_and_pulls_units_from_the_front():
    # No regime guard and no loyal units counted near the capital: the forced attempt must succeed.
    m = _forced(capital_radius=0, counterweight_share=0.0)
    gov = m.government("azerbaijan")
    before = (gov.regime.key, gov.leader, gov.alignment_russia, gov.mediation_appetite)
    while m.date < dt.date(1992, 3, 1):
        m.step()
    m.step()  # the coup day
    coups = [c for c in m.coups if c["country"] == "azerbaijan" and c["kind"] == "coup"]
    assert len(coups) == 1 and coups[0]["success"] and coups[0]["date"] == "1992-03-01"
    after = (gov.regime.key, gov.leader, gov.alignment_russia, gov.mediation_appetite)
    assert after[0] != before[0] and after[1] != before[1]
    assert after[2:] != before[2:], "the new leadership has other policies"
    plotter = m.unit_index[coups[0]["plotter"]]
    assert m.forces.node[plotter] == gov.capital, "the rebels left the front for the capital"
    assert m.units[plotter].cell is m.grid[gov.capital]
    assert gov.purge is not None or gov.regime.policy.purge_on_takeover == 0


def test_a_failed_coup_costs_the_plotters_and_brings_a_purge():
    m = _forced(coup_contest_exponent=3.0, patron_backing_weight=0.0, capital_radius=4, counterweight_share=0.4)
    while m.date < dt.date(1992, 3, 1):
        m.step()
    plotter_before = m.forces.personnel.copy()
    m.step()
    c = [c for c in m.coups if c["kind"] == "coup"][0]
    if c["success"]:
        pytest.skip("this seed's forced attempt succeeded; the success path is tested above")
    row = m.unit_index[c["plotter"]]
    assert m.forces.personnel[row] < plotter_before[row] * 0.6
    assert m.government("azerbaijan").purge is not None


def test_forbidden_coups_do_not_happen():
    sc = load_scenario("historical")
    forbid = CoupConstraint(type="coup_constraint", id="no_coups", date=dt.date(1991, 12, 1), government="azerbaijan",
                            action="forbid", until=dt.date(1994, 12, 31))
    sc = sc.model_copy(update={"events": (forbid, *sc.events)})
    for seed in range(4):
        m = KarabakhWar(scenario=sc, rng=seed, until="1994-05-12", coup_base_rate=0.02).run()
        assert not [c for c in m.coups if c["country"] == "azerbaijan" and c["kind"] == "coup"]


def test_coup_proofing_lowers_coup_attempts_and_battlefield_performance():
    """Statistical, over a fixed seed list (deterministic): Azerbaijan with all practices vs none. With the
    trade-offs (a committed guard, purges timed by the war) territory is no longer clear; the loss-exchange ratio
    is (it depends on the calibrated parameters: re-check after a recalibration). 32 seeds since stop 52: with its set
    (area fire doubles the Armenian casualties, the ratio's denominator) the effect is about half what it was, and
    the first 16 seeds of this root left it unclear (+0.15 [-0.05, +0.37]); 32 gave +0.32 [+0.14, +0.52] at stop 52 and
    gave +1.06 [+0.78, +1.36] with stop 54's OMON (attempts -15.8 [-21.0, -11.3]; not measured at stop 53),
    +1.03 [+0.75, +1.30] with stop 55's set (attempts -15.1 [-19.9, -11.1]), +0.79 [+0.56, +1.04] with stop 58's
    (attempts -9.8 [-11.9, -7.9]) and +0.96 [+0.69, +1.23] with stop 59's (attempts -17.0 [-21.7, -12.7])."""
    specs = coup_proofing_design(32, root_seed=2026, levels=(0.0, 1.0), sides=("aze",), items=())
    table = run_many(specs, workers=2)
    assert (table["error"] == "").all()
    lo = table[table["level"] == 0.0].sort_values("seed")
    hi = table[table["level"] == 1.0].sort_values("seed")
    attempts = paired_difference_ci(lo["coup_attempts_azerbaijan"].to_numpy(), hi["coup_attempts_azerbaijan"].to_numpy())
    assert attempts[2] < 0, f"more coup-proofing, fewer attempts: {attempts}"
    ratio = paired_difference_ci(lo["loss_exchange_ratio"].to_numpy(), hi["loss_exchange_ratio"].to_numpy())
    assert ratio[1] > 0, f"more coup-proofing, worse battlefield performance (more aze losses per arm loss): {ratio}"


def test_parallel_runs_match_serial_runs():
    specs = [RunSpec(seed=s, until="1992-09-01", labels={"i": i}) for i, s in enumerate(replicate_seeds(5, 4))]
    serial, parallel = run_many(specs, workers=1), run_many(specs, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["seed"].nunique() == 4


def test_experiment_cli_writes_table_report_and_plot(tmp_path):
    out = tmp_path / "cp"
    assert main(["experiment", "coup-proofing", "--runs", "2", "--levels", "0,1", "--until", "1992-12-31",
                 "--workers", "2", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "results.csv", keep_default_na=False)
    expected_rows = 2 * 2 * 2 + len(PRACTICES) * 2 * 2
    assert len(table) == expected_rows and (table["error"] == "").all()
    for col in ("design", "side", "item", "level", "seed", "index_coup_proofing_aze", "coup_attempts_aze",
                "coups_successful_aze", "arm_held_azssr_km2", "loss_exchange_ratio", "days_to_ceasefire"):
        assert col in table.columns
    report = (out / "report.md").read_text()
    assert "Coup-proofing and battlefield performance" in report and "[95" not in report.split("|")[0]
    design = json.loads((out / "design.json").read_text())
    assert design["runs_per_point"] == 2 and len(design["seeds"]) == 2
    assert (out / "coup_proofing.png").stat().st_size > 10_000
    reg = pd.read_csv(out / "regressions.csv", keep_default_na=False)
    assert list(reg.columns[:11]) == ["model", "family", "outcome", "term", "estimate", "ci_low", "ci_high", "p", "n",
                                      "clusters", "note"]
    assert set(reg["table"]) == {"main", "narang_talmadge"} and set(reg["clusters"]) == {4}
    assert "index_internal_role_rel" in set(reg["term"]) and "| term |" in (out / "regressions.md").read_text()
    assert main(["experiment", "coup-proofing", "--runs", "2", "--out", str(out), "--quiet"]) == 2  # no overwrite


def test_report_states_directions():
    rng = np.random.default_rng(0)
    rows = []
    for side in ("aze", "arm"):
        for level in (0.0, 1.0):
            for seed in range(30):
                aze = level if side == "aze" else 0.5
                arm = level if side == "arm" else 0.3
                rows.append(dict(design="index", side=side, item="all_practices", level=level, seed=seed, error="",
                                 index_coup_proofing_aze=aze, index_coup_proofing_arm=arm, index_coup_proofing_rel=aze - arm,
                                 arm_held_azssr_km2=5000 + 4000 * (aze - arm) + rng.normal(0, 300),
                                 loss_exchange_ratio=2 + (aze - arm) + rng.normal(0, 0.1),
                                 coup_attempts_aze=int(level == 0) * 2, coup_attempts_arm=int(level == 0) * 2))
    report, stats = coup_proofing_report(pd.DataFrame(rows))
    assert stats["slope_arm_held_azssr_km2"][1] > 0
    assert "reproduced" in report


def test_an_armed_opposition_rises_when_legitimacy_collapses():
    """The uprising path: the Popular Front's own battalions (armed_wing of its regime) rise against a
    government whose legitimacy has collapsed; success installs the Front's regime directly."""
    m = KarabakhWar(rng=2, until="1992-03-01", uprising_rate=1.0, uprising_legitimacy=0.6,
                    resignation_legitimacy=0.0)
    gov = m.government("azerbaijan")
    gov.legitimacy = 0.05
    m.step()
    ups = [c for c in m.coups if c["kind"] == "uprising"]
    assert ups and ups[0]["plotter"] == "az_popular_front_battalions" and ups[0]["date"] == "1991-12-01"
    if ups[0]["success"]:
        assert gov.regime.key == "popular_front" and gov.regime_history[-1]["how"] == "uprising"
        assert "mammadov_interim" not in [r.key for r in gov.successors]  # the caretaker is skipped
    else:
        assert gov.regime.key == "mutalibov" and gov.purge is not None
    calm = KarabakhWar(rng=2, until="1992-03-01", uprising_rate=1.0, uprising_legitimacy=0.3)
    calm.step()  # legitimacy 0.45 is above the threshold: no uprising, whatever the rate
    assert not [c for c in calm.coups if c["kind"] == "uprising"]


def test_a_government_resigns_to_a_caretaker_but_not_to_an_armed_movement():
    """Resignation hands power to a constitutional successor (Mutalibov to the parliament's chairman);
    when the next listed regime is an armed movement with battalions in service (the Popular Front),
    the government does not resign: the movement must rise. Without battalions it may take over."""
    m = KarabakhWar(rng=2, until="1992-03-01", resignation_legitimacy=0.3, uprising_legitimacy=0.0)
    gov = m.government("azerbaijan")
    gov.legitimacy = 0.1
    m.step()
    assert gov.regime.key == "mammadov_interim" and gov.regime_history[-1]["how"] == "resignation"
    assert gov.successors[0].key == "popular_front"
    gov.legitimacy = 0.1
    m.step()  # the caretaker clings on: the next regime has battalions in service
    assert gov.regime.key == "mammadov_interim"
    wing = m.unit_index["az_popular_front_battalions"]
    m.forces.personnel[wing] = 0.0  # no battalions left: the movement can be handed power
    gov.legitimacy = 0.1
    m.step()
    assert gov.regime.key == "popular_front" and gov.regime_history[-1]["how"] == "resignation"


def test_loyal_troops_stand_aside_from_crowds_as_legitimacy_falls():
    """Against an uprising the loyalists count at the government's legitimacy, against a commander's
    revolt at 0.5 + legitimacy: the same rebels facing the same troops weigh 0.3 / 0.8 as much in
    the one as in the other, and at legitimacy 0 nobody defends the government from the crowd."""
    from model.actors.politics import _contest, _own_forces, effective_loyalty

    def contest(kind, legitimacy):
        m = KarabakhWar(rng=5, until="1992-03-01")
        gov = m.government("azerbaijan")
        gov.legitimacy = legitimacy
        rebels = np.zeros(len(m.forces), dtype=bool)
        rebels[m.unit_index["az_popular_front_battalions"]] = True
        regime = gov.successors[1] if kind == "uprising" else None
        _contest(m, gov, _own_forces(m, gov), rebels, m.unit_index["az_popular_front_battalions"],
                 effective_loyalty(m), kind, regime)
        return m.coups[-1]
    up, coup = contest("uprising", 0.3), contest("coup", 0.3)
    assert coup["loyal_strength"] > 1000
    assert up["loyal_strength"] == pytest.approx(coup["loyal_strength"] * 0.3 / 0.8, abs=1.0)
    assert up["p_success"] > coup["p_success"]
    alone = contest("uprising", 0.0)
    assert alone["loyal_strength"] == 0 and alone["p_success"] == 1.0 and alone["success"]
