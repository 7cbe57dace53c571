"""Limits of ``ragtune serve`` (``ragtune.server``): who may send, how much, and the error JSON.

``BodyLimit`` checks the bearer token first, from the headers: a request without the right one is
answered 401 and its connection closed, with not a byte of its body read. A request body over
``MAX_BODY_BYTES`` is answered 413 before the app reads it (by its Content-Length, or as it
arrives when it has none), after at most ``DRAIN_BYTES`` more are read, and its connection is
closed; a question over
``MAX_QUESTION_CHARS`` characters is answered 400 by the chat route. Errors use OpenAI's shape
``{"error": {"message", "type", "param", "code"}}`` (``error_body``).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

#: the largest request body read (a chat request with a long question is a few KB)
MAX_BODY_BYTES = 1 << 20
#: the longest question answered, in characters (a question, not a document)
MAX_QUESTION_CHARS = 8_000
#: at most this much more of a refused body is read (and dropped) so that a client still sending
#: it is likely to read the 413; then the connection is closed
DRAIN_BYTES = 1 << 20


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def authorized(headers: list[tuple[bytes, bytes]], token: str | None) -> bool:
    """Whether a request with these (ASGI) headers may be served: always without a token, else only
    with ``Authorization: Bearer TOKEN``."""
    if not token:
        return True
    given = dict(headers).get(b"authorization", b"")
    return hmac.compare_digest(given, f"Bearer {token}".encode())


async def send_error(send: Any, status: int, body: dict[str, Any]) -> None:
    """Send ``body`` as JSON with ``status`` and close the connection (the request body may be
    unread: the connection cannot carry another request)."""
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """ASGI middleware: answer 401 to a request without the bearer ``token`` (when one is set) and
    413 to one whose body is over ``limit`` bytes, by its Content-Length or as it arrives, before
    the app reads it. The body is read here and handed on whole; later ``receive`` calls (a
    disconnect) pass through."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES, token: str | None = None) -> None:
        self.app, self.limit, self.token = app, limit, token

    async def _refuse(self, receive: Any, send: Any, more: bool) -> None:
        """Answer 413 and close; the rest of the body (``more``) is read and dropped first, up to
        ``DRAIN_BYTES``, so that a client still sending a little more reads the answer."""
        drained = 0
        while more and drained < DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            drained += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
        await send_error(send, 413, error_body(
            f"The request body is over {self.limit:,} bytes; send a shorter request.",
            "invalid_request_error", "request_too_large",
        ))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not authorized(scope.get("headers") or [], self.token):  # before a byte of the body
            await send_error(send, 401, error_body(
                "Missing or wrong bearer token.", "invalid_request_error", "invalid_api_key",
            ))
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
