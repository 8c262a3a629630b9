"""Which published knowledge-base version checks a proposal, and one Checker per version per process.

The service asks the registry, never `Checker.load` directly: `registry.check_in_force(proposal)`
picks the version in force for the proposal's cycle (latest `effective_from` on or before
1 January of the cycle), verifies its files against the hashes recorded when it was
published, and keeps its Checker for the life of the process. A durable-rules ruleset is
registered once per version and never again (rulesets cannot be unloaded); drafts never
come here: they are compiled only in what-if and publish-gate worker processes.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from knowledge.proposal import Proposal
from knowledge.versions import PublishedVersion, UnknownVersion, VersionStore, cycle_date, pick_in_force

# content hash -> Checker. Process-wide: two registries over the same content share one ruleset.
_CHECKERS: dict[str, Any] = {}
_LOCK = threading.Lock()
# A directory stamp younger than this is not trusted: a publish in the same clock tick as the
# read could leave the stamp unchanged (the coarse-mtime race), so such a read is repeated.
_RACY_NS = 50_000_000


def loaded_versions() -> list[str]:
    """Content hashes of the published versions whose rulesets this process has registered."""
    with _LOCK:
        return sorted(_CHECKERS)


@dataclass(frozen=True)
class VersionedResult:
    """A check result together with the published version that produced it (for the audit record)."""

    result: Any
    version: PublishedVersion
    kb_hash: str | None = None  # the loaded knowledge base's own content hash (knowledge.kb)

    @property
    def audit(self) -> dict[str, str]:
        m = self.version.manifest
        return {"kb_name": m.kb_name, "kb_version": m.version, "kb_content_hash": m.content_hash,
                "kb_effective_from": m.effective_from.isoformat()}


class Registry:
    """Published versions of one knowledge base and their Checkers, for a serving process."""

    def __init__(self, store: VersionStore):
        self.store = store
        self._stamp: float | None = None
        self._versions: list[PublishedVersion] = []
        self._verified: set[str] = set()
        self._by_cycle: dict[int, PublishedVersion] = {}
        self._versions_path = str(self.store.versions_dir)  # joined once: stat'ed on every check
        self._lock = threading.Lock()

    def _dir_stamp(self) -> int | None:
        try:
            return os.stat(self._versions_path).st_mtime_ns
        except FileNotFoundError:
            return None

    def _refresh(self) -> list[PublishedVersion]:
        """The cached list, re-read when the store's versions directory changed (call with the lock held).

        The stamp is taken before reading, so a publish during the read changes it and the
        next call reads again.
        """
        stamp = self._dir_stamp()
        if stamp is None or stamp != self._stamp or not self._versions:
            self._versions = self.store.versions()
            self._by_cycle = {}
            if stamp is None:
                stamp = self._dir_stamp()
            racy = stamp is None or time.time_ns() - stamp < _RACY_NS
            self._stamp = None if racy else stamp
        return self._versions

    def versions(self) -> list[PublishedVersion]:
        """Published versions, re-read only when a publish changed the store (one stat per call otherwise)."""
        with self._lock:
            return self._refresh()

    def invalidate(self) -> None:
        """Forget the cached list of versions (after a publish through this process)."""
        with self._lock:
            self._stamp = None

    def version_for_cycle(self, cycle: int) -> PublishedVersion:
        """The version in force for a cycle: a dictionary lookup unless the store changed."""
        with self._lock:
            versions = self._refresh()
            found = self._by_cycle.get(cycle)
            if found is None:
                found = self._by_cycle[cycle] = pick_in_force(versions, cycle_date(cycle), self.store.kb_name)
            return found

    def checker(self, pv: PublishedVersion) -> Any:
        """The Checker of a published version, compiled on first use after verifying its files."""
        with _LOCK:
            found = _CHECKERS.get(pv.content_hash)
            if found is not None and pv.content_hash in self._verified:
                return found
            self.store.verify(pv)
            self._verified.add(pv.content_hash)
            if found is None:
                from rules.check import Checker

                found = Checker.load(pv.content_dir)
                _CHECKERS[pv.content_hash] = found
            return found

    def check_in_force(self, proposal: Proposal, cycle: int | None = None) -> VersionedResult:
        """Check a proposal with the version in force for its cycle."""
        chosen = cycle if cycle is not None else proposal.cycle
        try:
            pv = self.version_for_cycle(chosen)
        except UnknownVersion:
            self._explain_before_first(proposal, chosen)
            raise
        checker = self.checker(pv)
        return VersionedResult(checker.check(proposal, cycle=chosen), pv, checker.kb.content_hash())

    def _explain_before_first(self, proposal: Proposal, cycle: int) -> None:
        """For a cycle before every published version, raise the earliest version's own, more precise
        error (e.g. which parameter has no value in force) if it has one; its result is never used."""
        published = self.versions()
        if published:
            self.checker(min(published, key=lambda pv: pv.effective_from)).check(proposal, cycle=cycle)
