"""Scores: evaluation records to tiers, stored as one decision; a stored score decision read back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput, Problem
from service import repository
from service.auth import Principal
from service.deps import Services
from service.errors import NotFound
from service.models import Decision
from service.schemas import ScoreRequest, ScoreResponse


def _rows(request: ScoreRequest, cap: int) -> list[dict[str, Any]]:
    if (request.record is None) == (request.records is None):
        raise InvalidInput([Problem("record", "isi tepat satu dari 'record' atau 'records'",
                                    "give exactly one of 'record' or 'records'")])
    rows = request.rows()
    if not rows:
        raise InvalidInput([Problem("records", "batch kosong", "empty batch")])
    if len(rows) > cap:
        raise InvalidInput([Problem("records", f"batch berisi {len(rows)} catatan; batasnya {cap}",
                                    f"the batch has {len(rows)} records; the limit is {cap}")])
    return rows


def calibration_for(services: Services, session: Session, calibration_id: str | None) -> dict[str, Any] | None:
    """The artifact asked for, else the newest stored one for this definition, else none (fallback cuts)."""
    if calibration_id is not None:
        return repository.get_calibration(session, calibration_id).artifact
    engines = services.engines
    row = repository.latest_calibration(session, engines.definition().name, engines.index_hash())
    return row.artifact if row is not None else None


def score_records(services: Services, key: Principal, body: ScoreRequest) -> ScoreResponse:
    """Score one record or a batch; stored as one decision with the calibration id used."""
    rows = _rows(body, services.settings.max_batch)
    with services.db.session() as session:
        calibration = calibration_for(services, session, body.calibration_id)
    result = services.engines.score(rows, calibration=calibration, explain=body.explain, lang=body.lang)
    request = {"rows": rows, "explain": body.explain, "lang": body.lang}
    with services.db.session() as session:
        decision = repository.store_score(
            session, request=request, result=result, index_name=result["index"]["name"],
            index_hash=result["index"]["hash"], calibration_id=result["calibration_id"], key_id=key.key_id)
    return ScoreResponse(decision_id=decision.id, **result)


def score_decision(services: Services, decision_id: str) -> Decision:
    """A stored score decision (its input rows and output), or NotFound for any other id or kind."""
    with services.db.session() as session:
        decision = repository.get_decision(session, decision_id)
    if decision.kind != "score":
        raise NotFound(f"Keputusan skor '{decision_id}' tidak ada", f"No score decision '{decision_id}'")
    return decision
