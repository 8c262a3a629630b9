"""RFC 9457 problem details: the service's errors and the one place they become responses.

Every error response is `application/problem+json` with `type`, `title`, `status`,
`detail` (Bahasa Indonesia / English), `message` {id, en}, `instance` (the request path)
and, for invalid input, `errors`: every field path with its bilingual text.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from knowledge.errors import BerdayaError, InvalidInput, Problem
from knowledge.intake import LimitExceeded
from knowledge.validation import bilingual, problems_from
from knowledge.versions import VersionTampered

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("berdaya.service")


class ServiceError(BerdayaError):
    """A domain error of the service with its HTTP status and problem type."""

    status = 400
    slug = "bad-request"
    title = "Bad request"
    headers: ClassVar[dict[str, str]] = {}


class NotAuthenticated(ServiceError):
    """No API key, or one that is unknown or revoked."""

    status, slug, title = 401, "not-authenticated", "Not authenticated"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="berdaya"'}


class Forbidden(ServiceError):
    """The key's role or kelurahan does not allow this."""

    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(ServiceError):
    """No such resource."""

    status, slug, title = 404, "not-found", "Not found"


class Conflict(ServiceError):
    """The request conflicts with what is stored (e.g. a second active proposal)."""

    status, slug, title = 409, "conflict", "Conflict"

    def __init__(self, id: str, en: str, **extra: Any):
        super().__init__(id, en)
        self.extra = extra


class PayloadTooLarge(ServiceError):
    """The request body is larger than the configured cap."""

    status, slug, title = 413, "payload-too-large", "Payload too large"


class Unavailable(ServiceError):
    """A temporary failure (database); nothing was stored and the request can be retried."""

    status, slug, title = 503, "unavailable", "Service unavailable"
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class ProblemError(BaseModel):
    path: str = Field(examples=["activities[0].budget_lines[1].source"])
    id: str = Field(examples=["harus salah satu dari 'ppm', 'swadaya' atau 'lainnya'"])
    en: str = Field(examples=["Input should be 'ppm', 'swadaya' or 'lainnya'"])


class Bilingual(BaseModel):
    id: str = Field(examples=["Masukan tidak sah: 1 masalah"])
    en: str = Field(examples=["Invalid input: 1 problem(s)"])


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with Berdaya's bilingual message and field errors."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "urn:berdaya:problem:invalid-input", "title": "Invalid input", "status": 422,
        "detail": "Masukan tidak sah: 1 masalah / Invalid input: 1 problem(s)",
        "message": {"id": "Masukan tidak sah: 1 masalah", "en": "Invalid input: 1 problem(s)"},
        "instance": "/v1/checks",
        "errors": [{"path": "region.rw", "id": "wajib diisi", "en": "Field required"}],
    }]})

    type: str
    title: str
    status: int
    detail: str
    message: Bilingual
    instance: str
    errors: list[ProblemError] | None = None


def problem_response(request: Request, status: int, slug: str, title: str, id_text: str, en_text: str,
                     *, errors: list[Problem] | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:berdaya:problem:{slug}", "title": title, "status": status,
        "detail": f"{id_text} / {en_text}", "message": {"id": id_text, "en": en_text},
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = [p.as_dict() for p in errors]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_problems(exc: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors, translated with the project's own bilingual texts.

    The errors are rebuilt into a pydantic ValidationError so that `knowledge.validation`
    translates them exactly as it does for files; a validator's own bilingual message is kept.
    """
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        where = loc[1:] if loc and loc[0] == "body" else loc
        ctx = err.get("ctx") or {}
        kind: Any = err.get("type", "value_error")
        if kind == "berdaya":
            kind = bilingual(ctx["id"], ctx["en"])
        try:
            rebuilt = ValidationError.from_exception_data(
                "request", [{"type": kind, "loc": where, "input": err.get("input"), "ctx": ctx}])
            problems.extend(problems_from(rebuilt))
        except (TypeError, ValueError, KeyError):
            path = ".".join(str(p) for p in where)
            problems.append(Problem(path, f"nilai tidak sah ({err.get('msg', '')})", str(err.get("msg", ""))))
    return problems


def is_data_error(exc: StatementError) -> bool:
    """A database error caused by the data sent (not by the database being unavailable)."""
    if isinstance(exc, DataError):
        return True
    # Raised while binding parameters (e.g. JSON that is not standard), before the database saw them.
    return not isinstance(exc, DBAPIError) and isinstance(exc.orig, (ValueError, TypeError, InvalidInput))


def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc, extra={"event": "unhandled_error", "error": type(exc).__name__})
    return problem_response(request, 500, "internal", "Internal server error",
                            "Terjadi kesalahan internal; tidak ada yang tersimpan.",
                            "An internal error occurred; nothing was stored.")


def install_error_handlers(app: FastAPI) -> None:
    """The one translation from errors to problem responses."""

    @app.exception_handler(VersionTampered)
    async def _tampered(request: Request, exc: VersionTampered) -> JSONResponse:
        # The server's own published files changed: its fault, never the client's input; retrying cannot help.
        log.error("published version tampered", extra={"event": "version_tampered", "version": exc.source})
        return problem_response(
            request, 500, "version-tampered", "Published version tampered",
            f"{exc.message_id}. Ini kesalahan server, bukan kesalahan masukan Anda; tidak ada yang tersimpan. "
            "Administrator perlu memulihkan versi ini dari cadangan.",
            f"{exc.message_en}. This is a server fault, not a mistake in your input; nothing was stored. "
            "An administrator needs to restore this version from a backup.", errors=exc.problems)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        if isinstance(exc, LimitExceeded):
            return problem_response(request, exc.status, "limit-exceeded", "Limit exceeded", exc.message_id,
                                    exc.message_en, errors=exc.problems, limit=exc.limit)
        return problem_response(request, 422, "invalid-input", "Invalid input", exc.message_id,
                                exc.message_en, errors=exc.problems)

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> JSONResponse:
        return problem_response(request, exc.status, exc.slug, exc.title, exc.message_id, exc.message_en,
                                headers=exc.headers or None, **getattr(exc, "extra", {}))

    @app.exception_handler(BerdayaError)
    async def _domain(request: Request, exc: BerdayaError) -> JSONResponse:
        return problem_response(request, 422, "invalid-input", "Invalid input", exc.message_id,
                                exc.message_en, errors=[])

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _request_problems(exc)
        n = len(problems)
        return problem_response(request, 422, "invalid-input", "Invalid input",
                                f"Masukan tidak sah: {n} masalah", f"Invalid input: {n} problem(s)",
                                errors=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        texts = {404: ("Alamat tidak ditemukan", "Not found"),
                 405: ("Metode tidak diizinkan untuk alamat ini", "Method not allowed for this path")}
        id_text, en_text = texts.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return problem_response(request, exc.status_code, f"http-{exc.status_code}", en_text, id_text, en_text,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(StatementError)
    async def _database(request: Request, exc: StatementError) -> JSONResponse:
        log.warning("database error", extra={"event": "database_error", "error": type(exc).__name__})
        if is_data_error(exc):
            # The models refuse such data first; this is the defence behind them. Retrying cannot help.
            return problem_response(
                request, 422, "invalid-input", "Invalid input",
                "Data tidak dapat disimpan: ada nilai yang tidak diterima basis data; tidak ada yang tersimpan",
                "The data cannot be stored: a value is not accepted by the database; nothing was stored",
                errors=[])
        if not isinstance(exc, (OperationalError, InterfaceError)):
            return _internal(request, exc)
        return problem_response(
            request, 503, "unavailable", "Service unavailable",
            "Basis data sedang tidak dapat dipakai; tidak ada yang tersimpan. Silakan ulangi.",
            "The database is temporarily unavailable; nothing was stored. Please retry.",
            headers={"Retry-After": "1"}, retryable=True)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)
