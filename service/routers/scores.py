"""POST /v1/scores: evaluation records to scores, tiers and explanations (evaluators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from service.auth import MayCreateScores
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import ScoreRequest, ScoreResponse, example_of
from service.usecases import scores

router = APIRouter(prefix="/v1", tags=["scores"])

ScoreBody = Annotated[ScoreRequest, Depends(json_body(ScoreRequest))]
BODY_DOC = body_doc(ScoreRequest, {
    "batch": {"summary": "Satu batch / a batch", "value": example_of(ScoreRequest)},
    "single": {"summary": "Satu catatan / one record", "value": example_of(ScoreRequest, 1)}})


@router.post("/scores", response_model=ScoreResponse, summary="Hitung skor / score evaluation records",
             openapi_extra=BODY_DOC, responses=problems(401, 403, 404, 409, 413, 422, 503))
def create_scores(key: MayCreateScores, body: ScoreBody, services: ServicesDep) -> ScoreResponse:
    """Score one record or a batch; stored as one decision with the calibration id used."""
    return scores.score_records(services, key, body)
