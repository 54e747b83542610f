"""The coup-proofing harness measures findings: which channels carry them, and configurations in which
the literature's direction should not appear are reported as absent."""

from __future__ import annotations

import pytest

from model.experiments.coup_proofing import coup_proofing_design, coup_proofing_report
from model.experiments.coup_proofing_findings import verdict
from model.experiments.runner import run_many

BATTLEFIELD_OFF = "training_loss+commitment_loss+guard_withheld"


@pytest.fixture(scope="module")
def knocked_report():
    """Azerbaijan's practices at 0 and 1 to mid-1993 (4 seeds), again with the training loss off and with
    every battlefield cost off."""
    specs = coup_proofing_design(4, root_seed=0, levels=(0.0, 1.0), sides=("aze",), items=(),
                                 knockouts=("training_loss", BATTLEFIELD_OFF), until="1993-06-01")
    table = run_many(specs, workers=2)
    assert (table["error"] == "").all()
    return coup_proofing_report(table)


def row(report: str, section: str, label: str) -> list[str]:
    """The cells of the table row starting with ``label`` in ``section`` of the report."""
    part = report.split(section, 1)[1].split("\n## ", 1)[0]
    line = next(l for l in part.splitlines() if l.startswith(f"| {label}"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_knocking_out_the_channel_that_carries_a_finding_removes_it(knocked_report):
    report, stats = knocked_report
    for key in ("slope_arm_held_azssr_km2", "slope_loss_exchange_ratio"):
        assert verdict(stats[key], +1) == "reproduced"
        assert verdict(stats["knockouts"]["training_loss"][key], +1) != "reproduced"
    cells = row(report, "## Summary", "more coup-proofing than the opponent")
    assert cells[2] == "reproduced" and cells[3].startswith("training_loss")


def test_without_battlefield_costs_the_harness_reports_no_battlefield_effect(knocked_report):
    """With no channel by which coup-proofing can cost the army, the literature's battlefield direction
    should not appear, and the report says so."""
    report, stats = knocked_report
    cells = row(report, "## 5. Which channels", "km² of Azerbaijan SSR held")
    assert "(reproduced)" in cells[1] and "(no clear effect)" in cells[3]
    assert verdict(stats["knockouts"][BATTLEFIELD_OFF]["slope_loss_exchange_ratio"], +1) != "reproduced"
