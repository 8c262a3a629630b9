"""Decisions: read one (facilitators only their own kelurahan's checks) and replay it exactly."""

from __future__ import annotations

from typing import Any

from knowledge.documents import parse_proposal
from service import repository
from service.auth import Principal
from service.deps import Services
from service.errors import Conflict
from service.models import Decision
from service.schemas import DecisionPublic, KbRef, ReplayResult


def _kb_ref(row: Decision) -> KbRef:
    return KbRef(name=row.kb_name, version=row.kb_version, content_hash=row.kb_hash)


def _visible(key: Principal, decision: Decision) -> None:
    """Facilitators may read only the checks of their own kelurahan's proposals."""
    if key.scoped_kelurahan is not None:
        region = decision.input.get("proposal", {}).get("region", {}) if decision.kind == "check" else {}
        key.require_kelurahan(region.get("kelurahan", ""))


def get_decision(services: Services, key: Principal, decision_id: str) -> DecisionPublic:
    with services.db.session() as session:
        row = repository.get_decision(session, decision_id)
    _visible(key, row)
    return DecisionPublic(id=row.id, kind=row.kind, knowledge_base=_kb_ref(row), index_name=row.index_name,
                          index_hash=row.index_hash, calibration_id=row.calibration_id, input_hash=row.input_hash,
                          key_id=row.key_id, created_at=row.created_at, input=row.input, output=row.output)


def _rerun(services: Services, row: Decision) -> tuple[dict[str, Any], str | None]:
    """The replayed output, and for a check the content hash of the knowledge base that replayed it.

    A check is re-run with exactly the published version it recorded (read from the version store,
    its files verified against the hashes recorded at publishing), whatever is in force now. A score
    is re-run with the calibration it used, provided the index definition has not changed since.
    """
    if row.kind == "check":
        proposal = parse_proposal(row.input["proposal"])
        output, used = services.engines.check_audited(proposal, cycle=row.input.get("cycle"), name=row.kb_name,
                                                      version=row.kb_version)
        return output, used.content_hash
    if row.index_hash != services.engines.index_hash():
        raise Conflict(
            f"Definisi indeks '{row.index_name}' telah berubah sejak keputusan ini; tidak dapat diulang persis",
            f"Index definition '{row.index_name}' has changed since this decision; it cannot be replayed exactly")
    calibration = None
    if row.calibration_id is not None:
        with services.db.session() as session:
            calibration = repository.get_calibration(session, row.calibration_id).artifact
    request = row.input
    return services.engines.score(request["rows"], calibration=calibration, explain=request["explain"],
                                  lang=request["lang"]), None


def replay_decision(services: Services, decision_id: str) -> ReplayResult:
    """The stored and the replayed result, and whether they are identical."""
    with services.db.session() as session:
        row = repository.get_decision(session, decision_id)
    replayed, used_hash = _rerun(services, row)
    same_content = None
    if row.kind == "check":
        same_content = None if row.kb_hash is None else row.kb_hash == used_hash
    return ReplayResult(decision_id=row.id, kind=row.kind, identical=replayed == row.output,
                        same_knowledge_base_content=same_content, knowledge_base=_kb_ref(row),
                        calibration_id=row.calibration_id, stored=row.output, replayed=replayed)
