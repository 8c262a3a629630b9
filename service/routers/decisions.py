"""GET /v1/decisions/{id} and POST /v1/decisions/{id}/replay: audit and reproduce."""

from __future__ import annotations

from fastapi import APIRouter

from service.auth import MayReadDecisions, MayReplayDecisions
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import DecisionPublic, ReplayResult
from service.usecases import decisions

router = APIRouter(prefix="/v1", tags=["decisions"])


@router.get("/decisions/{decision_id}", response_model=DecisionPublic,
            summary="Satu keputusan tersimpan / one stored decision", responses=problems(401, 403, 404))
def get_decision(decision_id: str, key: MayReadDecisions, services: ServicesDep) -> DecisionPublic:
    return decisions.get_decision(services, key, decision_id)


@router.post("/decisions/{decision_id}/replay", response_model=ReplayResult,
             summary="Ulangi keputusan / replay a decision", responses=problems(401, 403, 404, 409))
def replay_decision(decision_id: str, key: MayReplayDecisions, services: ServicesDep) -> ReplayResult:
    """Returns the stored and the replayed result, and whether they are identical."""
    return decisions.replay_decision(services, decision_id)
