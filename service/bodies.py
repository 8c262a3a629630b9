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

import anyio
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


# Pre-checks share a few threads of their own: the rules engine admits one check at a time
# and neither it nor validation releases the GIL, so more threads would only take turns at
# the GIL while the event loop waits for it. Requests beyond them wait in the limiter's
# first-come queue, not behind one another on the event loop.
CHECK_THREADS = 2


def check_limiter(request: Request) -> anyio.CapacityLimiter:
    """The app's limiter for pre-check threads (made on first use, inside the event loop)."""
    state = request.app.state
    limiter = getattr(state, "check_limiter", None)
    if limiter is None:
        limiter = state.check_limiter = anyio.CapacityLimiter(CHECK_THREADS)
    return limiter


async def in_check_thread(request: Request, func: Callable[[], T]) -> T:
    """Run `func` (validation, check and serialisation of a pre-check) in a pre-check thread."""
    return await anyio.to_thread.run_sync(func, limiter=check_limiter(request))
