"""POST /v1/checks: pre-check a proposal; no key needed, nothing stored.

The body is validated straight from its JSON bytes (pydantic's JSON parser), not through
FastAPI's body handling: this is the busiest endpoint and that halves validation time. The
OpenAPI document still describes the body as a `Proposal`. Validation, the check and the
JSON of the result run in a check worker process (`service.check_workers`), else in a
pre-check thread, so the event loop only reads requests and writes responses. With
`?repair=true` the answer also carries the verified repair patches (`service.usecases.checks`),
searched in the same place.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from rules.check import CheckResult
from service.bodies import in_check_thread, read_limits
from service.deps import ServicesDep
from service.routers.common import problems
from service.schemas import EXAMPLE_CHECK, EXAMPLE_PROPOSAL
from service.usecases.checks import RepairedCheck, check_body

router = APIRouter(prefix="/v1", tags=["checks"])

BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Proposal"},
    "examples": {"drainase": {"summary": "Proposal yang layak / an eligible proposal", "value": EXAMPLE_PROPOSAL}},
}}}}



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
    body = await request.body()
    answer = await services.checks.check(body, repair) if services.checks is not None else None
    if answer is None:
        limits = read_limits(request)
        answer = await in_check_thread(request, lambda: check_body(services.engines, body, limits, repair))
    return Response(answer, media_type="application/json")
