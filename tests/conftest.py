"""Every test gets its own knowledge-base version store (BERDAYA_KB_STORE) under its tmp directory.

Checks use the published version in force from that store; a test must never read or publish
into the working directory's var/kb-store. Tests that need a particular store pass it explicitly.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_kb_store(tmp_path, monkeypatch):
    monkeypatch.setenv("BERDAYA_KB_STORE", str(tmp_path / "kb-store"))
