"""Request bodies and uploads through the guarded reader (knowledge.intake), with the service's limits.

JSON bodies are read by a dependency declared after the key's permission dependency, so a
key without the permission gets 403 before its body is parsed, and an unparseable body gets
a bilingual problem instead of FastAPI's English 400. Uploads (YAML, XLSX, CSV, zip) are
parsed in a worker thread under the reader's deadline, so the event loop (and /healthz)
keeps answering while a large document is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from knowledge.intake import ReadLimits, validate_json

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def read_limits(request: Request) -> ReadLimits:
    return request.app.state.services.settings.read_limits()


def json_body(model: type[M]) -> Callable[[Request], Any]:
    """A dependency giving the request's JSON body validated as `model` (InvalidInput -> 422 otherwise)."""

    async def body(request: Request) -> M:
        # pydantic's JSON parser in Rust, on a body capped by max_body_bytes: fast enough for the loop.
        return validate_json(model, await request.body(), read_limits(request))

    body.__name__ = f"{model.__name__.lower()}_body"
    return body


def body_doc(model: type[BaseModel], examples: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI requestBody of a route that reads its JSON body with `json_body(model)`."""
    content: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if examples:
        content["examples"] = examples
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


async def off_loop(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a reading (and whatever follows it) in a worker thread."""
    return await run_in_threadpool(func, *args, **kwargs)
