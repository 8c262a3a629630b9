"""POST /v1/scores: evaluation records to scores, tiers and explanations (evaluators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from knowledge.errors import InvalidInput, Problem
from service import repository
from service.auth import CurrentKey, requires
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import ScoreRequest, ScoreResponse, example_of

router = APIRouter(prefix="/v1", tags=["scores"])

ScoreBody = Annotated[ScoreRequest, Depends(json_body(ScoreRequest))]
BODY_DOC = body_doc(ScoreRequest, {
    "batch": {"summary": "Satu batch / a batch",
              "value": example_of(ScoreRequest)},
    "single": {"summary": "Satu catatan / one record",
               "value": example_of(ScoreRequest, 1)}})


def _rows(request: ScoreRequest, cap: int) -> list[dict]:
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


def calibration_for(services, session, calibration_id: str | None) -> dict | None:
    """The artifact asked for, else the newest stored one for this definition, else none (fallback cuts)."""
    if calibration_id is not None:
        return repository.get_calibration(session, calibration_id).artifact
    engines = services.engines
    row = repository.latest_calibration(session, engines.definition().name, engines.index_hash())
    return row.artifact if row is not None else None


@router.post("/scores", response_model=ScoreResponse, summary="Hitung skor / score evaluation records",
             openapi_extra=BODY_DOC, dependencies=[Depends(requires("scores:create"))],
             responses=problems(401, 403, 404, 409, 413, 422, 503))
def create_scores(body: ScoreBody, key: CurrentKey, services: ServicesDep) -> ScoreResponse:
    """Score one record or a batch; stored as one decision with the calibration id used."""
    key.require("scores:create")
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
