"""Request body cap: bodies above `max_body_bytes` get 413 before any handler reads them.

The body is buffered up to the cap (declared Content-Length is checked first, and chunked
bodies are counted as they arrive), so an oversized upload never reaches JSON parsing.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PROBLEM_JSON


def _problem_413(path: str, cap: int) -> bytes:
    id_text = f"Isi permintaan melebihi batas {cap} bita"
    en_text = f"Request body exceeds the limit of {cap} bytes"
    return json.dumps({
        "type": "urn:berdaya:problem:payload-too-large", "title": "Payload too large", "status": 413,
        "detail": f"{id_text} / {en_text}", "message": {"id": id_text, "en": en_text}, "instance": path,
    }).encode()


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app = app
        self.cap = max_body_bytes

    async def _reject(self, scope: Scope, send: Send) -> None:
        body = _problem_413(scope.get("path", ""), self.cap)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.cap:
                    await self._reject(scope, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.cap:
                await self._reject(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
