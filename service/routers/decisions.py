"""GET /v1/decisions/{id} and POST /v1/decisions/{id}/replay: audit and reproduce."""

from __future__ import annotations

from fastapi import APIRouter

from knowledge.documents import parse_proposal
from service import repository
from service.auth import CurrentKey, Principal
from service.deps import ServicesDep
from service.errors import Conflict
from service.models import Decision
from service.routers.common import problems
from service.schemas import DecisionPublic, KbRef, ReplayResult

router = APIRouter(prefix="/v1", tags=["decisions"])


def _visible(key: Principal, decision: Decision) -> None:
    """Facilitators may read only the checks of their own kelurahan's proposals."""
    if key.role == "facilitator":
        region = decision.input.get("proposal", {}).get("region", {}) if decision.kind == "check" else {}
        key.require_kelurahan(region.get("kelurahan", ""))


def public(row: Decision) -> DecisionPublic:
    return DecisionPublic(id=row.id, kind=row.kind,
                          knowledge_base=KbRef(name=row.kb_name, version=row.kb_version, content_hash=row.kb_hash),
                          index_name=row.index_name, index_hash=row.index_hash, calibration_id=row.calibration_id,
                          input_hash=row.input_hash, key_id=row.key_id, created_at=row.created_at,
                          input=row.input, output=row.output)


@router.get("/decisions/{decision_id}", response_model=DecisionPublic,
            summary="Satu keputusan tersimpan / one stored decision", responses=problems(401, 403, 404))
def get_decision(decision_id: str, key: CurrentKey, services: ServicesDep) -> DecisionPublic:
    key.require("decisions:read")
    with services.db.session() as session:
        row = repository.get_decision(session, decision_id)
    _visible(key, row)
    return public(row)


def replay(services, row: Decision) -> dict:
    """Re-run a stored decision with the knowledge-base version and calibration it used."""
    return replay_with_kb(services, row)[0]


def replay_with_kb(services, row: Decision) -> tuple[dict, str | None]:
    """The replayed output, and for a check the content hash of the knowledge base that replayed it.

    A check is re-run with exactly the published version it recorded (read from the version store,
    its files verified against the hashes recorded at publishing), whatever is in force now.
    """
    if row.kind == "check":
        proposal = parse_proposal(row.input["proposal"])
        output, used = services.engines.check_audited(proposal, cycle=row.input.get("cycle"), name=row.kb_name,
                                                      version=row.kb_version)
        return output, used["content_hash"]
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


@router.post("/decisions/{decision_id}/replay", response_model=ReplayResult,
             summary="Ulangi keputusan / replay a decision", responses=problems(401, 403, 404, 409))
def replay_decision(decision_id: str, key: CurrentKey, services: ServicesDep) -> ReplayResult:
    """Returns the stored and the replayed result, and whether they are identical."""
    key.require("decisions:replay")
    with services.db.session() as session:
        row = repository.get_decision(session, decision_id)
    replayed, used_hash = replay_with_kb(services, row)
    same_content = None
    if row.kind == "check":
        same_content = None if row.kb_hash is None else row.kb_hash == used_hash
    return ReplayResult(decision_id=row.id, kind=row.kind, identical=replayed == row.output,
                        same_knowledge_base_content=same_content,
                        knowledge_base=KbRef(name=row.kb_name, version=row.kb_version, content_hash=row.kb_hash),
                        calibration_id=row.calibration_id, stored=row.output, replayed=replayed)
