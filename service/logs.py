"""Structured logs: one JSON line per request and per stored decision, on stdout.

Only whitelisted fields are written (`SAFE_FIELDS`): never an API key, a header, a query
string or any proposal content, so a log line cannot leak them even by mistake.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_FIELDS = (
    "event", "request_id", "method", "path", "status", "duration_ms", "key_id", "role",
    "decision_id", "kind", "kb_name", "kb_version", "calibration_id", "input_hash", "verdict",
    "proposal_id", "units", "error", "host", "port", "workers", "database", "count",
)

log = logging.getLogger("berdaya.service")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in SAFE_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is now (test runners and uvicorn may replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """Send `berdaya.*` logs to stdout as JSON lines (idempotent)."""
    logger = logging.getLogger("berdaya")
    logger.setLevel(level.upper())
    logger.propagate = False
    if not any(getattr(h, "_berdaya", False) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        handler._berdaya = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def log_decision(decision_id: str, kind: str, **fields) -> None:
    log.info("decision stored", extra={"event": "decision_stored", "decision_id": decision_id, "kind": kind,
                                       **{k: v for k, v in fields.items() if k in SAFE_FIELDS}})


def log_decisions(count: int, kind: str, **fields: Any) -> None:
    """One line for many decisions stored at once (a bulk load)."""
    log.info("decisions stored", extra={"event": "decisions_stored", "count": count, "kind": kind,
                                        **{k: v for k, v in fields.items() if k in SAFE_FIELDS}})


SIGN_IN_LINK_PATH = "/masuk/tautan/"


def _without_secret(path: str | None) -> str | None:
    # A sign-in link's token opens a session: whoever reads the log must not be able to use it.
    if path and path.startswith(SIGN_IN_LINK_PATH):
        return SIGN_IN_LINK_PATH + "…"
    return path


class RequestLogMiddleware:
    """Pure ASGI middleware: gives each request an id and logs one line when it ends.

    Each response says how long the server took until it started answering, in a
    `Server-Timing: app;dur=<ms>` header, so a load generator can tell server time from its own.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                took = (time.perf_counter() - started) * 1000
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"server-timing", f"app;dur={took:.3f}".encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            state = scope.get("state", {})
            log.info("request", extra={
                "event": "request", "request_id": request_id, "method": scope.get("method"),
                "path": _without_secret(scope.get("path")), "status": status["code"],
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "key_id": state.get("key_id"), "role": state.get("role"),
            })
