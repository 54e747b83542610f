"""Bad input gets one clear line, exit status 2, and nothing written (issue 11, first cases).

Each case runs the CLI as a user would and checks: status 2, exactly one line on stderr that
names the file or option and the field, no traceback, and no output directory."""

from __future__ import annotations

import numpy as np
import pytest

from model.cli import main
from model.errors import InputError
from model.model import KarabakhWar

HEADER = 'extends = "historical"\n'


@pytest.mark.parametrize("body, expect", [
    ("[params]\nattrition_rate = -5\n", "[params]: parameter 'attrition_rate': -5 outside the values the model accepts [0, inf]"),
    ("[params]\nattrition_rate = nan\n", "expected a finite number, got nan"),
    ("[params]\nattrition_rate = inf\n", "expected a finite number, got inf"),
    ("[params]\natrition_rate = 0.02\n", "did you mean 'attrition_rate'?"),
    ('[[events]]\ntype = "parameter_change"\ndate = 1992-03-01\nparams = {attrition_rate = -1}\n',
     "event 'parameter_change on 1992-03-01': parameter 'attrition_rate': -1 outside"),
    ('[[events]]\ntype = "parameter_change"\ndate = 1992-03-01\nparams = {capture_shar = 0.7}\n',
     "did you mean 'capture_share'?"),
])
def test_bad_scenario_values_are_refused_before_the_run(tmp_path, capsys, body, expect):
    path = tmp_path / "bad.toml"
    path.write_text(HEADER + body)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0] and expect in err[0] and "Traceback" not in err[0]
    assert not out.exists() and not list(tmp_path.glob(".out*"))


@pytest.mark.parametrize("assignment, expect", [
    ("attrition_rate=-5", "--set: parameter 'attrition_rate': -5 outside"),
    ("attrition_rate=nan", "expected a finite number"),
    ("attrition_rat=0.02", "did you mean 'attrition_rate'?"),
    ("x" * 5000 + "=1", "unknown"),
])
def test_bad_set_options_are_refused(tmp_path, capsys, assignment, expect):
    out = tmp_path / "out"
    assert main(["run", "--set", assignment, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expect in err[0] and len(err[0]) < 300  # long input is not echoed back whole
    assert not out.exists()


@pytest.mark.parametrize("bad", [-1, "x", 2.5, True])
def test_a_seed_must_be_a_non_negative_integer(bad):
    with pytest.raises(InputError, match="a seed must be a non-negative integer"):
        KarabakhWar(rng=bad, until="1991-12-05")


def test_numpy_integer_seeds_are_seeds():
    a = KarabakhWar(rng=np.int64(3), until="1992-01-15").run()
    b = KarabakhWar(rng=3, until="1992-01-15").run()
    assert np.array_equal(a.control_history, b.control_history)
