"""Documented error responses shared by the routers (problem+json with an example)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from service.errors import PROBLEM_JSON, ProblemDetails

_TEXTS = {
    401: "Missing, unknown or revoked API key",
    403: "The key's role or kelurahan does not allow this",
    404: "Not found",
    409: "Conflicts with what is stored",
    413: "Request body too large",
    422: "Invalid input: every field path with a bilingual message",
    503: "Temporary failure; nothing was stored; retry",
}


# Query and path numbers are bounded where they are declared: an out-of-range value is the client's
# 422, never a database overflow.
Cycle = Annotated[int | None, Query(ge=2000, le=2100, examples=[2026])]
CyclePath = Annotated[int, Path(ge=2000, le=2100, examples=[2026])]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails, "description": _TEXTS[code],
                   "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
            for code in codes}
