"""Shared fixtures of the rules tests: the small test knowledge base and its fact extraction."""

from __future__ import annotations

import pytest

from knowledge.documents import parse_proposal, read_document
from rules.check import Checker
from rules.kbtest import deep_merge
from tests.rules.fixture_facts import SMALL_KB, small_facts

BASE = SMALL_KB / "tests" / "base_proposal.yaml"


@pytest.fixture(scope="session")
def small_checker() -> Checker:
    return Checker.load(SMALL_KB, extract=small_facts)


@pytest.fixture()
def make_proposal():
    base = read_document(BASE)

    def make(patch: dict | None = None):
        return parse_proposal(deep_merge(base, patch or {}))

    return make
