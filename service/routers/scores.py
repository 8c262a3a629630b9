"""POST /v1/scores: evaluation records to scores, tiers and explanations (evaluators); score runs of any size."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from knowledge.evaluation import EvaluationRow
from service.auth import MayCreateScores, MayReadTiers
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.repository_evaluations import UnitQuery
from service.routers.common import Cycle, Offset, problems
from service.schemas import EXAMPLE_RECORD, ScoreRequest, ScoreResponse, example_of
from service.schemas_evaluations import ScoreRunPublic, UnitPage
from service.usecases import score_runs, scores

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


class ScoreRunRequest(BaseModel):
    """A table of evaluation rows of any size (within the body limit), scored in chunks in the background."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"records": [EXAMPLE_RECORD], "source": "evaluasi_2024.xlsx", "lang": "id"}]})

    records: list[EvaluationRow] = Field(min_length=1)
    source: str = Field(default="POST /v1/score-runs", max_length=200)
    lang: Literal["id", "en"] = "id"


@router.post("/score-runs", status_code=202, response_model=ScoreRunPublic,
             summary="Nilai tabel besar / score a large table in the background",
             openapi_extra=body_doc(ScoreRunRequest), responses=problems(401, 403, 413, 422, 503))
def create_run(key: MayCreateScores, body: Annotated[ScoreRunRequest, Depends(json_body(ScoreRunRequest))],
               services: ServicesDep) -> ScoreRunPublic:
    """Every row is checked first (a bad cell: 422, nothing scored); then the run's job scores it in chunks."""
    return score_runs.start_run(services, key, list(body.records), source=body.source, lang=body.lang)


@router.get("/score-runs/{run_id}", response_model=ScoreRunPublic, summary="Satu hasil skor / one score run",
            responses=problems(401, 403, 404))
def get_run(run_id: str, key: MayReadTiers, services: ServicesDep) -> ScoreRunPublic:
    return score_runs.get_run(services, run_id)


@router.get("/score-runs/{run_id}/units", response_model=UnitPage, summary="Unit hasil skor / a run's units",
            responses=problems(401, 403, 404, 422))
def run_units(run_id: str, key: MayReadTiers, services: ServicesDep, search: str = "",
              kelurahan: str | None = None, cycle: Cycle = None, tier: Annotated[int | None, Query(ge=0, le=20)] = None,
              borderline: bool | None = None, sort: Literal["position", "cycle", "kelurahan", "rw", "score", "tier"]
              = "position", order: Literal["asc", "desc"] = "asc", offset: Offset = 0,
              limit: int = Query(50, ge=1, le=500)) -> UnitPage:
    """One page of a run's units, filtered and sorted in the database."""
    query = UnitQuery(search=search[:80], kelurahan=kelurahan, cycle=cycle, tier=tier, borderline=borderline,
                      sort=sort, descending=order == "desc", offset=offset, limit=limit)
    return score_runs.units_page(services, run_id, query)
