"""Sweeps: determinism across workers and backends, resume after kill -9, failure isolation,
bad specs, SALib sensitivity indices."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from model.cli import main
from model.errors import InputError
from model.experiments.sweep import load_spec, plan, prepare, read_results
from model.model import KarabakhWar

ROOT = Path(__file__).resolve().parent.parent

SMALL = """
name = "small"
scenarios = ["historical"]
replicates = 3
root_seed = 11
until = "1992-04-30"
[design]
method = "grid"
[parameters.attrition_rate]
values = [0.008, 0.016]
[parameters.breakthrough_ratio]
low = 1.5
high = 3.0
steps = 2
"""


def spec_file(tmp_path: Path, text: str = SMALL, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def outcomes(out: Path) -> pd.DataFrame:
    return read_results(out).drop(columns=["wall_s"])


def test_plan_seeds_and_ids_are_stable(tmp_path):
    spec = load_spec(spec_file(tmp_path))
    a, b = plan(spec), plan(spec)
    assert [r.run_id for r in a] == [r.run_id for r in b] and len(a) == 2 * 2 * 3
    assert len({r.run_id for r in a}) == len(a)
    # Common random numbers: replicate r has the same seed at every point.
    seeds = {(r.replicate, r.spec.seed) for r in a}
    assert len(seeds) == 3


def test_results_do_not_depend_on_workers_or_backend(tmp_path):
    path = spec_file(tmp_path)
    runs = {}
    for label, extra in (("one", ["--workers", "1"]), ("two", ["--workers", "2", "--batch-runs", "2"]),
                         ("dask", ["--workers", "2", "--backend", "dask", "--batch-runs", "5"])):
        out = tmp_path / label
        assert main(["sweep", str(path), "--out", str(out), "--quiet", *extra]) == 0
        runs[label] = outcomes(out)
    assert len(runs["one"]) == 12 and (runs["one"]["error"] == "").all()
    pd.testing.assert_frame_equal(runs["one"], runs["two"])
    pd.testing.assert_frame_equal(runs["one"], runs["dask"])
    # A finished sweep says what it found: one summary row per design point, a plot per outcome and parameter.
    summary = pd.read_csv(tmp_path / "one" / "summary.csv")
    assert len(summary) == 4 and set(summary["runs"]) == {3}
    assert {"attrition_rate", "breakthrough_ratio", "arm_held_azssr_km2", "arm_held_azssr_km2_ci_low"} <= set(summary.columns)
    point0 = runs["one"][runs["one"]["point"] == 0]["casualties_aze"].mean()
    assert summary.loc[summary["point"] == 0, "casualties_aze"].iat[0] == pytest.approx(point0)
    assert (tmp_path / "one" / "outcomes_vs_parameters.png").stat().st_size > 20_000


def test_a_sweep_killed_midway_resumes_to_exactly_the_full_set(tmp_path):
    path = spec_file(tmp_path, SMALL.replace('until = "1992-04-30"', 'until = "1993-06-30"'))
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "model.cli", "sweep", str(path), "--out", str(out), "--workers", "1",
           "--batch-runs", "1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        parts = list((out / "results").glob("part-*.parquet")) if (out / "results").exists() else []
        if len(parts) >= 3 or proc.poll() is not None:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = read_results(out)
    assert 0 < len(partial) < 12, "the kill landed mid-way"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    resumed = outcomes(out)
    assert len(resumed) == 12 and resumed["run_id"].is_unique
    assert not [p for p in (out / "results").iterdir() if p.name.endswith(".tmp")]
    reference = tmp_path / "reference"
    assert main(["sweep", str(path), "--out", str(reference), "--quiet", "--workers", "2"]) == 0
    pd.testing.assert_frame_equal(resumed, outcomes(reference))
    assert prepare(load_spec(path), out, path.read_text()) == [], "nothing left to do"


def test_a_failing_run_is_recorded_the_sweep_completes_and_exits_3(tmp_path, capsys, monkeypatch):
    """A run that raises (a stand-in for a model bug, at attrition_rate 0.016) is recorded with its seed and
    error; the other runs are written; the command exits 3 with one line saying how many and where."""
    original = KarabakhWar.run

    def run(self, *args, **kwargs):
        if self.p["attrition_rate"] == 0.016:
            raise RuntimeError("a model bug")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(KarabakhWar, "run", run)
    path = spec_file(tmp_path)
    out = tmp_path / "fail"
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "6 of 12 runs failed" in err[0] and str(out / "results") in err[0], err
    table = read_results(out)
    failed = table[table["error"] != ""]
    assert len(table) == 12 and len(failed) == 6
    assert (failed["param.attrition_rate"] == 0.016).all() and failed["seed"].notna().all()
    assert failed["error"].str.contains("RuntimeError: a model bug").all()
    monkeypatch.undo()  # the bug fixed: --retry-failed runs only those again
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--workers", "1", "--retry-failed"]) == 0
    assert (read_results(out)["error"] == "").all() and len(read_results(out)) == 12


@pytest.mark.parametrize("text, where, expect", [
    (SMALL.replace("attrition_rate]", "no_such_parameter]"), "no_such_parameter", "unknown parameter"),
    (SMALL.replace("low = 1.5\nhigh = 3.0", "low = 3.0\nhigh = 1.5"), "parameters.breakthrough_ratio", "must be below"),
    (SMALL.replace("steps = 2\n", ""), "breakthrough_ratio", "needs 'steps'"),
    (SMALL.replace('name = "small"', 'name = "small"\ncolour = "red"'), "colour", "unknown field"),
    (SMALL.replace('until = "1992-04-30"', 'until = "April"'), "until", "YYYY-MM-DD"),
    (SMALL.replace('scenarios = ["historical"]', 'scenarios = ["atlantis"]'), "atlantis", "scenario not found"),
    (SMALL.replace('method = "grid"', 'method = "monte"'), "design.method", "got 'monte'; expected one of 'grid', 'lhs'"),
])
def test_bad_specs_are_named_and_write_nothing(tmp_path, capsys, text, where, expect):
    path = spec_file(tmp_path, text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert where in err and expect in err
    assert not out.exists()
    with pytest.raises(InputError):
        load_spec(path)


def test_a_directory_of_another_sweep_is_not_mixed_in(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file(tmp_path)), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    other = spec_file(tmp_path, SMALL.replace("replicates = 3", "replicates = 4"), "other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--quiet"]) == 2
    assert "different sweep" in capsys.readouterr().err
    assert len(read_results(out)) == 12


def test_sensitivity_indices_on_a_small_morris_design(tmp_path):
    path = spec_file(tmp_path, """
        name = "sa"
        replicates = 1
        root_seed = 3
        until = "1992-09-30"
        [design]
        method = "morris"
        samples = 4
        [parameters.training_effect]
        low = 0.5
        high = 4.0
        [parameters.attrition_rate]
        low = 0.004
        high = 0.03
        """)
    out = tmp_path / "sa"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet", "--workers", "2"]) == 0
    ix = pd.read_csv(out / "sensitivity.csv")
    assert {"outcome", "parameter", "index", "value", "ci"} <= set(ix.columns)
    terr = ix[(ix["outcome"] == "arm_held_azssr_km2") & (ix["index"] == "mu_star")].set_index("parameter")["value"]
    assert set(terr.index) == {"training_effect", "attrition_rate"}
    assert terr["training_effect"] > 0, "training decides who holds ground"
    assert (out / "sensitivity.png").stat().st_size > 5_000


def test_sensitivity_needs_a_sobol_or_morris_design(tmp_path, capsys):
    assert main(["sensitivity", str(spec_file(tmp_path)), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "sobol" in capsys.readouterr().err


def test_an_unknown_outcome_in_a_sweep_spec_is_an_input_error(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "x"\nreplicates = 1\noutcomes = ["arm_held_azssr_km2", "territory"]\n'
                    '[design]\nmethod = "grid"\n[parameters.attrition_rate]\nvalues = [0.02]\n')
    with pytest.raises(InputError, match="unknown outcome 'territory'"):
        load_spec(spec)
    spec.write_text(spec.read_text().replace('"territory"', '"capture_day_shusha"'))
    assert load_spec(spec).outcomes == ["arm_held_azssr_km2", "capture_day_shusha"]


def test_the_sensitivity_plot_speaks_to_people_and_its_error_bars_stop_at_zero():
    from model.experiments.sensitivity import figure
    from model.outputs.plots import plt

    ix = pd.DataFrame([dict(scenario="historical", outcome="arm_held_azssr_km2", parameter=p, index="mu_star",
                            value=v, ci=c) for p, v, c in (("attrition_rate", 50.0, 400.0),
                                                           ("training_effect", 3000.0, 500.0))])
    fig = figure(ix)
    ax = fig.axes[0]
    lows = [seg[:, 0].min() for coll in ax.collections for seg in coll.get_segments()]
    assert lows and min(lows) >= 0, "a mean absolute effect cannot be negative: no bar may reach below 0"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["training effect", "attrition rate"]
    assert "km²" in ax.get_xlabel() and "1994-05-12" in ax.get_title()
    plt.close(fig)
