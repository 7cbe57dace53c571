"""Reading an OpenAI Chat Completions stream (server-sent events) and the small helpers of
``openai_engine``: the stream's measures (time to first token, tokens/s), retry waits, error
details, and the token estimate used when a server cannot count tokens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import PurePath, PureWindowsPath
from typing import Any

import httpx

from ragtune.core.answer_types import AdapterSpec
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.generation.stats import GenerationStats
from ragtune.errors import AdapterError

BACKOFF_S = 0.5  # doubled each retry; a Retry-After up to MAX_WAIT_S is honoured
MAX_WAIT_S = 5.0
MESSAGE_MARGIN = 8  # tokens a chat template adds around one message (estimate)
PROMPT_MARGIN = 48  # a template may add its own default system prompt (Qwen does)


class StreamReader:
    """Reads server-sent event lines of a Chat Completions stream; measures the stream."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.first: float | None = None
        self.last = started
        self.pieces = 0
        self.prompt = 0
        self.completion = 0
        self.finish = ""
        self.done = False

    def feed(self, line: str) -> str:
        if not line.startswith("data:"):
            return ""
        data = line[5:].strip()
        if data == "[DONE]":
            self.done = True
            return ""
        try:
            event = json.loads(data)
        except ValueError:
            return ""
        usage = event.get("usage") or {}
        self.prompt = int(usage.get("prompt_tokens") or self.prompt)
        self.completion = int(usage.get("completion_tokens") or self.completion)
        piece = ""
        for choice in event.get("choices") or []:
            piece += (choice.get("delta") or {}).get("content") or ""
            self.finish = choice.get("finish_reason") or self.finish
        if piece:
            now = time.monotonic()
            self.first = now if self.first is None else self.first
            self.last = now
            self.pieces += 1
        return piece

    def stats(self, prompt_estimate: int) -> GenerationStats:
        now = time.monotonic()
        tokens = self.completion or self.pieces
        first = self.first if self.first is not None else now
        span = self.last - first
        rate = (tokens - 1) / span if tokens > 1 and span > 0 else 0.0
        return GenerationStats(
            prompt_tokens=self.prompt or prompt_estimate, completion_tokens=tokens,
            ttft_s=(first - self.started) if self.first is not None else 0.0,
            tokens_per_s=rate, total_s=now - self.started, finish_reason=self.finish,
        )


def estimate_tokens(messages: Sequence[Message]) -> int:
    """A safe over-estimate of a prompt's tokens when the server cannot count them."""
    chars = sum(len(m["content"]) for m in messages)
    return chars // 3 + MESSAGE_MARGIN * len(messages) + PROMPT_MARGIN


def retry_wait(response: httpx.Response, attempt: int) -> float:
    try:
        return min(MAX_WAIT_S, float(response.headers.get("retry-after", "")))
    except ValueError:
        return BACKOFF_S * 2**attempt


def error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        error = body.get("error", body) if isinstance(body, dict) else body
        message = error.get("message", error) if isinstance(error, dict) else error
        return str(message)[:200]
    except (ValueError, httpx.ResponseNotRead):
        return response.text[:200] if response.is_closed else ""


def file_name(path: str) -> str:
    """The file name of a path written by either system: a server on Windows reports
    ``C:\\adapters\\cite.gguf``, which a POSIX ``PurePath`` takes for one name."""
    return PureWindowsPath(path).name


def server_lora(listing: list[Any], specs: Sequence[AdapterSpec], base_url: str) -> list[dict[str, Any]]:
    """llama-server's ``"lora"`` request field for ``specs``: each adapter found by file name in
    the server's ``GET /lora-adapters`` listing (``[{"id", "path", "scale"}]``)."""
    ids = {
        file_name(str(a.get("path", ""))): a["id"]
        for a in listing if isinstance(a, dict) and "id" in a
    }
    chosen = []
    for spec in specs:
        name = file_name(spec.path)
        if name not in ids:
            offered = ", ".join(sorted(ids)) or "none"
            raise AdapterError(
                f"the server at {base_url} has no adapter {name!r} loaded (it has: {offered}); "
                "start it with --lora for that file"
            )
        chosen.append({"id": ids[name], "scale": spec.scale})
    return chosen


def model_adapter(ids: Sequence[str], base: str, specs: Sequence[AdapterSpec], base_url: str) -> str:
    """The model name that selects the adapter in ``specs`` on a server that serves each LoRA
    module as a model of its own (vLLM's ``--lora-modules NAME=PATH``): ``NAME`` is the adapter's
    file name or its stem. Such a server applies one adapter at full strength."""
    offered = [i for i in ids if i != base]
    if not offered:
        raise AdapterError(
            f"this server ({base_url}) does not support adapters; use the local engine to answer "
            "with a LoRA adapter"
        )
    if len(specs) > 1 or specs[0].scale != 1.0:
        raise AdapterError(
            f"the server at {base_url} applies one adapter at full strength (1.0) per answer"
        )
    path = PurePath(specs[0].path)
    for name in (path.name, path.stem):
        if name in offered:
            return name
    raise AdapterError(
        f"the server at {base_url} serves no adapter {path.name!r} (its models: "
        f"{', '.join(offered[:10])}); start it with --lora-modules {path.stem}=PATH"
    )
