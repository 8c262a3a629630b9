"""The policy change the demo data must be able to show: 35% women in the musyawarah from 2027.

Clean synthetic (SINTETIS) proposals are spread around the thresholds as real ones are, so a
what-if of this change, judged as of 2027, moves a known number of them from eligible to
needs revision: those with 30-35% women that nothing else holds back as of 2027 (660 of the
2,552 have 30-35% women; judged by the 2027 rules, 319 of those are otherwise eligible, the
rest already need revision, e.g. for an activity off the 2026 menu).
"""

from __future__ import annotations

import shutil

import pytest

from knowledge.versions import SHIPPED_KB
from policy.reports import dump
from policy.whatif import simulate, synthetic_items
from tests.policy.helpers import add_param_value

CYCLES = [2018, 2019, 2021, 2022, 2023, 2024, 2025, 2026]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    draft = tmp_path_factory.mktemp("women35") / "draft"
    shutil.copytree(SHIPPED_KB, draft)
    add_param_value(draft, "min_women_attendance_share", "2027-01-01", 0.35)
    return dump(simulate(draft, synthetic_items(CYCLES), baseline_dir=SHIPPED_KB, baseline_version="2026.1",
                         workers=2, synthetic=True, as_of=2027))


def test_35_percent_women_from_2027_changes_the_verdict_of_319_synthetic_proposals(report):
    assert report["totals"]["proposals"] == 2552
    assert report["totals"]["verdict_changed"] == 319
    assert {(c["before"], c["after"]) for c in report["changed"]} == {("eligible", "needs_revision")}


def test_every_changed_proposal_gains_only_the_womens_attendance_finding(report):
    for change in report["changed"]:
        assert change["gone"] == [] and [f["rule_id"] for f in change["new"]] == ["PPM-INK-001"], change
        assert "35%" in change["new"][0]["message"]["id"]
