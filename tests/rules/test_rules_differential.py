"""Differential test: durable-rules and a plain-Python evaluation of the same compiled units agree
on every synthetic proposal (SINTETIS data) and on every proposal of the knowledge base's tests."""

from __future__ import annotations

import pytest

from knowledge.documents import parse_proposal, read_document
from knowledge.synthetic import generate_cycles
from rules.check import default_checker
from rules.engine import get_engine
from rules.kbtest import deep_merge
from tests.rules.plain_eval import plain_run


def _compare(checker, proposal, cycle=None) -> None:
    compiled, facts = checker.facts(proposal, cycle)
    fact = checker.engine_fact(compiled, facts.values)
    durable = get_engine().fire(compiled.name, fact)
    plain = plain_run(compiled, fact)
    assert sorted(durable.units) == sorted(plain.units), (proposal.title, fact)
    assert sorted(durable.conclusions) == sorted(plain.conclusions)
    assert checker.judge(compiled, proposal, facts).model_dump(mode="json") == \
        checker.judge(compiled, proposal, facts, run=plain_run).model_dump(mode="json")


@pytest.fixture(scope="module")
def synthetic():
    return generate_cycles()


def test_engine_and_plain_python_agree_on_every_synthetic_proposal(synthetic):
    checker = default_checker()
    assert len(synthetic.proposals) > 1000
    for item in synthetic.proposals:
        _compare(checker, parse_proposal(item.proposal))


def test_seeded_proposals_fire_rules_and_clean_ones_are_eligible(synthetic):
    # The comparison above is not vacuous: findings do occur, and clean proposals pass.
    checker = default_checker()
    fired = set()
    for item in synthetic.proposals[:400]:
        result = checker.check(parse_proposal(item.proposal))
        fired |= set(result.fired)
        if not item.problems:
            assert result.verdict == "eligible", (item.proposal["title"], result.fired)
    assert len(fired) >= 10


def test_engine_and_plain_python_agree_on_the_knowledge_base_test_proposals():
    checker = default_checker()
    count = 0
    for suite in checker.kb.tests.values():
        base = read_document(checker.kb.path / "tests" / suite.base) if suite.base else None
        for case in suite.cases:
            data = read_document(checker.kb.path / "tests" / case.proposal) if case.proposal else \
                deep_merge(base, case.patch or {})
            _compare(checker, parse_proposal(data), case.cycle)
            count += 1
    assert count >= 30
