"""The service's bridge to the rules engine, the scoring engine and the knowledge bases.

The durable-rules engine is process-wide (one engine per process, one ruleset per
knowledge-base version, registered once): `rules.check.Checker` serialises its use with a
lock, so request threads may call `check` concurrently. Checkers are therefore cached per
process (by `rules.registry` for published versions), never per app or per request.
Only published versions are ever registered here; drafts run in what-if worker processes.
Scale-out is more worker processes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calibration.artifact import check_for_definition, content_digest
from knowledge.documents import to_jsonable
from knowledge.errors import InvalidInput, Problem
from knowledge.indices import load_index_definition
from knowledge.kb import KnowledgeBase, load_knowledge_base
from knowledge.proposal import Proposal
from knowledge.versions import SHIPPED_KB, PublishedVersion, VersionTampered
from policy.store import KBStore
from rules.check import Checker, CheckResult, shared_checker
from rules.registry import KbAudit, Registry, VersionedResult
from scoring.engine import score_table
from service.errors import NotFound

SHIPPED_KB_ROOT = SHIPPED_KB.parent


@dataclass(frozen=True)
class KnowledgeBaseEntry:
    """A knowledge base the service can check with: a published version, or the BERDAYA_KB_DIR override."""

    name: str
    version: str
    path: Path
    content_hash: str
    shipped: bool
    effective_from: dt.date | None = None
    published_by: str | None = None
    published_at: dt.datetime | None = None
    reason: str | None = None
    store_hash: str | None = None
    rollback_of: str | None = None


def audit_of(entry: KnowledgeBaseEntry) -> KbAudit:
    """What a stored decision records about the knowledge base that produced it."""
    return KbAudit(name=entry.name, version=entry.version, content_hash=entry.content_hash,
                   store_hash=entry.store_hash, effective_from=entry.effective_from)


class Engines:
    """Knowledge bases, checkers and the scoring definition available to one app.

    Proposals are checked with the published version in force for their cycle (the version
    store at `kb_store`, through the rules registry, which notices a new publish without a
    restart). `kb_dir`, when given, is an explicit override that checks every proposal instead.
    """

    def __init__(self, kb_dir: str | None, index: str, kb_store: str | Path):
        self.kb_dir = kb_dir
        self.index_name = index
        self.store = KBStore(kb_store)
        self.registry = Registry(self.store)
        self._override: KnowledgeBaseEntry | None = None
        self._override_kb: KnowledgeBase | None = None
        self._entries: dict[str, tuple[KnowledgeBaseEntry, Any]] = {}
        self._entries_lock = threading.Lock()
        self._definition = None

    # ---- knowledge bases ----------------------------------------------------------------------
    def _override_entry(self) -> KnowledgeBaseEntry | None:
        if self.kb_dir is None:
            return None
        if self._override is None:
            kb = load_knowledge_base(self.kb_dir)
            root = Path(self.kb_dir)
            self._override_kb = kb
            self._override = KnowledgeBaseEntry(kb.name, str(kb.version), root, kb.content_hash(),
                                                root.resolve().parent == SHIPPED_KB_ROOT.resolve())
        return self._override

    def _published(self, pv: PublishedVersion) -> tuple[KnowledgeBaseEntry, Any]:
        """Entry and loaded knowledge base of a published version (loaded once: its content never changes)."""
        key = f"{pv.version}|{pv.content_hash}"
        with self._entries_lock:
            found = self._entries.get(key)
            if found is None:
                kb = load_knowledge_base(pv.content_dir)
                m = pv.manifest
                entry = KnowledgeBaseEntry(
                    m.kb_name, m.version, pv.content_dir, kb.content_hash(), False, effective_from=m.effective_from,
                    published_by=m.published_by, published_at=m.published_at, reason=m.reason,
                    store_hash=m.content_hash, rollback_of=m.rollback_of)
                found = self._entries[key] = (entry, kb)
            return found

    def published_versions(self) -> list[PublishedVersion]:
        return self.registry.versions()

    def knowledge_bases(self) -> dict[tuple[str, str], KnowledgeBaseEntry]:
        """Every published version (oldest first), then the BERDAYA_KB_DIR override if there is one."""
        found = {(e.name, e.version): e for e in (self._published(pv)[0] for pv in self.published_versions())}
        override = self._override_entry()
        if override is not None:
            found[(override.name, override.version)] = override
        return found

    def default_kb(self) -> KnowledgeBaseEntry:
        """The knowledge base new checks of this year's cycle use: the override, else the version in force."""
        override = self._override_entry()
        if override is not None:
            return override
        return self._published(self.registry.version_for_cycle(dt.date.today().year))[0]

    def entry_for_cycle(self, cycle: int) -> KnowledgeBaseEntry:
        """The knowledge base that checks cycle `cycle`: the override, else the version in force."""
        override = self._override_entry()
        if override is not None:
            return override
        return self._published(self.registry.version_for_cycle(cycle))[0]

    def _override_in_use(self) -> KnowledgeBaseEntry:
        """The override entry, where `_is_override` said it answers."""
        override = self._override_entry()
        assert override is not None
        return override

    def _is_override(self, name: str | None, version: str | None) -> bool:
        override = self._override_entry()
        return override is not None and (name is None or (override.name, override.version) == (name, version))

    def _version(self, name: str, version: str) -> PublishedVersion:
        if name == self.store.kb_name:
            for pv in self.published_versions():
                if pv.version == version:
                    return pv
        raise NotFound(f"Basis pengetahuan '{name}' versi '{version}' tidak tersedia",
                       f"Knowledge base '{name}' version '{version}' is not available")

    def kb_entry(self, name: str, version: str) -> KnowledgeBaseEntry:
        if self._is_override(name, version):
            return self._override_in_use()
        return self._published(self._version(name, str(version)))[0]

    def load_kb(self, name: str, version: str):
        """The loaded knowledge base (loaded once; a version's content never changes)."""
        if self._is_override(name, version):
            return self._override_kb
        return self._published(self._version(name, str(version)))[1]

    def checker(self, name: str | None = None, version: str | None = None) -> Checker:
        if self._is_override(name, version):
            kb_dir = str(self.kb_dir)
            key = f"override:{kb_dir}:{self._override_in_use().content_hash}"
            return shared_checker(key, lambda: Checker.load(kb_dir))
        if name is None:
            return self.registry.checker(self.registry.version_for_cycle(dt.date.today().year))
        return self.registry.checker(self._version(name, str(version)))

    def check_result(self, proposal: Proposal, *, cycle: int | None = None, name: str | None = None,
                     version: str | None = None) -> tuple[CheckResult, KbAudit]:
        """The check result and the knowledge base that produced it (for the decision's audit record).

        Without `version`: the version in force for the cycle. With it: exactly that version (replay).
        """
        if self._is_override(name, version):
            return self.checker(name, version).check(proposal, cycle=cycle), audit_of(self._override_in_use())
        if version is None:
            done = self.registry.check_in_force(proposal, cycle)
        else:
            # A replay: the version's files are verified again, not only when it was first loaded.
            pv = self.registry.verify(self._version(str(name), str(version)))
            checker = self.registry.checker(pv)
            done = VersionedResult(checker.check(proposal, cycle=cycle), pv, checker.kb.content_hash())
        return done.result, done.audit

    def check_audited(self, proposal: Proposal, *, cycle: int | None = None, name: str | None = None,
                      version: str | None = None) -> tuple[dict[str, Any], KbAudit]:
        """The check JSON (as Python values) and the knowledge base that produced it."""
        result, audit = self.check_result(proposal, cycle=cycle, name=name, version=version)
        return result.model_dump(mode="json"), audit

    def check_json(self, proposal: Proposal, *, cycle: int | None = None, name: str | None = None,
                   version: str | None = None) -> dict[str, Any]:
        """The check JSON for a validated proposal (runs in the caller's thread)."""
        return self.check_audited(proposal, cycle=cycle, name=name, version=version)[0]

    def tampered_files(self, name: str, version: str) -> list[str]:
        """The files of a published version that changed since it was published ([] when intact or an override)."""
        if self._is_override(name, version):
            return []
        try:
            self.registry.verify(self._version(name, version))
        except VersionTampered as exc:
            return [p.path for p in exc.problems]
        return []

    def verify_published(self) -> None:
        """Verify every published version's files (VersionTampered naming the first version that changed)."""
        for pv in self.published_versions():
            self.registry.verify(pv)

    def checked_in_force(self, proposal: Proposal) -> tuple[Checker, CheckResult]:
        """The Checker that checks the proposal's cycle (the override, else the version in force) and its check."""
        if self._is_override(None, None):
            checker = self.checker()
            return checker, checker.check(proposal)
        done = self.registry.check_in_force(proposal)
        return self.registry.checker(done.version), done.result

    def published(self) -> None:
        """A version was published through this process: the next check re-reads the store."""
        self.registry.invalidate()

    def check_calibration(self, artifact: dict[str, Any]) -> None:
        """Refuse an artifact whose id does not match its content, or fitted for another definition."""
        if not artifact["id"].endswith(content_digest(artifact)[:8]):
            raise InvalidInput([Problem("id", "isi artefak tidak cocok dengan id-nya (artefak diubah?)",
                                        "the artifact's content does not match its id (was it edited?)")])
        check_for_definition(artifact, self.definition())

    # ---- scoring ------------------------------------------------------------------------------
    def definition(self):
        if self._definition is None:
            self._definition = load_index_definition(self.index_name)
        return self._definition

    def index_hash(self) -> str:
        return self.definition().content_hash()

    def score(self, rows: list[dict[str, Any]], *, calibration: dict | None, explain: bool,
              lang: str) -> dict[str, Any]:
        definition = self.definition()
        if calibration is not None:
            check_for_definition(calibration, definition)
        table = score_table(definition, rows, calibration=calibration, explain=explain, lang=lang)
        meta = table.metadata()
        return to_jsonable({"index": meta["index"], "calibration_id": table.calibration_id, "cuts": meta["cuts"],
                      "synthetic": meta["synthetic"], "summary": table.summary(), "units": table.units})
