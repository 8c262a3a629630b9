"""Shared fixtures of the rules tests: the small test knowledge base and its fact extraction."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from fixture_facts import SMALL_KB, small_facts  # noqa: E402

from knowledge.documents import parse_proposal, read_document  # noqa: E402
from rules.check import Checker  # noqa: E402
from rules.kbtest import deep_merge  # noqa: E402

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
