"""Scenario files: validation errors name file, event and field; extends; CLI exit status 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from model.cli import main
from model.errors import InputError
from model.inputs.locations import SCENARIO_DIR
from model.inputs.scenario import load_scenario

BASE = """
name = "base"
start = 1991-12-01
end = 1992-03-01

[[events]]
id = "guns"
type = "arms_transfer"
date = 1992-01-10
from = "russia"
to = "azerbaijan"
tanks = 10
source = "test"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_every_builtin_scenario_validates():
    paths = sorted(SCENARIO_DIR.glob("*.toml"))
    assert paths, "no built-in scenarios"
    for path in paths:
        sc = load_scenario(path)
        assert sc.start < sc.end


def test_extends_removes_and_replaces_events(tmp_path):
    write(tmp_path, "base", BASE)
    child = write(tmp_path, "child", f"""
        extends = "{tmp_path / 'base.toml'}"
        remove_events = ["guns"]
        [params]
        attrition_rate = 0.02
        [[events]]
        type = "embargo"
        date = 1992-02-01
        patron = "turkey"
        on = "arm"
        """)
    sc = load_scenario(child)
    assert [e.type for e in sc.events] == ["embargo"]
    assert sc.params == {"attrition_rate": 0.02}
    assert sc.start.isoformat() == "1991-12-01"


@pytest.mark.parametrize("event, where, expect", [
    ('type = "arms_transfer"\ndate = 1992-01-10\nfrom = "russia"\nto = "azerbaijan"\ntanks = -5', "tanks",
     "got -5; expected a number >= 0"),
    ('type = "arms_transfer"\ndate = 1992-01-10\nfrom = "russia"\nto = "azerbaijan"\ntanks = 1e9', "tanks",
     "got 1000000000.0; expected a number <= 5000"),
    ('type = "arms_transfer"\ndate = 1992-01-10\nfrom = "russia"\nto = "azerbaijan"\ncolour = "red"', "colour",
     "unknown field"),
    ('type = "teleport"\ndate = 1992-01-10', "type", "got 'teleport'; expected one of 'arms_transfer'"),
    ('type = "embargo"\ndate = 1995-01-10\npatron = "turkey"\non = "arm"', "date", "outside"),
    ('type = "coup_constraint"\ndate = 1992-02-10\ngovernment = "azerbaijan"\naction = "forbid"\nuntil = 1992-01-01',
     "until", "before"),
])
def test_bad_events_are_named(tmp_path, event, where, expect):
    path = write(tmp_path, "bad", f"name='bad'\nstart=1991-12-01\nend=1992-03-01\n[[events]]\nid='x'\n{event}\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and where in message and expect in message


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "a", f'extends = "{tmp_path / "b.toml"}"')
    write(tmp_path, "b", f'extends = "{tmp_path / "a.toml"}"')
    with pytest.raises(InputError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_unknown_references_fail_on_the_cli_and_write_nothing(tmp_path, capsys):
    path = write(tmp_path, "ref", BASE.replace('to = "azerbaijan"', 'to = "atlantis"'))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "atlantis" in err and "guns" in err and str(path) in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_bad_dates_and_unknown_parameters_exit_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "--until", "1990-01-01", "--out", str(out), "--quiet"]) == 2
    assert main(["run", "--set", "no_such_parameter=1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "no_such_parameter" in err and "1990-01-01" in err
    assert not out.exists()


def test_existing_output_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    assert main(["run", "--until", "1992-01-01", "--out", str(out), "--quiet", "--no-plots"]) == 2
    assert (out / "keep.txt").read_text() == "precious"
    assert "--force" in capsys.readouterr().err


def test_disputed_figures_as_ranges(tmp_path):
    ok = write(tmp_path, "ok", BASE.replace("tanks = 10", "tanks = [100, 280]"))
    assert load_scenario(ok).events[0].tanks == (100, 280)
    bad = write(tmp_path, "bad", BASE.replace("tanks = 10", "tanks = [280, 100]"))
    with pytest.raises(InputError, match=r"field .tanks.: got \[280, 100\]; expected a range \[low, high\]"):
        load_scenario(bad)


def test_params_shows_the_values_in_force_with_their_origin(capsys, tmp_path):
    """`karabakh params` shows what a run of the scenario uses: the calibrated set for the
    historical scenario, a scenario file's own [params], then --set on top."""
    import tomllib

    from model.inputs.locations import PARAMS_DIR

    calibrated = tomllib.loads((PARAMS_DIR / "default.toml").read_text())["params"]["attrition_rate"]
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("attrition_rate = "))
    assert line.startswith(f"attrition_rate = {calibrated:g} ") and "calibrated set 'default'" in line
    own = tmp_path / "mine.toml"
    own.write_text('extends = "historical"\n[params]\nattrition_rate = 0.021\n')
    assert main(["params", str(own), "--set", "capture_share=0.7"]) == 0
    lines = {ln.split(" = ")[0]: ln for ln in capsys.readouterr().out.splitlines() if " = " in ln and "<-" in ln}
    assert lines["attrition_rate"].startswith("attrition_rate = 0.021 ") and "scenario file mine.toml" in lines["attrition_rate"]
    assert lines["capture_share"].startswith("capture_share = 0.7 ") and "<- --set" in lines["capture_share"]
    assert "default (data/parameters.toml)" in lines["attacker_exposure"]
