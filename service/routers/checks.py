"""POST /v1/checks: pre-check a proposal; no key needed, nothing stored.

The body is validated straight from its JSON bytes (pydantic's JSON parser), not through
FastAPI's body handling: this is the busiest endpoint and that halves validation time. The
OpenAPI document still describes the body as a `Proposal`. Validation, the check and the
JSON of the result run in a pre-check thread (`service.bodies.in_check_thread`), so the
event loop only reads requests and writes responses. With `?repair=true` the answer also
carries the verified repair patches (`service.usecases.checks`), searched in the same thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from knowledge.intake import ReadLimits, validate_json
from knowledge.proposal import Proposal
from rules.check import CheckResult
from service.bodies import in_check_thread, read_limits
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CHECK, EXAMPLE_PROPOSAL
from service.usecases.checks import RepairedCheck, repair_in_force

router = APIRouter(prefix="/v1", tags=["checks"])

BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Proposal"},
    "examples": {"drainase": {"summary": "Proposal yang layak / an eligible proposal", "value": EXAMPLE_PROPOSAL}},
}}}}


def parse_proposal_json(body: bytes, limits: ReadLimits) -> Proposal:
    """A validated proposal from JSON bytes (the guarded reader); every problem with its field path otherwise."""
    return validate_json(Proposal, body, limits)


@router.post(
    "/checks", response_model=CheckResult | RepairedCheck, summary="Pra-periksa proposal / pre-check a proposal",
    openapi_extra=BODY_DOC,
    responses={200: {"content": {"application/json": {"example": EXAMPLE_CHECK}}}, **problems(413, 422)},
)
async def create_check(
    request: Request, services: ServicesDep,
    repair: Annotated[bool, Query(description="Cari perbaikan yang terbukti / also search for verified repair "
                                              "patches (RFC 6902 JSON Patch) and the combined one")] = False,
) -> Response:
    """Run the knowledge base's rules on a proposal and return the check JSON. Stores nothing.

    With `repair=true`: also `repair` (each patch with the findings it clears and the check after
    it, the combined patch, and the actions only the RW can take) and `patched`, the proposal after
    the combined patch. The same proposal and knowledge-base version give the same patches.
    """
    body, limits = await request.body(), read_limits(request)

    def check() -> bytes:
        proposal = parse_proposal_json(body, limits)
        if repair:
            return repair_in_force(services.engines, proposal).model_dump_json().encode()
        result, _audit = services.engines.check_result(proposal)
        return result.model_dump_json().encode()

    return Response(await in_check_thread(request, check), media_type="application/json")
