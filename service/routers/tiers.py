"""Tier decisions (evaluators), override rates, an RW's history, and cycles closed for decisions (policy staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from service.auth import MayCloseCycles, MayDecideTiers, MayReadTiers
from service.bodies import body_doc, json_body
from service.deps import ServicesDep
from service.routers.common import Cycle, CyclePath, problems
from service.schemas_evaluations import (
    ClosurePublic,
    ClosureRequest,
    OverrideRates,
    TierDecisionPublic,
    TierDecisionRequest,
)
from service.schemas_history import RwHistory
from service.usecases import rw_history, tiers

router = APIRouter(prefix="/v1", tags=["tiers"])


@router.post("/tier-decisions", status_code=201, response_model=TierDecisionPublic,
             summary="Putuskan tingkat RW / decide an RW's tier", openapi_extra=body_doc(TierDecisionRequest),
             responses=problems(401, 403, 404, 409, 413, 422, 503))
def decide(key: MayDecideTiers, body: Annotated[TierDecisionRequest, Depends(json_body(TierDecisionRequest))],
           services: ServicesDep) -> TierDecisionPublic:
    """Confirm the computed tier of an RW's newest stored score for a cycle, or set another with a reason."""
    return tiers.decide_tier(services, key, body)


@router.get("/tier-decisions", response_model=list[TierDecisionPublic],
            summary="Keputusan tingkat / tier decisions", responses=problems(401, 403))
def list_decisions(key: MayReadTiers, services: ServicesDep, cycle: Cycle = None, kelurahan: str | None = None,
                   rw: Annotated[int | None, Query(ge=1, le=999)] = None, history: bool = False) -> list[TierDecisionPublic]:
    """The newest decision per RW and cycle (every decision with `history=true`)."""
    return tiers.list_decisions(services, cycle=cycle, kelurahan=kelurahan, rw=rw, history=history)


@router.get("/tier-decisions/override-rates", response_model=OverrideRates,
            summary="Tingkat koreksi / override rates", responses=problems(401, 403))
def override_rates(key: MayReadTiers, services: ServicesDep, cycle: Cycle = None) -> OverrideRates:
    return tiers.override_rates(services, cycle)


@router.get("/rw-history/{kelurahan}/{rw}", response_model=RwHistory,
            summary="Riwayat RW / an RW's history across cycles", responses=problems(401, 403, 404, 422))
def history(kelurahan: Annotated[str, Path(min_length=1, max_length=80)], rw: Annotated[int, Path(ge=1, le=999)],
            key: MayReadTiers, services: ServicesDep) -> RwHistory:
    """Per stored cycle: computed and final tier, dimension scores, indicators, advice, and whether it was followed."""
    return rw_history.rw_history(services, kelurahan, rw)


@router.get("/cycles/closed", response_model=list[ClosurePublic],
            summary="Siklus yang ditutup / closed cycles", responses=problems(401, 403))
def closed(key: MayReadTiers, services: ServicesDep) -> list[ClosurePublic]:
    return tiers.closed_cycles(services)


@router.post("/cycles/{cycle}/closure", status_code=201, response_model=ClosurePublic,
             summary="Tutup siklus / close a cycle for tier decisions", openapi_extra=body_doc(ClosureRequest),
             responses=problems(401, 403, 409, 413, 422, 503))
def close(cycle: CyclePath, key: MayCloseCycles, body: Annotated[ClosureRequest, Depends(json_body(ClosureRequest))],
          services: ServicesDep) -> ClosurePublic:
    return tiers.close_cycle(services, key, cycle, body.reason)
