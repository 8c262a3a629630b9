"""Fixtures of the policy-tuning tests: drafts copied from a knowledge base, a store in tmp."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from policy.store import KBStore
from tests.policy.helpers import MINI_KB, set_version

_COUNTER = itertools.count(1)


@pytest.fixture
def make_draft(tmp_path: Path) -> Callable[..., Path]:
    """A copy of a knowledge base under tmp with a fresh version label (each label unique in the run)."""

    def make(source: Path = MINI_KB, version: str | None = None) -> Path:
        n = next(_COUNTER)
        target = tmp_path / f"draft-{n}"
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        for p in target.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        set_version(target, version or f"2026.{n}-{tmp_path.name[-12:]}")
        return target

    return make


@pytest.fixture
def mini_store(tmp_path: Path) -> KBStore:
    return KBStore(tmp_path / "store", initial_dir=MINI_KB)
