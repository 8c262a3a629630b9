"""The service's bridge to the rules engine, the scoring engine and the knowledge bases.

The durable-rules engine is process-wide (one engine per process, one ruleset per
knowledge-base version, registered once): `rules.check.Checker` serialises its use with a
lock, so request threads may call `check` concurrently. Checkers are therefore cached per
process here, never per app or per request. Scale-out is more worker processes.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calibration.artifact import check_for_definition, content_digest
from knowledge import DATA_DIR
from knowledge.errors import InvalidInput, Problem
from knowledge.indices import load_index_definition
from knowledge.kb import load_knowledge_base
from knowledge.proposal import Proposal
from rules.check import Checker, default_checker
from scoring.engine import score_table
from service.errors import NotFound

SHIPPED_KB_ROOT = DATA_DIR / "kb"
_checkers: dict[tuple[str, str, str], Checker] = {}
_checkers_lock = threading.Lock()


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python numbers, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            return [plain(v) for v in value.tolist()]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class KnowledgeBaseEntry:
    name: str
    version: str
    path: Path
    content_hash: str
    shipped: bool


class Engines:
    """Knowledge bases, checkers and the scoring definition available to one app."""

    def __init__(self, kb_dir: str | None, index: str):
        self.kb_dir = kb_dir
        self.index_name = index
        self._kbs: dict[tuple[str, str], KnowledgeBaseEntry] | None = None
        self._loaded: dict[tuple[str, str], Any] = {}
        self._default: tuple[str, str] | None = None
        self._definition = None

    # ---- knowledge bases ----------------------------------------------------------------------
    def knowledge_bases(self) -> dict[tuple[str, str], KnowledgeBaseEntry]:
        if self._kbs is None:
            found: dict[tuple[str, str], KnowledgeBaseEntry] = {}
            roots = [p.parent for p in sorted(SHIPPED_KB_ROOT.glob("*/kb.yaml"))]
            if self.kb_dir:
                roots.append(Path(self.kb_dir))
            for n, root in enumerate(roots):
                kb = load_knowledge_base(root)
                shipped = root.resolve().parent == SHIPPED_KB_ROOT.resolve()
                key = (kb.name, str(kb.version))
                found[key] = KnowledgeBaseEntry(kb.name, str(kb.version), root, kb.content_hash(), shipped)
                self._loaded[key] = kb
                if (self.kb_dir and n == len(roots) - 1) or (not self.kb_dir and shipped and self._default is None):
                    self._default = key
            self._kbs = found
        return self._kbs

    def default_kb(self) -> KnowledgeBaseEntry:
        """The knowledge base new checks use: BERDAYA_KB_DIR if set, else the shipped one."""
        kbs = self.knowledge_bases()
        return kbs[self._default]

    def kb_entry(self, name: str, version: str) -> KnowledgeBaseEntry:
        entry = self.knowledge_bases().get((name, version))
        if entry is None:
            raise NotFound(f"Basis pengetahuan '{name}' versi '{version}' tidak tersedia",
                           f"Knowledge base '{name}' version '{version}' is not available")
        return entry

    def load_kb(self, name: str, version: str):
        """The loaded knowledge base (loaded once; a version's content never changes)."""
        self.kb_entry(name, version)
        return self._loaded[(name, version)]

    def checker(self, name: str | None = None, version: str | None = None) -> Checker:
        entry = self.default_kb() if name is None else self.kb_entry(name, str(version))
        key = (entry.name, entry.version, entry.content_hash)
        with _checkers_lock:
            if key not in _checkers:
                _checkers[key] = default_checker() if entry.shipped and not self.kb_dir else Checker.load(entry.path)
            return _checkers[key]

    def check(self, proposal: Proposal, *, cycle: int | None = None, name: str | None = None,
              version: str | None = None) -> dict[str, Any]:
        """The issue-3 check JSON for a validated proposal (runs in the caller's thread)."""
        result = self.checker(name, version).check(proposal, cycle=cycle)
        return result.model_dump(mode="json")

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
        return plain({"index": meta["index"], "calibration_id": table.calibration_id, "cuts": meta["cuts"],
                      "synthetic": meta["synthetic"], "summary": table.summary(), "units": table.units})
