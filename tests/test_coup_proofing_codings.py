"""Dated codings: rows per regime and item with from/to dates, no evidence dated after the period they
code, one rule for fractional values and for "no evidence found", profiles that switch on the dates, and
redraws by each row's own confidence."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.inputs.coding_uncertainty import RedrawRule, load_rule, redraw
from model.inputs.locations import DATA_DIR
from model.inputs.regimes import CODED_UNTIL, load_regimes
from model.model import KarabakhWar

CSV = DATA_DIR / "coup_proofing.csv"
ROWS = pd.read_csv(CSV, dtype=str, keep_default_na=False)


def test_values_follow_rule_f_and_no_evidence_follows_rule_n():
    assert set(ROWS["value"].astype(float)) <= {0.0, 0.5, 1.0}
    none_found = ROWS[ROWS["note"].str.contains("Rule N")]
    assert len(none_found) >= 10
    assert (none_found["value"].astype(float) == 0.0).all() and (none_found["confidence"] == "low").all()


def test_no_row_rests_on_evidence_dated_after_the_period_it_codes():
    to = pd.to_datetime(ROWS["to"].replace("", str(CODED_UNTIL)))
    assert (pd.to_datetime(ROWS["evidence_date"]) <= to).all()
    aliyev = ROWS[ROWS["regime"] == "aliyev"]
    before_reform = aliyev[aliyev["to"] == "1993-11-01"]
    assert set(before_reform["item"]) >= {"civil_military_forum", "paramilitary_counterweight", "recent_purge"}
    assert not before_reform["source"].str.contains("Jamestown").any()


def test_the_seed_codes_azerbaijan_until_the_popular_front_took_power():
    """Seed 000 codes the communist regime of 1992; its values hold until 15 May 1992 unless a row says why not."""
    seed = ROWS[(ROWS["regime"] == "mutalibov")].set_index("item")
    interim = ROWS[(ROWS["regime"] == "mammadov_interim")].set_index("item")
    for item in ("ethnic_exclusion", "party_membership", "political_education", "internal_repression",
                 "paramilitary_counterweight", "internal_intelligence"):
        assert interim.loc[item, "value"] == seed.loc[item, "value"]
    assert interim["to"].eq("1992-05-15").all()


@pytest.mark.parametrize("column, value, message", [
    ("evidence_date", "1994-06-01", "is after the period the row codes"),
    ("from", "1992-06-01", "expected rows back to back"),
])
def test_bad_dates_are_one_line_input_errors(tmp_path, column, value, message):
    bad = ROWS.copy()
    row = bad.index[(bad["regime"] == "popular_front") & (bad["item"] == "recent_purge")][0]
    bad.loc[row, column] = value
    path = tmp_path / "cp.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError, match=message) as err:
        load_regimes(path)
    assert "cp.csv" in str(err.value) and "\n" not in str(err.value)


def test_a_profile_switches_on_its_dated_boundary():
    """Armenia's civil-military forum is coded 0 until the presidential adviser of Oct 1992, 0.5 after: the
    model's profile and combat-power factor change on that day, with no change of power."""
    m = KarabakhWar(rng=4, until="1992-10-03", coup_base_rate=0.0, uprising_rate=0.0, resignation_legitimacy=0.0)
    arm = m.government("armenia")
    while m.date < dt.date(1992, 10, 1):
        m.step()
    assert arm.regime.items["civil_military_forum"] == 0.0 and arm.regime.key == "ter_petrosyan"
    factor = m.gov_cp_factor[arm.index]
    m.step()
    assert arm.regime.items["civil_military_forum"] == 0.5 and arm.regime.key == "ter_petrosyan"
    assert m.gov_cp_factor[arm.index] > factor


def test_a_regime_installed_after_a_boundary_gets_the_profile_of_that_date():
    popular_front = load_regimes()["azerbaijan"][2]
    assert popular_front.at(dt.date(1992, 8, 1)).items["recent_purge"] == 0.5
    assert popular_front.at(dt.date(1993, 3, 1)).items["recent_purge"] == 1.0
    assert popular_front.at(dt.date(1991, 1, 1)).items == popular_front.items  # before its time: its first rows


def test_redraws_use_each_rows_own_confidence():
    """Only rows recorded as low confidence move when only 'low' is redrawn; the two rows of an item split
    at a date are drawn independently."""
    regimes = load_regimes()
    only_low = RedrawRule(scale=(0.0, 0.5, 1.0), probability={"high": 0.0, "medium": 0.0, "low": 1.0}, source="test")
    differ = 0
    for seed in range(40):
        drawn = redraw(regimes, np.random.default_rng(seed), only_low)
        for gov, seq in regimes.items():
            for r, d in zip(seq, drawn[gov]):
                for a, b in zip(r.cells, d.cells):
                    if a.confidence != "low":
                        assert a.value == b.value
        pf = drawn["azerbaijan"][2]
        cells = [c.value for c in pf.cells if c.item == "internal_intelligence"]
        differ += cells[0] != cells[1]
    assert 10 < differ < 40
    assert load_rule().probability["high"] == 0.0
