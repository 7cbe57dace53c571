"""``ragtune serve``: one library as an OpenAI-compatible endpoint (FastAPI, run by uvicorn).

Routes: ``GET /v1/models`` lists one model, ``ragtune:LIBRARY``; ``POST /v1/chat/completions``
answers the last user message from the library with RAG (``svc.ask``), whole or streamed as
Server-Sent Events in OpenAI's chunk format ending with ``data: [DONE]``. Earlier messages are not
sent to the model: each question is answered from the library alone, as in the window (the answer
path prompts with one question and its passages; system messages are ignored too, the RAG prompt
is Ragtune's own). When the request holds earlier user/assistant turns, the response says so in
``note``.

Extra fields, next to OpenAI's: the completion (and the last stream chunk, the one with a
``finish_reason``) carries ``citations`` (a list of ``{n, path, page, location, start, end, text}``,
the ``[n]`` markers in the text point at them) and ``declined`` (true when the library holds nothing
relevant, so the model was not asked), ``interrupted`` (null, or why the answer was cut off, its
text being what came before) and ``note`` (null, or a sentence saying that earlier turns of the
conversation were not sent to the model, and how many).

Model lane (docs/architecture.md, "Threads"): a llama.cpp context is not thread-safe, so every
answer runs on one worker thread, one after the other; a client that disconnects cancels its
answer (the ``cancel`` event). With a token, every request needs ``Authorization: Bearer TOKEN``
and the API's own pages (``/docs``, ``/redoc``, ``/openapi.json``) are off; errors use OpenAI's JSON
shape ``{"error": {"message", "type", "param", "code"}}``.

Limits (``server_limits``): a request without the token is refused (401) before any of its body
is read, a body over 1 MB (413) before it is read whole, a question
over 8,000 characters (400), and no message quotes more than an excerpt of what the client sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from ragtune.core.answer_types import Answer
from ragtune.core.services import Ragtune
from ragtune.errors import RagtuneError
from ragtune.server_limits import MAX_QUESTION_CHARS, BodyLimit, error_body

TOKEN_ENV = "RAGTUNE_SERVE_TOKEN"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The fields Ragtune reads; the others (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = ""
    messages: list[ChatMessage]
    stream: bool = False


class ApiError(Exception):
    """An error sent back as OpenAI's error JSON."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Binding anything but loopback needs a token: refuse before any socket is opened."""
    if not token and not is_loopback(host):
        raise RagtuneError(
            f"Refusing to serve on {host} without a token: anyone who can reach this machine could "
            f"read your library. Pass --token TOKEN (or set {TOKEN_ENV}), or serve on 127.0.0.1."
        )


def _last_question(messages: list[ChatMessage]) -> tuple[int, str]:
    """The index and plain text (string content or text parts) of the last user message with text."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role != "user":
            continue
        if isinstance(message.content, str):
            text = message.content
        else:
            parts = message.content or []
            text = "\n".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")
        if text.strip():
            if len(text) > MAX_QUESTION_CHARS:
                raise ApiError(
                    400, f"The question is {len(text):,} characters long; at most {MAX_QUESTION_CHARS:,} "
                    "are answered. Ask a shorter question.", code="question_too_long",
                )
            return index, text
    raise ApiError(400, "No user message with text to answer.", code="no_question")


def question_of(messages: list[ChatMessage]) -> str:
    """The last user message as plain text: the question answered."""
    return _last_question(messages)[1]


def history_note(messages: list[ChatMessage]) -> str | None:
    """The ``note`` field: None, or that the conversation's other user/assistant turns were left out."""
    asked = _last_question(messages)[0]
    others = sum(1 for i, m in enumerate(messages) if i != asked and m.role in ("user", "assistant"))
    if not others:
        return None
    return (
        f"Answered the last user message on its own, from the library: the {others} other "
        "message(s) of the conversation were not sent to the model."
    )


def citations_json(answer: Answer) -> list[Any]:
    citations = answer.to_json()["citations"]
    assert isinstance(citations, list)
    return citations


def extra_fields(answer: Answer, note: str | None = None) -> dict[str, Any]:
    """Ragtune's fields next to OpenAI's (the module docstring)."""
    return {
        "citations": citations_json(answer),
        "declined": answer.declined,
        "interrupted": answer.error or None,
        "note": note,
    }


def completion_json(
    answer: Answer, model_id: str, completion_id: str, created: int, note: str | None = None
) -> dict[str, Any]:
    t = answer.timings
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": t.prompt_tokens,
            "completion_tokens": t.completion_tokens,
            "total_tokens": t.prompt_tokens + t.completion_tokens,
        },
        **extra_fields(answer, note),
    }


def create_app(svc: Ragtune, library: str, token: str | None = None) -> FastAPI:
    """The app serving ``library`` of ``svc``; ``token`` (when set) guards every route."""
    model_id = f"ragtune:{library}"
    lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ragtune-model")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        lane.shutdown(wait=True, cancel_futures=True)

    pages: dict[str, Any] = {"docs_url": None, "redoc_url": None, "openapi_url": None} if token else {}
    app = FastAPI(title="Ragtune", lifespan=lifespan, **pages)
    app.add_middleware(BodyLimit, token=token)  # the token is checked there, before any body is read

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.message, exc.kind, exc.code), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(  # where and what, never the input itself (it may be megabytes)
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()[:5]
        )
        return JSONResponse(error_body(f"Invalid request: {problems[:500]}", "invalid_request_error"), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail), "invalid_request_error"), exc.status_code)

    def ask(question: str, cancel: threading.Event, on_token: Callable[[str], None] | None) -> Answer:
        return svc.ask(question, library=library, rag=True, on_token=on_token, cancel=cancel)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        model = {"id": model_id, "object": "model", "created": 0, "owned_by": "ragtune"}
        return {"object": "list", "data": [model]}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(body: ChatRequest, request: Request) -> dict[str, Any] | StreamingResponse:
        question, note = question_of(body.messages), history_note(body.messages)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if body.stream:
            events = _stream(lane, ask, question, model_id, completion_id, created, note)
            return StreamingResponse(events, media_type="text/event-stream")
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(lane, ask, question, cancel, None)
        try:
            while not (await asyncio.wait({future}, timeout=0.5))[0]:
                if await request.is_disconnected():
                    cancel.set()
            answer = future.result()
        except asyncio.CancelledError:
            cancel.set()
            raise
        except RagtuneError as exc:
            raise ApiError(500, str(exc), "server_error") from exc
        return completion_json(answer, model_id, completion_id, created, note)

    return app


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(
    lane: ThreadPoolExecutor,
    ask: Callable[[str, threading.Event, Callable[[str], None] | None], Answer],
    question: str,
    model_id: str,
    completion_id: str,
    created: int,
    note: str | None = None,
) -> AsyncGenerator[str, None]:
    """The answer as OpenAI chunks; a disconnect (the generator closed) cancels the answer."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    cancel = threading.Event()

    def send(kind: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
        except RuntimeError:  # the loop is gone (server stopping): nobody is listening
            cancel.set()

    def work() -> None:
        try:
            send("done", ask(question, cancel, lambda piece: send("token", piece)))
        except Exception as exc:
            send("error", exc)

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        head = {"id": completion_id, "object": "chat.completion.chunk", "created": created}
        return _sse({**head, "model": model_id, "choices": [choice], **extra})

    loop.run_in_executor(lane, work)
    sent = ""
    try:
        yield chunk({"role": "assistant", "content": ""})
        while True:
            kind, value = await queue.get()
            if kind == "token":
                sent += value
                yield chunk({"content": value})
            elif kind == "error":
                message = str(value) if isinstance(value, RagtuneError) else "The answer failed."
                yield _sse(error_body(message, "server_error"))
                break
            else:
                answer: Answer = value
                if answer.text.startswith(sent) and len(answer.text) > len(sent):
                    yield chunk({"content": answer.text[len(sent):]})  # e.g. a decline
                yield chunk({}, "stop", **extra_fields(answer, note))
                break
        yield "data: [DONE]\n\n"
    finally:
        cancel.set()  # a no-op once the answer is done; stops it when the client went away
