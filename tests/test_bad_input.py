"""Bad input gets one clear line, exit status 2, and nothing written (issue 11).

Each case runs the CLI as a user would — scenario files, options, sweep specs — and checks: status 2
(3 for a sweep whose runs failed, tests/test_sweeps.py), exactly one line on stderr (after argparse's
usage block for option syntax) that names the file or option and the field, no traceback, and nothing
at the output location."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from model.cli import main
from model.errors import InputError
from model.inputs.params import load_parameters
from model.model import KarabakhWar
from model.outputs.files import _HOST, atomic_file

HEADER = 'extends = "historical"\n'
ARMS = '[[events]]\ntype = "arms_transfer"\ndate = 1992-03-01\nfrom = "russia"\nto = "azerbaijan"\n'


def refused(argv, capsys, out, status=2) -> str:
    """Run the CLI; check the status, one error line without traceback, nothing at ``out``; return the line."""
    assert main([str(a) for a in argv]) == status
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("karabakh: error: ") and "Traceback" not in err[0], err
    assert not out.exists() and not list(out.parent.glob(f".{out.name}*"))
    return err[0]


@pytest.mark.parametrize("body, expect", [
    # pydantic's wording, translated: file, field, what was found, what was expected
    ("start = 42\n", "field 'start': got 42; expected a date as YYYY-MM-DD"),
    ('start = "May 1992"\n', "field 'start': got 'May 1992'; expected a date as YYYY-MM-DD"),
    ("strat = 1992-01-01\n", "field 'strat': unknown field; did you mean 'start'?"),
    ("name = [1]\n", "field 'name': got [1]; expected text in quotes"),
    (ARMS + "tanks = nan\n", "event #1, field 'tanks': got nan; expected a finite number or a list [low, high]"),
    (ARMS + "tanks = [80, 20]\n", "event #1, field 'tanks': got [80, 20]; expected a range [low, high]"),
    (ARMS + "tanks = 9000\n", "field 'tanks': got 9000; expected a number <= 5000"),
    (ARMS + "tank = 3\n", "field 'tank': unknown field; did you mean 'tanks'?"),
    (ARMS.replace('from = "russia"\n', ""), "field 'from': missing; this field is required"),
    (ARMS.replace("arms_transfer", "arms"), "field 'type': got 'arms'; expected one of 'arms_transfer'"),
    ('[[events]]\ntype = "embargo"\ndate = 1992-03-01\npatron = "russia"\non = "x"\n',
     "field 'on': got 'x'; expected one of 'aze' or 'arm'"),
    ('[[events]]\ntype = "mercenary_contract"\ndate = 1992-03-01\nunit = "x"\ncontract_days = 2.5\n',
     "field 'contract_days': got 2.5; expected a whole number"),
    ('[[events]]\ntype = "mediation"\ndate = 1992-03-01\nmediator = "russia"\npressure = inf\n',
     "field 'pressure': got inf; expected a finite number"),
    ('[[events]]\ntype = "mercenary_contract"\ndate = 1992-03-01\nunit = "az_omon"\n',
     "unit 'az_omon' is not a mercenary contingent; mercenary units: afghan_mujahideen"),
    # parameter values: checked against the hard bounds before the run
    ("[params]\nattrition_rate = -5\n", "[params]: parameter 'attrition_rate': -5 outside the values the model accepts [0, 1]"),
    ("[params]\nattrition_rate = 1e308\n", "parameter 'attrition_rate': 1e+308 outside the values the model accepts [0, 1] ("),
    ("[params]\ncapture_share = 0.3\n", "below one half both sides could hold it"),
    ("[params]\nattrition_rate = nan\n", "expected a finite number, got nan"),
    ("[params]\nattrition_rate = inf\n", "expected a finite number, got inf"),
    ("[params]\natrition_rate = 0.02\n", "did you mean 'attrition_rate'?"),
    ('[[events]]\ntype = "parameter_change"\ndate = 1992-03-01\nparams = {attrition_rate = -1}\n',
     "event 'parameter_change on 1992-03-01': parameter 'attrition_rate': -1 outside"),
    ('[[events]]\ntype = "parameter_change"\ndate = 1992-03-01\nparams = {capture_shar = 0.7}\n',
     "did you mean 'capture_share'?"),
    # patrons (issue 15): 'can' is enforced for scheduled events; modes and policies are checked
    (ARMS.replace('"russia"', '"iran"') + "tanks = 3\n",
     "event 'arms_transfer on 1992-03-01': iran cannot arms: model/data/patrons.toml ('can') allows it only"),
    ('[patrons.rusia]\nmode = "mixed"\n', "[patrons.rusia]: unknown patron; known: russia, turkey"),
    ('[patrons.russia]\nmode = "decides"\n', "field 'patrons.russia.mode': got 'decides'; expected one of"),
    ('[patrons.russia.policy]\nalignment_wieght = 0\n', "[patrons.russia.policy] alignment_wieght: unknown policy"),
    ('[patrons.iran.policy]\naraks_districts = 3\n', "araks_districts: got 3; expected a list of names"),
    ('[patrons.iran]\nmode = "mixed"\npolicy = {araks_districts = ["fuzli"]}\n',
     "[patrons.iran.policy] araks_districts: unknown name 'fuzli'"),
])
def test_bad_scenario_files_are_named_before_the_run(tmp_path, capsys, body, expect):
    path = tmp_path / "bad.toml"
    path.write_text(HEADER + body)
    line = refused(["run", path, "--out", tmp_path / "out", "--quiet"], capsys, tmp_path / "out")
    assert f"bad.toml: {expect}" in line or (str(path) in line and expect in line), line
    assert "Input should" not in line and "constrained" not in line and "arms_transfer." not in line


def test_an_unknown_region_in_a_governments_theatre_is_one_line(tmp_path, capsys, monkeypatch):
    from model.inputs import governments as gov_mod
    bad = tmp_path / "governments.toml"
    bad.write_text((gov_mod.DATA_DIR / "governments.toml").read_text().replace(
        'theatre = ["nkao", "shahumyan", "surrounding"]', 'theatre = ["nkao", "karabakh"]'))
    monkeypatch.setattr("model.model.load_governments", lambda: gov_mod.load_governments.__wrapped__(bad))
    line = refused(["run", "--out", tmp_path / "out", "--quiet"], capsys, tmp_path / "out")
    assert "governments.toml" in line and "[nagorno_karabakh].theatre" in line and "'karabakh'" in line, line
    assert "expected regions of districts.csv" in line and "'surrounding'" in line, line


@pytest.mark.parametrize("old,new,expect", [
    ('units = ["az_brigades_aghdam_sector"]', 'units = ["az_brigades_aghdam"]',
     "[aghdam].units: 'az_brigades_aghdam' is not a key of data/units.csv"),
    ('districts = ["aghdam", "aghdam_plain"]', 'districts = ["aghdam", "agdam_plain"]',
     "[aghdam].districts: 'agdam_plain' is not a key of data/districts.csv"),
    ('units = ["az_brigades_fuzuli_sector"]', 'units = ["az_brigades_aghdam_sector"]',
     "[fuzuli_jabrayil].units: 'az_brigades_aghdam_sector' is already in sector [aghdam]"),
    ('districts = ["ijevan", "noyemberyan"]', 'districts = []', "[tavush].districts"),
])
def test_a_bad_sector_of_the_front_is_one_line(tmp_path, capsys, monkeypatch, old, new, expect):
    """data/sectors.toml (sector_hold): a unit or district that the data do not have, a unit in two sectors or a
    sector without districts is one line naming the file, the table and the field, before the run."""
    from model.inputs import sectors
    bad = tmp_path / "sectors.toml"
    text = sectors.SECTORS.read_text()
    assert old in text
    bad.write_text(text.replace(old, new))
    monkeypatch.setattr("model.model.load_sectors", lambda: sectors.load_sectors.__wrapped__(bad))
    line = refused(["run", "--out", tmp_path / "out", "--quiet"], capsys, tmp_path / "out")
    assert "sectors.toml" in line and expect in line, line


def test_a_parameter_entry_without_bounds_is_refused(tmp_path):
    path = tmp_path / "parameters.toml"
    path.write_text('[x]\nvalue = 1.0\nunit = "u"\nsource = "assumption"\nnote = "n"\n')
    with pytest.raises(InputError, match=r"\[x\]: missing field\(s\) \['min', 'max', 'bounds'\]"):
        load_parameters.__wrapped__(path)


@pytest.mark.parametrize("fields", ['value = 1.0\nmin = 0.0\nmax = 2.0\nswitch = true',
                                    'value = 0.5\nmin = 0.0\nmax = 1.0\nswitch = true',
                                    'value = 1.0\nmin = 0.0\nmax = 1.0\nswitch = "yes"'])
def test_a_switch_that_is_not_off_or_on_is_refused(tmp_path, fields):
    """switch = true (a fit tries 0 and 1): the value must be 0 or 1 within hard bounds [0, 1], the flag a boolean."""
    path = tmp_path / "parameters.toml"
    path.write_text(f'[x]\n{fields}\nbounds = "a switch"\nunit = "u"\nsource = "assumption"\nnote = "n"\n')
    with pytest.raises(InputError, match=r"\[x\]\.switch: .*a switch is true, with value 0 or 1 and hard bounds \[0, 1\]"):
        load_parameters.__wrapped__(path)
    path.write_text('[x]\nvalue = 1.0\nmin = 0.0\nmax = 1.0\nswitch = true\nbounds = "a switch"\nunit = "u"\n'
                    'source = "assumption"\nnote = "n"\n')
    assert load_parameters.__wrapped__(path)["x"].switch is True


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


@pytest.mark.parametrize("kind", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                                  np.intp, np.uintp, np.longlong, np.ulonglong])
def test_numpy_integer_seeds_of_every_type_are_seeds(kind):
    a = KarabakhWar(rng=kind(3), until="1991-12-20").run()
    b = KarabakhWar(rng=3, until="1991-12-20").run()
    assert np.array_equal(a.control_history, b.control_history) and np.array_equal(a.casualties, b.casualties)


def _run(path, tmp_path, capsys) -> str:
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-plots", "--until", "1991-12-10"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0] and not out.exists()
    return err[0]


def test_a_scenario_that_is_not_utf8_is_named(tmp_path, capsys):
    path = tmp_path / "latin.toml"
    path.write_bytes(HEADER.encode() + b'name = "caf\xe9"\n')
    assert "latin.toml: file: not UTF-8 text" in _run(path, tmp_path, capsys)


def test_a_directory_or_an_over_long_name_is_named(tmp_path, capsys):
    assert "is a directory; expected a file" in _run(tmp_path, tmp_path, capsys)
    line = _run("x" * 5000, tmp_path, capsys)
    assert "cannot be read" in line and len(line) < 300


def test_extends_is_relative_to_the_file_that_contains_it(tmp_path, capsys, monkeypatch):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "base.toml").write_text(HEADER)
    (sub / "child.toml").write_text('extends = "base.toml"\n')
    monkeypatch.chdir(tmp_path)  # not the folder of the files
    out = tmp_path / "run"
    assert main(["run", str(sub / "child.toml"), "--out", str(out), "--quiet", "--no-plots", "--until", "1991-12-10"]) == 0
    (sub / "orphan.toml").write_text('extends = "missing.toml"\n')
    line = _run(sub / "orphan.toml", tmp_path, capsys)
    assert "orphan.toml: field 'extends': 'missing.toml'" in line  # the file holding the extends is named


def test_start_after_end_is_said_as_such(tmp_path, capsys):
    path = tmp_path / "rev.toml"
    path.write_text(HEADER + "start = 1994-12-31\nend = 1991-12-01\n")
    assert "start 1994-12-31 is not before end 1991-12-01" in _run(path, tmp_path, capsys)


def test_a_sweep_spec_that_is_a_directory_or_not_utf8_writes_nothing(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", str(tmp_path), "--out", str(out), "--quiet"]) == 2
    assert "is a directory; expected a file" in capsys.readouterr().err and not out.exists()
    spec = tmp_path / "spec.toml"
    spec.write_bytes(b'name = "caf\xe9"\n')
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    assert "spec.toml: file: not UTF-8 text" in capsys.readouterr().err and not out.exists()


SPEC = 'name = "t"\nuntil = "1991-12-05"\n'


@pytest.mark.parametrize("body, expect", [  # sweep specs: checked before anything runs or is written
    ('until = "1990-01-01"\n', "field 'until': 1990-01-01 is outside scenario 'historical'"),
    ("[parameters.attrition_rate]\nvalues = [0.01, -5]\n", "[parameters.attrition_rate].values: parameter "
                                                          "'attrition_rate': -5 outside"),
    ("[parameters.attrition_rate]\nlow = 0.01\nhigh = 1e308\n[design]\nmethod = \"lhs\"\n",
     "[parameters.attrition_rate].high: parameter 'attrition_rate': 1e+308 outside"),
    ("[parameters.attrition_rate]\nvalues = [nan]\n", "field 'parameters.attrition_rate.values.0': got nan; "
                                                      "expected a finite number"),
    ("[parameters.attrition_rat]\nvalues = [0.01]\n", "did you mean 'attrition_rate'?"),
    ('outcomes = ["arm_held_azssr_km3"]\n', "field 'outcomes': unknown outcome 'arm_held_azssr_km3'"),
    ("replicate = 3\n", "field 'replicate': unknown field; did you mean 'replicates'?"),
    ("replicates = 0\n", "field 'replicates': got 0; expected a number >= 1"),
    ("root_seed = -1\n", "field 'root_seed': got -1; expected a number >= 0"),
    ('[design]\nmethod = "lhs"\nseed = -2\n', "field 'design.seed': got -2; expected a number >= 0"),
    ('[design]\nmethod = "monte"\n', "field 'design.method': got 'monte'; expected one of 'grid'"),
])
def test_bad_sweep_specs_are_refused_before_anything_runs(tmp_path, capsys, body, expect):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace('until = "1991-12-05"\n', "") + body if body.startswith("until") else SPEC + body)
    out = tmp_path / "sweep"
    line = refused(["sweep", spec, "--out", out, "--quiet", "--workers", "1"], capsys, out)
    assert "spec.toml" in line and expect in line, line


@pytest.mark.parametrize("option, expect", [
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler: 'tcp://127.0.0.1:9': no Dask scheduler"),
    (["--backend", "dask", "--scheduler", "tcp://head:port"], "--scheduler: 'tcp://head:port': not an address"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler: 'tcp://127.0.0.1:9': needs --backend dask"),
])
def test_a_scheduler_pointing_nowhere_fails_fast(tmp_path, capsys, option, expect):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    assert expect in refused(["sweep", spec, "--out", out, "--quiet", *option], capsys, out)


@pytest.mark.parametrize("command", [["run", "--no-plots"], ["sweep", "SPEC"], ["compare", "historical", "historical"],
                                     ["experiment", "coup-proofing"], ["validate"]])
@pytest.mark.parametrize("inside", [False, True])
def test_an_output_location_that_is_a_file_is_refused(tmp_path, capsys, command, inside):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    afile = tmp_path / "afile"
    afile.write_text("keep")
    out = afile / "sub" if inside else afile
    argv = [spec if a == "SPEC" else a for a in command] + ["--out", out, "--quiet"]
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out: is " in err[0] and "expected a directory" in err[0] and "Traceback" not in err[0]
    assert afile.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["afile", "spec.toml"]


@pytest.mark.parametrize("argv, expect", [  # option syntax: argparse's usage block, then one error line
    (["run", "--seed", "x"], "argument --seed: expected a seed, a non-negative integer, got 'x'"),
    (["compare", "historical", "historical", "--seed", "-1"], "argument --seed: expected a seed, a non-negative integer, got -1"),
    (["run", "--until", "May"], "argument --until: expected a date as YYYY-MM-DD, got 'May'"),
    (["run", "--set", "attrition_rate"], "argument --set: expected NAME=VALUE"),
    (["run", "--set", "attrition_rate=high"], "argument --set: expected a number after '='"),
    (["run", "--format", "xlsx"], "argument --format: invalid choice: 'xlsx'"),
    (["compare", "historical", "historical", "--runs", "0"], "argument --runs: expected a positive integer, got 0"),
    (["experiment", "coup-proofing", "--levels", "0,2"], "argument --levels: levels must lie in [0, 1]"),
])
def test_bad_option_syntax_is_named(tmp_path, capsys, argv, expect):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        main(argv + ["--out", str(out)])
    assert exit_.value.code == 2 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage: ") and len([e for e in err if "error:" in e]) == 1 and expect in err[-1], err


@pytest.mark.parametrize("argv, expect", [
    (["run", "--until", "1990-01-01"], "--until: 1990-01-01: must be after 1991-12-01"),
    (["run", "no_such_scenario"], "scenario not found; built-in scenarios:"),
    (["compare", "historical", "no_such_scenario", "--runs", "1"], "scenario not found"),
    (["experiment", "coup-proofing", "--set", "capture_share=2", "--runs", "1"], "--set: parameter 'capture_share': 2 outside"),
])
def test_bad_option_values_are_named(tmp_path, capsys, argv, expect):
    out = tmp_path / "out"
    assert expect in refused(argv + ["--out", out, "--quiet"], capsys, out)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_folders_of_killed_runs_are_cleaned(tmp_path):
    """Only ours (our naming, this host) whose process is gone; the rule is in outputs.files.clean_stale."""
    out = tmp_path / "out"
    dead, live = (tmp_path / f".out.tmp-{_HOST}-{pid}-abc123" for pid in (_dead_pid(), os.getpid()))
    others = [live, tmp_path / f".out.tmp-otherhost-{_dead_pid()}-abc", tmp_path / ".out.mine", tmp_path / ".other.x"]
    for d in (dead, *others):
        d.mkdir()
    assert main(["run", "--out", str(out), "--quiet", "--no-plots", "--until", "1991-12-05"]) == 0
    assert not dead.exists() and all(d.exists() for d in others) and (out / "summary.json").exists()


def test_an_atomic_file_is_whole_or_untouched(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_file(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]  # the temporary file is gone
    with atomic_file(path):
        pass  # nothing written (a plot with nothing to show): the old file stays
    assert path.read_text() == "old"
    with atomic_file(path, mode=0o600, sync=True) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".state.json.")  # beside it, hidden
        tmp.write_text("new")
    assert path.read_text() == "new" and list(tmp_path.iterdir()) == [path]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_a_sweep_directory_is_made_atomically_and_resumes_clean(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC + "replicates = 2\n")
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "spec.toml").write_text(SPEC)  # what a kill between spec.toml and manifest.json used to leave
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results", "spec.toml", "summary.csv"]
    stale = out / "results" / ".part-0123.parquet.tmp"  # a part a killed worker was writing
    stale.write_bytes(b"half")
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert not stale.exists() and len(list((out / "results").iterdir())) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sweep")]


def test_a_changed_spec_on_resume_says_what_changed(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    spec.write_text(SPEC.replace("1991-12-05", "1991-12-06") + "replicates = 2\n")
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds a different sweep: replicates: 1 there, 2 here; until: '1991-12-05' there, " \
                               "'1991-12-06' here; use a new --out, or restore the spec" in err[0], err
