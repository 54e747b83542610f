"""Documentation stays true to the code: parameters in the ODD, README commands, CLI help."""

from __future__ import annotations

import math
import re
from pathlib import Path

from model.cli import build_parser
from model.inputs.params import load_parameters

ROOT = Path(__file__).resolve().parent.parent


def test_every_parameter_is_described_in_the_odd():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    missing = [name for name in load_parameters() if f"`{name}`" not in odd]
    assert not missing, f"docs/ODD.md does not mention parameters {missing}"


def test_every_parameter_has_a_source_and_sane_range():
    for p in load_parameters().values():
        assert p.source.strip() and p.note.strip()
        if p.low is not None:
            assert p.low <= p.value <= p.high


def test_the_bounds_table_is_complete():
    """Every parameter has finite hard bounds around its documented range, and a reason for them."""
    for p in load_parameters().values():
        assert math.isfinite(p.min) and math.isfinite(p.max) and len(p.bounds.strip()) > 10, p.name
        assert p.min <= min(p.value, p.low if p.low is not None else p.value), p.name
        assert max(p.value, p.high if p.high is not None else p.value) <= p.max, p.name


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.M)
    assert len(commands) == 2, "the README has exactly two set-up commands"
    test_cmd = [c for c in commands if "pytest" in c]
    assert test_cmd and test_cmd[0] in ci


def test_help_teaches_with_examples():
    parser = build_parser()
    assert "examples:" in parser.format_help()
    run = parser._subparsers._group_actions[0].choices["run"]
    text = run.format_help()
    assert "examples:" in text and "control.csv" in text and "--seed" in text


def test_reports_print_numbers_for_people():
    from model.outputs.numbers import readable
    assert [readable(v) for v in (11310.4, -1517.2, 59.14, 0.3333, 0.0, float("nan"))] == \
        ["11,310", "-1,517", "59.1", "0.333", "0", "–"]
    assert [readable(v, signed=True) for v in (6140.2, -3890.0, 7.55, 0.0)] == ["+6,140", "-3,890", "+7.55", "+0"]
