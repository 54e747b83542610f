"""A non-editable install works: the wheel carries the package, its data, the built-in
scenarios and the calibrated parameter sets, and runs from outside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out)], check=True, capture_output=True)
    return next(out.glob("karabakh_abm-*.whl"))


def test_the_wheel_contains_the_package_scenarios_and_calibration(wheel):
    """Also the wargame's page templates and its vendored htmx."""
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"model/{p.relative_to(ROOT / 'model').as_posix()}" for p in (ROOT / "model").rglob("*")
                if p.is_file() and p.suffix in (".py", ".csv", ".toml", ".md", ".html", ".js")
                and "__pycache__" not in p.parts}
    expected |= {f"model/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")}
    expected |= {f"model/calibration/{p.relative_to(ROOT / 'calibration').as_posix()}"
                 for p in (ROOT / "calibration").rglob("*") if p.suffix in (".csv", ".toml")
                 and "studies" not in p.parts}
    assert expected - names == set()


def test_the_unpacked_wheel_runs_a_built_in_scenario_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import model; "
              "assert model.__file__.startswith(sys.argv[1]), model.__file__; "
              "from model.cli import main; "
              "sys.exit(main(['run', '--until', '1992-01-31', '--no-plots', '--quiet', '--out', sys.argv[2]]))")
    done = subprocess.run([sys.executable, "-c", script, str(site), str(tmp_path / "run")], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario"] == "historical"
    assert summary["parameters"]["attrition_rate"] != 0.012  # the calibrated set shipped with it is in force
