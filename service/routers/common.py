"""Documented error responses shared by the routers (problem+json with an example)."""

from __future__ import annotations

from typing import Any

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


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ProblemDetails, "description": _TEXTS[code],
                   "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}
            for code in codes}
