"""Which published knowledge-base version checks a proposal, and one Checker per version per process.

The service asks the registry, never `Checker.load` directly: `registry.check_in_force(proposal)`
picks the version in force for the proposal's cycle (latest `effective_from` on or before
1 January of the cycle), verifies its files against the hashes recorded when it was
published, and keeps its Checker for the life of the process. A durable-rules ruleset is
registered once per version and never again (rulesets cannot be unloaded); drafts never
come here: they are compiled only in what-if and publish-gate worker processes.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.dates import cycle_date
from knowledge.proposal import Proposal
from knowledge.versions import PublishedVersion, UnknownVersion, VersionStore, pick_in_force

_LOCK = threading.Lock()
# A directory stamp younger than this is not trusted: a publish in the same clock tick as the
# read could leave the stamp unchanged (the coarse-mtime race), so such a read is repeated.
_RACY_NS = 50_000_000


def loaded_versions() -> list[str]:
    """Keys of the Checkers this process loaded: published versions by their content hash (and the
    shipped or an override knowledge base); each registered its rulesets once."""
    from rules.check import shared_keys

    return shared_keys()


class KbAudit(BaseModel):
    """What a stored decision records about the knowledge base that produced it."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    content_hash: str | None = Field(description="The loaded knowledge base's own content hash (knowledge.kb)")
    store_hash: str | None = Field(default=None, description="The version store's hash of the version's files")
    effective_from: dt.date | None = Field(default=None, description="None for a BERDAYA_KB_DIR override")


@dataclass(frozen=True)
class VersionedResult:
    """A check result together with the published version that produced it (for the audit record)."""

    result: Any
    version: PublishedVersion
    kb_hash: str | None = None  # the loaded knowledge base's own content hash (knowledge.kb)

    @property
    def audit(self) -> KbAudit:
        m = self.version.manifest
        return KbAudit(name=m.kb_name, version=m.version, content_hash=self.kb_hash, store_hash=m.content_hash,
                       effective_from=m.effective_from)


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

    def verify(self, pv: PublishedVersion) -> PublishedVersion:
        """Verify a version's files now, whether or not its Checker is loaded (VersionTampered otherwise)."""
        return self.store.verify(pv)

    def checker(self, pv: PublishedVersion) -> Any:
        """The Checker of a published version, compiled on first use after verifying its files.

        Process-wide (`rules.check.shared_checker`): two registries over the same content share one ruleset.
        """
        from rules.check import Checker, shared_checker

        with _LOCK:
            if pv.content_hash not in self._verified:
                self.store.verify(pv)
                self._verified.add(pv.content_hash)
        return shared_checker(pv.content_hash, lambda: Checker.load(pv.content_dir))

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
