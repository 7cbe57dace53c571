"""Limits of ``ragtune serve`` (``ragtune.server``): how much a client may send, and the error JSON.

A request body over ``MAX_BODY_BYTES`` is answered 413 by ``BodyLimit`` before the app reads it
(by its Content-Length, or as it arrives when it has none); a question over
``MAX_QUESTION_CHARS`` characters is answered 400 by the chat route. Errors use OpenAI's shape
``{"error": {"message", "type", "param", "code"}}`` (``error_body``).
"""

from __future__ import annotations

import json
from typing import Any

#: the largest request body read (a chat request with a long question is a few KB)
MAX_BODY_BYTES = 1 << 20
#: the longest question answered, in characters (a question, not a document)
MAX_QUESTION_CHARS = 8_000
#: at most this much of a refused body is read (and dropped) so that its client reads the 413
DRAIN_BYTES = 64 << 20


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class BodyLimit:
    """ASGI middleware: answer 413 to a request whose body is over ``limit`` bytes, by its
    Content-Length or as it arrives, before the app reads it. The body is read here and handed on
    whole; later ``receive`` calls (a disconnect) pass through."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def _refuse(self, receive: Any, send: Any, more: bool) -> None:
        """Answer 413; the rest of the body (``more``) is read and dropped first, up to
        ``DRAIN_BYTES``, so that a client still sending reads the answer (not a broken pipe)."""
        drained = 0
        while more and drained <= DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            drained += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        body = json.dumps(error_body(
            f"The request body is over {self.limit:,} bytes; send a shorter request.",
            "invalid_request_error", "request_too_large",
        )).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await self._refuse(receive, send, more=True)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before its body arrived
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(receive, send, more=bool(message.get("more_body", False)))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: list[dict[str, Any]] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Any:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)
