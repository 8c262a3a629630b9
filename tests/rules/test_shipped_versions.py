"""The two shipped versions of ppm-cimahi: the history version (2018-2025) and the 2026 programme's.

Both lint clean and pass their own rule tests, and the 2026 version, which keeps the history as
dated values, judges every synthetic proposal of 2018-2025 exactly as the history version does:
choosing the version in force per cycle changes nothing before 2026.
"""

from __future__ import annotations

import pytest

from knowledge.documents import parse_proposal
from knowledge.kb import DEFAULT_KB
from knowledge.synthetic import generate_cycles
from rules.check import Checker
from rules.kbtest import run_kb_tests
from rules.lint import lint_path

HISTORY = DEFAULT_KB.parent / "releases" / "ppm-cimahi-2025.2"

pytestmark = pytest.mark.slow   # checks the seven synthetic cycles before 2026 twice


def test_the_history_version_lints_clean_and_passes_its_own_rule_tests():
    assert lint_path(HISTORY) == []
    history = Checker.load(HISTORY)
    report = run_kb_tests(history)
    assert report.passed, report.text("en")
    assert report.unexercised == [] and len(report.cases) == 100
    assert history.kb.version == "2025.2" and "activity_menu" not in history.kb.parameters


def test_the_2026_version_judges_every_past_synthetic_proposal_as_the_history_version_does():
    history, current = Checker.load(HISTORY), Checker.load(DEFAULT_KB)
    proposals = [parse_proposal(p.proposal) for p in generate_cycles().proposals if p.proposal["cycle"] < 2026]
    assert len(proposals) == 7 * 319
    for proposal in proposals:
        before = history.check(proposal).model_dump(mode="json", exclude={"knowledge_base"})
        assert current.check(proposal).model_dump(mode="json", exclude={"knowledge_base"}) == before
