"""POST /v1/checks: pre-check a proposal; no key needed, nothing stored.

The body is validated straight from its JSON bytes (pydantic's JSON parser), not through
FastAPI's body handling: this is the busiest endpoint and that halves validation time. The
OpenAPI document still describes the body as a `Proposal`. Validation, the check and the
JSON of the result run in a pre-check thread (`service.bodies.in_check_thread`), so the
event loop only reads requests and writes responses.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from knowledge.intake import ReadLimits, validate_json
from knowledge.proposal import Proposal
from rules.check import CheckResult
from service.bodies import in_check_thread, read_limits
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CHECK, EXAMPLE_PROPOSAL

router = APIRouter(prefix="/v1", tags=["checks"])

BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Proposal"},
    "examples": {"drainase": {"summary": "Proposal yang layak / an eligible proposal", "value": EXAMPLE_PROPOSAL}},
}}}}


def parse_proposal_json(body: bytes, limits: ReadLimits) -> Proposal:
    """A validated proposal from JSON bytes (the guarded reader); every problem with its field path otherwise."""
    return validate_json(Proposal, body, limits)


@router.post(
    "/checks", response_model=CheckResult, summary="Pra-periksa proposal / pre-check a proposal",
    openapi_extra=BODY_DOC,
    responses={200: {"content": {"application/json": {"example": EXAMPLE_CHECK}}}, **problems(413, 422)},
)
async def create_check(request: Request, services: ServicesDep) -> Response:
    """Run the knowledge base's rules on a proposal and return the check JSON. Stores nothing."""
    body, limits = await request.body(), read_limits(request)

    def check() -> bytes:
        result, _audit = services.engines.check_result(parse_proposal_json(body, limits))
        return result.model_dump_json().encode()

    return Response(await in_check_thread(request, check), media_type="application/json")
