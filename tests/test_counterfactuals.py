"""Counterfactual scenarios, ceasefires and ensemble comparison (fixed seed lists: deterministic)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from model.cli import main
from model.errors import InputError
from model.experiments.runner import RunSpec, replicate_seeds, run_many
from model.experiments.statistics import paired_difference_ci
from model.experiments.scoring import objective_value
from model.model import KarabakhWar
from model.inputs.locations import SCENARIO_DIR
from model.inputs.scenario import load_scenario

COUNTERFACTUALS = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if p.stem != "historical")


def test_the_library_has_at_least_eight_counterfactuals_each_asking_a_question():
    assert len(COUNTERFACTUALS) >= 8
    for name in COUNTERFACTUALS:
        sc = load_scenario(name)
        text = (SCENARIO_DIR / f"{name}.toml").read_text()
        assert sc.question.strip() and text.lstrip().startswith("#"), f"{name}: state the question"
        KarabakhWar(scenario=name, rng=0, until="1991-12-03")  # every reference resolves


def test_no_event_can_set_control(tmp_path):
    """There is no event type for control, events reject unknown fields, and no parameter is a holder."""
    from model.inputs.events import EVENT_TYPES

    assert not [t for t in EVENT_TYPES if "control" in t or "capture" in t or "holder" in t]
    for body, expect in (('type = "set_control"\ndistrict = "shusha"', "expected one of 'arms_transfer'"),
                         ('type = "arms_transfer"\nfrom = "russia"\nto = "armenia"\nholder = "arm"', "unknown field"),
                         ('type = "parameter_change"\n[events.params]\narm_share_shusha = 1', "unknown parameter")):
        path = write(tmp_path, f'extends = "historical"\n[[events]]\nid = "x"\ndate = 1992-01-01\n{body}\n')
        with pytest.raises(InputError) as err:
            load_scenario(path)
        assert expect in str(err.value)


def write(tmp_path, text):
    path = tmp_path / "cf.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("body, expect", [
    ('exclude_units = ["atlantis_brigade"]', "field 'exclude_units'"),
    ('exclude_units = ["afghan_mujahideen"]', "excluded by this scenario"),
    ('[[events]]\nid = "p"\ntype = "profile_change"\ndate = 1992-01-01\ngovernment = "azerbaijan"\n'
     '[events.items]\ncoup_luck = 1', "unknown ['coup_luck']"),
    ('[[events]]\nid = "p"\ntype = "profile_change"\ndate = 1992-01-01\ngovernment = "azerbaijan"\n'
     '[events.items]\nrecent_purge = 2', "got 2; expected a number <= 1"),
    ('[[events]]\nid = "m"\ntype = "mediation"\ndate = 1992-01-01\nmediator = "atlantis"', "unknown patron 'atlantis'"),
])
def test_bad_counterfactuals_exit_2_and_write_nothing(tmp_path, capsys, body, expect):
    path = write(tmp_path, f'extends = "historical"\nname = "cf"\n{body}\n')
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--until", "1992-02-01"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and expect in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_excluded_units_are_absent():
    m = KarabakhWar(scenario="no_366th_regiment", rng=0, until="1992-06-01")
    assert "nk_366_defectors" not in m.unit_index
    assert not [e for e in m.war_scenario.events if e.id == "russia_366th_leaves_stepanakert"]


def test_a_removed_unit_leaves_the_other_units_draws_unchanged():
    a = KarabakhWar(rng=11, until="1991-12-05")
    b = KarabakhWar(scenario="no_366th_regiment", rng=11, until="1991-12-05")
    for key, row in b.unit_index.items():
        assert b.forces.initial_personnel[row] == a.forces.initial_personnel[a.unit_index[key]]


def _first_1993_attempt(model) -> str | None:
    dates = [c["date"] for c in model.coups
             if c["country"] == "azerbaijan" and c["kind"] == "coup" and c["date"].startswith("1993")]
    return min(dates) if dates else None


def test_no_1993_coup_changes_summer_1993_losses_only_where_a_coup_happened():
    """Same seeds (common random numbers): runs are identical until the first 1993 attempt of the
    historical run, and differ after it where there was one."""
    changed = 0
    for seed in replicate_seeds(1993, 8):
        hist = KarabakhWar(rng=seed, until="1993-12-31").run()
        cf = KarabakhWar(scenario="no_1993_coup", rng=seed, until="1993-12-31").run()
        assert _first_1993_attempt(cf) is None
        first = _first_1993_attempt(hist)
        if first is None:
            np.testing.assert_array_equal(hist.control_history, cf.control_history)
            np.testing.assert_array_equal(hist.casualty_history, cf.casualty_history)
            continue
        day = (dt.date.fromisoformat(first) - hist.start).days
        np.testing.assert_array_equal(hist.casualty_history[:day], cf.casualty_history[:day])
        summer = slice((dt.date(1993, 6, 1) - hist.start).days, (dt.date(1993, 9, 30) - hist.start).days)
        if day < summer.stop and not np.array_equal(hist.casualty_history[summer], cf.casualty_history[summer]):
            changed += 1
    assert changed >= 1, "in some seed a 1993 coup happened and removing it changed summer-1993 losses"


def test_no_russian_mediation_delays_the_ceasefire():
    seeds = replicate_seeds(7, 16)
    specs = [RunSpec(seed=s, scenario=sc, until=None, labels={"label": sc})
             for sc in ("historical", "no_russian_mediation") for s in seeds]
    table = run_many(specs, workers=2)
    assert (table["error"] == "").all()
    end = (dt.date(1994, 12, 31) - dt.date(1991, 12, 1)).days + 1
    days = {sc: g.sort_values("seed")["days_to_ceasefire"].fillna(end).to_numpy()
            for sc, g in table.groupby("label")}
    shares = {sc: g["days_to_ceasefire"].notna().mean() for sc, g in table.groupby("label")}
    assert shares["no_russian_mediation"] < shares["historical"]
    diff = paired_difference_ci(days["historical"], days["no_russian_mediation"])
    assert diff[1] > 0, f"later (or no) durable ceasefire without Russian mediation: {diff}"


def test_ceasefires_are_recorded_with_violations_and_the_war_continues_after_may_1994():
    m = KarabakhWar(rng=1).run()
    assert m.end == dt.date(1994, 12, 31)
    assert m.ceasefires, "the historical mediation produces at least one ceasefire in this seed"
    for c in m.ceasefires:
        assert {"start", "end", "violations", "mediator", "broken_by"} <= set(c)
        assert c["violations"] >= 0
    held = [c for c in m.ceasefires if c["end"] is None]
    if held:  # in force at the end: incidents keep happening on the frozen front
        assert held[0]["violations"] > 0


def test_compare_cli_writes_differences_report_and_plots(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "historical", "no_mujahideen", "--runs", "3", "--workers", "2", "--until", "1994-06-30",
                 "--out", str(out), "--quiet"]) == 0
    diffs = pd.read_csv(out / "differences.csv")
    assert {"outcome", "mean_A", "mean_B", "diff", "ci_low", "ci_high"} <= set(diffs.columns)
    assert "arm_held_azssr_km2" in set(diffs["outcome"])
    report = (out / "report.md").read_text()
    assert "no_mujahideen" in report and "Question" in report
    series = pd.read_parquet(out / "series.parquet")
    assert set(series["label"]) == {"A", "B"} and series["seed"].nunique() == 3
    for png in ("territory.png", "capture_dates.png"):
        assert (out / png).stat().st_size > 10_000
    design = json.loads((out / "design.json").read_text())
    assert design["runs"] == 3 and len(design["seeds"]) == 3


def test_compare_rejects_a_bad_scenario_before_running(tmp_path, capsys):
    bad = write(tmp_path, 'extends = "historical"\nremove_events = ["no_such_event"]\n')
    out = tmp_path / "cmp"
    assert main(["compare", "historical", str(bad), "--runs", "2", "--out", str(out), "--quiet"]) == 2
    assert "no_such_event" in capsys.readouterr().err and not out.exists()


def test_scenario_extends_a_counterfactual(tmp_path):
    path = write(tmp_path, 'extends = "no_mujahideen"\nname = "deeper"\nexclude_units = ["chechen_volunteers"]\n'
                           'remove_events = ["chechen_volunteers_arrive"]\n')
    sc = load_scenario(path)
    ids = {e.id for e in sc.events}
    assert "mujahideen_arrive" not in ids and "chechen_volunteers_arrive" not in ids
    assert sc.exclude_units == ("chechen_volunteers",)
    with pytest.raises(InputError, match="remove_events"):
        load_scenario(write(tmp_path, 'extends = "no_mujahideen"\nremove_events = ["mujahideen_arrive"]\n'))


def test_compare_scores_both_variants_against_the_record_and_refuses_another_start(tmp_path, capsys):
    """--score adds the fit's loss as a paired outcome (lower: closer to the documented record); a scenario
    that does not start on 1991-12-01 cannot be scored: one line, exit 2, nothing written."""
    out = tmp_path / "cmp"
    assert main(["compare", "historical", "historical_mixed", "--runs", "2", "--workers", "1", "--score",
                 "--out", str(out), "--quiet"]) == 0
    diffs = pd.read_csv(out / "differences.csv").set_index("outcome")
    results = pd.read_csv(out / "results.csv")
    a, b = (results[results["label"] == k].set_index("seed")["fit_loss"] for k in ("A", "B"))
    assert diffs.loc["fit_loss", "mean_A"] == pytest.approx(a.mean()) and a.min() > 0
    assert diffs.loc["fit_loss", "diff"] == pytest.approx((b - a.loc[b.index]).mean())
    assert "loss against the documented record" in (out / "report.md").read_text()
    assert json.loads((out / "design.json").read_text())["score"] is True
    # ... and the fit's objective of each (median loss + the shares of seeds outside their ranges), with B - A
    obj = diffs.loc["fit_objective"]
    a_rows, b_rows = (results[results["label"] == k].sort_values("seed") for k in ("A", "B"))
    assert obj["mean_A"] == pytest.approx(objective_value(a_rows)) and obj["mean_B"] == pytest.approx(objective_value(b_rows))
    assert obj["mean_A"] >= a.median()  # the shares of seeds outside their ranges only add
    assert obj["diff"] == pytest.approx(obj["mean_B"] - obj["mean_A"]) and obj["ci_low"] < obj["diff"] < obj["ci_high"]
    assert "The fit's objective" in (out / "report.md").read_text()
    late = write(tmp_path, 'start = 1992-06-01\nend = 1994-12-31\n')  # a war of its own, from mid-1992
    out2 = tmp_path / "cmp2"
    assert main(["compare", "historical", str(late), "--runs", "2", "--score", "--out", str(out2), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--score" in err and "1992-06-01" in err and not out2.exists()
