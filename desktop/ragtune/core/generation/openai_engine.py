"""``OpenAIEngine``: the ``ChatModel`` over any OpenAI-compatible server's Chat Completions API
(llama.cpp's llama-server, llama-cpp-python's server, vLLM, Ollama, a hosted API).

Why httpx and not the ``openai`` client: the servers Ragtune talks to are mostly llama.cpp ones,
whose useful parts are outside the OpenAI API (``cache_prompt``, ``/tokenize``, ``/apply-template``,
``/props`` for the real context size, ``/lora-adapters``); httpx sends those plainly, gives separate
connect/read timeouts (a server that stops sending is detected, never waited on forever), and lets
a cancel close the stream at once, all with one dependency fastembed already brings.

- ``complete_json``: the schema goes as ``response_format``; ``json_output`` reads the answer.
- Streaming: server-sent events; time to first token and tokens/s are measured from the stream.
- Cancel is checked between events; the response is closed at once and ``Cancelled`` raised.
- Faults are typed (``ragtune.errors``): unreachable host, refused key (401/403), unknown model
  (404), busy server (429/503, retried a bounded number of times with backoff), and a stream cut
  after part of the answer (``StreamInterrupted``, raised after the pieces that came).
- Token counting: llama-server's ``/apply-template`` + ``/tokenize`` (exact), else
  llama-cpp-python's ``/extras/tokenize/count`` on the contents plus a per-message margin, else a
  safe estimate (characters / 3 plus margin).
- Adapters: those a llama-server loaded itself (``GET /lora-adapters``) are picked by file name and
  sent as ``"lora": [{"id", "scale"}]`` with each request; other servers refuse (``AdapterError``).
- Not thread-safe: one worker thread owns it (docs/architecture.md, "Threads").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import httpx

from ragtune.core.answer_types import AdapterInfo, AdapterSpec, ModelInfo
from ragtune.core.generation import json_output
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.generation.openai_stream import (
    MESSAGE_MARGIN,
    PROMPT_MARGIN,
    StreamReader,
    error_detail,
    estimate_tokens,
    model_adapter,
    retry_wait,
    server_lora,
)
from ragtune.core.generation.stats import GenerationStats
from ragtune.core.generation.thinking import without_thinking
from ragtune.core.server_profile import EngineProfile, api_key, http_warning
from ragtune.errors import (
    Cancelled,
    EngineAuthError,
    EngineBusy,
    EngineError,
    EngineUnreachable,
    StreamInterrupted,
)

log = logging.getLogger(__name__)

RETRIES = 3  # attempts after the first on 429/503


class OpenAIEngine:
    """A model on an OpenAI-compatible server (see module docstring)."""

    def __init__(self, profile: EngineProfile, key: str | None = None) -> None:
        self.profile = profile
        self.base_url = profile.base_url
        self.root_url = profile.base_url.removesuffix("/v1")
        self.warning = http_warning(profile.base_url)
        if self.warning:
            log.warning("%s", self.warning)
        key = key if key is not None else api_key(profile.base_url)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        timeout = httpx.Timeout(profile.read_timeout_s, connect=profile.connect_timeout_s)
        self._http = httpx.Client(headers=headers, timeout=timeout)
        self.last_stats = GenerationStats()
        self._lora: list[dict[str, Any]] = []  # llama-server's per-request adapters
        self._adapter_model = ""  # vLLM: the model name that selects an adapter
        self._model_ids: list[str] = []
        self._counter: str | None = None  # "template", "extras" or "estimate", probed on first use
        self.model = profile.model
        self.model = self._pick_model(profile.model)
        self._n_ctx = self._server_n_ctx() or profile.context_size

    # -- the server ------------------------------------------------------------------------------
    def _request(self, method: str, url: str) -> httpx.Response:
        return self._send(self._http.build_request(method, url), stream=False)

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = error_detail(response)
        if status in (401, 403):
            raise EngineAuthError(
                f"the model server at {self.base_url} refused the API key (HTTP {status}); set "
                f"RAGTUNE_API_KEY or store the key in the keyring for {self.base_url}"
            )
        if status == 404:
            raise EngineError(
                f"the model server at {self.base_url} does not know model {self.model!r} "
                f"or this API (HTTP 404: {detail})"
            )
        if status in (429, 503):
            raise EngineBusy(
                f"the model server at {self.base_url} stayed busy (HTTP {status}) after {RETRIES} "
                "retries; try again later"
            )
        raise EngineError(f"the model server at {self.base_url} failed (HTTP {status}: {detail})")

    def _pick_model(self, wanted: str) -> str:
        response = self._request("GET", f"{self.base_url}/models")
        self._check(response)
        try:
            ids = [str(m["id"]) for m in response.json().get("data", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            ids = []
        self._model_ids = ids
        if not wanted:
            if not ids:
                raise EngineError(f"the model server at {self.base_url} lists no model; name one")
            return ids[0]
        if ids and wanted not in ids:
            raise EngineError(
                f"the model server at {self.base_url} does not know model {wanted!r} "
                f"(it offers: {', '.join(ids[:10])})"
            )
        return wanted

    def _server_n_ctx(self) -> int | None:
        """llama-server's ``/props`` context size, when the server has it."""
        try:
            response = self._http.get(f"{self.root_url}/props")
            if response.status_code != 200:
                return None
            props = response.json()
            n_ctx = props.get("default_generation_settings", {}).get("n_ctx") or props.get("n_ctx")
            return int(n_ctx) if n_ctx else None
        except (httpx.HTTPError, ValueError, TypeError, AttributeError):
            return None

    # -- ChatModel -------------------------------------------------------------------------------
    @property
    def info(self) -> ModelInfo:
        return ModelInfo(
            name=self.model, path=self.base_url, size=0, architecture="remote",
            context_length=self._n_ctx, quantization="",
        )

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        if self._counter in (None, "template"):
            count = self._count_by_template(messages)
            if count is not None:
                self._counter = "template"
                return count
        if self._counter in (None, "extras"):
            count = self._count_by_extras(messages)
            if count is not None:
                self._counter = "extras"
                return count
        self._counter = "estimate"
        return estimate_tokens(messages)

    def _post_json(self, url: str, body: dict[str, Any]) -> Any:
        try:
            response = self._http.post(url, json=body)
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    def _count_by_template(self, messages: Sequence[Message]) -> int | None:
        rendered = self._post_json(f"{self.root_url}/apply-template", {"messages": list(messages)})
        if not isinstance(rendered, dict) or not isinstance(rendered.get("prompt"), str):
            return None
        tokens = self._post_json(f"{self.root_url}/tokenize", {"content": rendered["prompt"]})
        if not isinstance(tokens, dict) or not isinstance(tokens.get("tokens"), list):
            return None
        return len(tokens["tokens"])

    def _count_by_extras(self, messages: Sequence[Message]) -> int | None:
        text = "\n".join(m["content"] for m in messages)
        counted = self._post_json(f"{self.root_url}/extras/tokenize/count", {"input": text})
        if not isinstance(counted, dict) or not isinstance(counted.get("count"), int):
            return None
        return int(counted["count"]) + MESSAGE_MARGIN * len(messages) + PROMPT_MARGIN

    def set_adapters(self, specs: Sequence[AdapterSpec]) -> None:
        """Adapters the server loaded itself: llama-server's (``GET /lora-adapters``) picked by
        file name and sent with each request, or vLLM's LoRA modules chosen by model name; any
        other server refuses a non-empty set."""
        active = [s for s in specs if s.scale != 0]
        self._lora, self._adapter_model = [], ""
        if not active:
            return
        listing = self._lora_listing()
        if listing is not None:
            self._lora = server_lora(listing, active, self.base_url)
        else:
            self._adapter_model = model_adapter(self._model_ids, self.model, active, self.base_url)

    def _lora_listing(self) -> list[Any] | None:
        """llama-server's ``GET /lora-adapters``; None on a server without it."""
        try:
            response = self._http.get(f"{self.root_url}/lora-adapters")
            listing = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return listing if isinstance(listing, list) else None

    def check_adapter(self, path: str) -> AdapterInfo:
        """The adapter ``path`` names (by file name) among those the server loaded at launch; a
        local file is never read nor sent. AdapterError lists the loaded ones."""
        spec = [AdapterSpec(path, 1.0)]
        listing = self._lora_listing()
        if listing is not None:
            server_lora(listing, spec, self.base_url)
        else:
            model_adapter(self._model_ids, self.model, spec, self.base_url)
        name = PurePath(path).name
        return AdapterInfo(path=name, name=name, architecture="server", alpha=0.0, tensors=0)

    def stream_chat(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        """The answer's pieces; a reasoning block the server's model writes first is left out."""
        return without_thinking(self._stream(messages, max_tokens, temperature, cancel, {}))

    def complete_json(
        self, messages: Sequence[Message], schema: dict[str, Any], max_tokens: int = 256,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """The answer under ``response_format`` json_schema, streamed and joined (greedy)."""
        fmt = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        text = "".join(self._stream(messages, max_tokens, 0.0, cancel, {"response_format": fmt}))
        return json_output.parse(text, schema, self.last_stats.finish_reason)

    def _stream(
        self, messages: Sequence[Message], max_tokens: int, temperature: float,
        cancel: threading.Event | None, extra: dict[str, Any],
    ) -> Iterator[str]:
        body = {
            "model": self._adapter_model or self.model, "messages": list(messages), "max_tokens": max_tokens,
            "temperature": temperature, "stream": True, "cache_prompt": True,
            "stream_options": {"include_usage": True}, **extra,
        }
        if self._lora:
            body["lora"] = self._lora
        self.last_stats = GenerationStats()
        started = time.monotonic()
        request = self._http.build_request("POST", f"{self.base_url}/chat/completions", json=body)
        response = self._send(request)
        reader = StreamReader(started)
        try:
            self._check(response)
            lines = response.iter_lines()
            while True:
                if cancel is not None and cancel.is_set():
                    reader.finish = "cancelled"
                    raise Cancelled()
                try:
                    line = next(lines)
                except StopIteration:
                    break
                except httpx.HTTPError as exc:
                    raise self._cut(reader, exc) from exc
                piece = reader.feed(line)
                if piece:
                    yield piece
                if reader.done:
                    break
            if not reader.done and not reader.finish:
                raise self._cut(reader, None)
        finally:
            response.close()
            self.last_stats = reader.stats(estimate_tokens(messages))

    def _send(self, request: httpx.Request, stream: bool = True) -> httpx.Response:
        """Send with retries on 429/503; transport errors typed (see module docstring)."""
        for attempt in range(RETRIES + 1):
            try:
                response = self._http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise EngineUnreachable(
                    f"cannot reach the model server at {self.base_url} ({exc}); is it running?"
                ) from exc
            except httpx.TimeoutException as exc:
                raise EngineError(
                    f"the model server at {self.base_url} sent nothing for "
                    f"{self.profile.read_timeout_s:g} s"
                ) from exc
            except httpx.HTTPError as exc:
                raise EngineError(f"the model server at {self.base_url} failed: {exc}") from exc
            if response.status_code in (429, 503) and attempt < RETRIES:
                response.close()
                time.sleep(retry_wait(response, attempt))
                continue
            if stream and response.status_code >= 400:
                response.read()
            return response
        raise AssertionError("unreachable")

    def _cut(self, reader: StreamReader, exc: Exception | None) -> EngineError:
        why = "stopped sending" if isinstance(exc, httpx.TimeoutException) else "cut the answer off"
        if reader.pieces == 0:
            return EngineError(f"the model server at {self.base_url} {why} before answering")
        return StreamInterrupted(
            f"the model server at {self.base_url} {why} after {reader.pieces} piece(s); the answer "
            "is incomplete"
        )

    def close(self) -> None:
        self._http.close()
