"""Runs of the historical scenario: reproducibility, seed dependence, moving fronts, outputs."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from mesa.batchrunner import batch_run

from model.cli import main
from model.model import KarabakhWar


def test_same_seed_gives_identical_files_different_seed_different_captures(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        assert main(["run", "--seed", str(seed), "--out", str(tmp_path / name), "--quiet", "--no-plots"]) == 0
    a, b, c = (tmp_path / x for x in "abc")
    assert (a / "control.csv").read_bytes() == (b / "control.csv").read_bytes()
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    caps = [json.loads((d / "summary.json").read_text())["captures"] for d in (a, c)]
    assert caps[0] != caps[1]


def test_fronts_move_in_the_historical_run(historical_run):
    m = historical_run
    assert len(m.captures) >= 3
    moved = np.abs(m.control_history[-1] - m.control_history[0])
    assert (moved > 0.5).sum() >= 3, "at least three districts change hands for good"
    assert m.casualties.min() > 0 and m.displaced.sum() > 0
    assert np.all(np.diff(m.casualty_history, axis=0) >= -1e-9)


def test_outputs_have_the_documented_schema(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--seed", "1", "--until", "1994-06-30", "--out", str(out), "--quiet"]) == 0
    control = pd.read_csv(out / "control.csv")
    assert list(control.columns) == ["date", "district", "arm_share"]
    assert control["arm_share"].between(0, 1).all()
    weekly = control.groupby("district")["date"].nunique()
    assert weekly.min() >= (pd.Timestamp("1994-06-30") - pd.Timestamp("1991-12-01")).days // 7
    s = json.loads((out / "summary.json").read_text())
    for key in ("scenario", "seed", "start", "end", "outcomes", "captures", "coups", "ceasefires"):
        assert key in s
    assert s["end"] == "1994-06-30" and s["seed"] == 1
    o = s["outcomes"]
    assert 0 < o["arm_held_azssr_km2"] <= 86_600 and o["captures"] == len(s["captures"])
    assert o["casualties_aze"] > 0 and o["casualties_arm"] > 0
    for cap in s["captures"]:
        assert {"district", "date", "from", "to"} <= set(cap)
    for png in ("control_map.png", "territory_casualties.png"):
        assert (out / png).stat().st_size > 10_000


def test_runs_unmodified_under_mesa_batch_run():
    rows = batch_run(KarabakhWar, {"scenario": "historical", "until": "1992-06-30"}, rng=[1, 2],
                     max_steps=10_000, number_processes=1, display_progress=False)
    assert len(rows) == 2
    assert rows[0]["arm_held_azssr_km2"] != rows[1]["arm_held_azssr_km2"] or rows[0]["casualties_aze"] != rows[1]["casualties_aze"]
    again = batch_run(KarabakhWar, {"scenario": "historical", "until": "1992-06-30"}, rng=[1],
                      max_steps=10_000, number_processes=1, display_progress=False)
    assert again[0]["casualties_aze"] == rows[0]["casualties_aze"]


def test_batch_run_as_the_readme_shows_it_reaches_the_end_date_and_reports_the_outcomes():
    """NumPy seeds (as EMA and numpy users pass them), the README's max_steps, two seeds: each run stops
    by itself at the end date, and its last row holds outcomes(m) under the same names."""
    from model import outcomes
    from model.model import HEADLINE

    rows = batch_run(KarabakhWar, {"scenario": "historical"}, rng=np.arange(1, 3), max_steps=2000,
                     number_processes=1, display_progress=False)
    assert [r["Step"] for r in rows] == [1127, 1127] and [r["days"] for r in rows] == [1127, 1127]
    assert rows[0]["arm_held_azssr_km2"] != rows[1]["arm_held_azssr_km2"] or rows[0]["captures"] != rows[1]["captures"]
    alone = outcomes(KarabakhWar(rng=2).run())
    assert {k: rows[1][k] for k in HEADLINE} == {k: alone[k] for k in HEADLINE}


def test_one_outcome_api_for_summary_experiments_and_the_datacollector(tmp_path):
    """summary.json, the experiment rows and the DataCollector give the headline area under one
    name, and it is the area of the Azerbaijan SSR, not an area that includes Armenia."""
    from model import outcomes
    from model.experiments.runner import RunSpec, run_one
    from model.outputs.files import summary

    m = KarabakhWar(rng=3, until="1993-01-31").run()
    row = outcomes(m)
    last = m.datacollector.get_model_vars_dataframe().iloc[-1]
    assert last["arm_held_azssr_km2"] == pytest.approx(row["arm_held_azssr_km2_end"])
    armenia = (m.world.districts["region"] == "armenia").to_numpy()
    total_arm = float((m.world.area_km2 * m.arm_share).sum())
    assert total_arm - row["arm_held_azssr_km2_end"] == pytest.approx(float(m.world.area_km2[armenia].sum()), rel=0.05)
    s = summary(m, 3)
    assert s["outcomes"]["arm_held_azssr_km2_end"] == row["arm_held_azssr_km2_end"]
    r = run_one(RunSpec(seed=3, until="1993-01-31"))
    assert r["arm_held_azssr_km2_end"] == row["arm_held_azssr_km2_end"]  # the same run, the same names
    assert set(row) <= set(r)


def test_the_readme_documents_every_outcome():
    from pathlib import Path

    from model.outputs.outcomes import OUTCOMES

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [k for k in OUTCOMES if f"`{k}`" not in readme]
    assert missing == []


def test_casualties_in_own_attacks_are_part_of_the_casualties_and_need_attacks():
    """casualties_attacking_<side> counts the men a side lost in its own attacks: never more than its
    casualties; none for a side whose governments never attack."""
    from model.actors.strategy import Orders

    class Hold:
        def decide(self, model, government, situation):
            units = ((model.forces.government == government.index) & model.forces.active).nonzero()[0]
            return Orders.hold(units)

    m = KarabakhWar(rng=3, until="1992-12-31").run()
    h = m.headline()
    assert 0 < h["casualties_attacking_aze"] < h["casualties_aze"]
    assert 0 < h["casualties_attacking_arm"] < h["casualties_arm"]
    held = KarabakhWar(rng=3, until="1992-12-31", strategies={"armenia": Hold(), "nagorno_karabakh": Hold()}).run()
    assert held.headline()["casualties_attacking_arm"] == 0.0 < held.headline()["casualties_arm"]


def test_the_record_day_and_what_a_scored_run_and_the_score_card_report_on_it(tmp_path):
    """The documented targets count on 1994-05-12 (record_day), also in a run that goes on to the end of
    1994: the scored run's fit_casualties_* / fit_displaced_* are that day's, and the score card's
    targets table shows them, not the totals to the end."""
    from model.cli import main
    from model.experiments.runner import RunSpec, replicate_seeds, run_one
    from model.experiments.scoring import forces_miss, range_miss
    from model.experiments.validation import VALIDATION_ROOT_SEED

    short = KarabakhWar(rng=5, until="1993-03-01").run()
    assert short.record_day() == short.day
    seed = replicate_seeds(VALIDATION_ROOT_SEED, 1)[0]
    m = KarabakhWar(rng=seed).run()
    i = m.record_day()
    assert i == (dt.date(1994, 5, 12) - dt.date(1991, 12, 1)).days < m.day
    row = run_one(RunSpec(seed=seed, until=None, score=True, fit_until="1994-05-12"))
    for k, side in enumerate(("aze", "arm")):
        assert row[f"fit_casualties_{side}"] == m.casualty_history[i, k] <= row[f"casualties_{side}"]
        # the displaced as the target's sources count them (targets.toml counts): the arm side's without shelling flight
        shelled = m.displaced_front_history[i, k] if side == "arm" else 0.0
        assert row[f"fit_displaced_{side}"] == m.displaced_history[i, k] - shelled <= row[f"displaced_{side}"]
    # ... and the loss's displaced term is theirs
    counted = np.array([row["fit_displaced_aze"], row["fit_displaced_arm"]])
    assert row["fit_displaced_miss"] == range_miss(counted, ("displaced_aze", "displaced_arm"))
    assert row["fit_displaced_miss"] != range_miss(m.displaced_history[i], ("displaced_aze", "displaced_arm"))
    # ... and the forces term scores that day's men in service and, of the aze side's, those in its units on the map
    assert row["front_aze"] == m.front_history[i, 0] < row["personnel_aze"] == m.personnel_history[i, 0]
    assert row["fit_forces_miss"] == forces_miss(m.personnel_history[i], m.front_history[i])
    assert row["fit_forces_miss"] != forces_miss(m.personnel_history[i])  # the committed set's front misses its range
    assert main(["validate", "--runs", "2", "--workers", "1", "--out", str(tmp_path / "v"), "--quiet"]) == 0
    targets = json.loads((tmp_path / "v" / "card.json").read_text())["targets"]
    rows = [row, run_one(RunSpec(seed=replicate_seeds(VALIDATION_ROOT_SEED, 2)[1], until=None, score=True,
                                 fit_until="1994-05-12"))]
    keys = ("casualties_aze", "casualties_arm", "displaced_aze", "displaced_arm")
    for key in keys:  # the median of two runs: their mean
        assert targets[key]["simulated"]["median"] == pytest.approx(np.mean([r[f"fit_{key}"] for r in rows]))
    assert targets["front_aze"]["simulated"]["median"] == pytest.approx(np.mean([r["front_aze"] for r in rows]))
    # Where the runs went on changing after 1994-05-12 (casualties at least: shelling goes on), the card is not the end.
    moved = [k for k in keys if np.mean([r[f"fit_{k}"] for r in rows]) != pytest.approx(np.mean([r[k] for r in rows]))]
    assert "casualties_aze" in moved
    for key in moved:
        assert targets[key]["simulated"]["median"] != pytest.approx(np.mean([r[key] for r in rows]))
