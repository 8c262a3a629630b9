"""POST /v1/checks: pre-check a proposal; no key needed, nothing stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from knowledge.proposal import Proposal
from rules.check import CheckResult
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CHECK, EXAMPLE_PROPOSAL

router = APIRouter(prefix="/v1", tags=["checks"])

ProposalBody = Annotated[Proposal, Body(openapi_examples={
    "drainase": {"summary": "Proposal yang layak / an eligible proposal", "value": EXAMPLE_PROPOSAL}})]


@router.post(
    "/checks", response_model=CheckResult, summary="Pra-periksa proposal / pre-check a proposal",
    responses={200: {"content": {"application/json": {"example": EXAMPLE_CHECK}}}, **problems(413, 422)},
)
def create_check(proposal: ProposalBody, services: ServicesDep) -> JSONResponse:
    """Run the knowledge base's rules on a proposal and return the check JSON. Stores nothing.

    A plain `def`: FastAPI runs it in its threadpool, and the checker serialises engine use.
    """
    return JSONResponse(services.engines.check(proposal))
