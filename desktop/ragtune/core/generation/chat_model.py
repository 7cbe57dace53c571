"""``ChatModel``: what answering, compare and the benchmarks need from a model that answers.

Anything that answers implements it: the in-process llama.cpp ``Engine`` (``generation.engine``)
and ``OpenAIEngine`` (``generation.openai_engine``), any OpenAI-compatible server. The answer path takes this protocol, never a concrete
engine, so nothing here may be specific to llama.cpp (no tokenize, no native handles, no KV cache).

- ``count_chat_tokens`` counts the very prompt ``stream_chat`` sends, chat template included, so a
  caller can fit passages into ``n_ctx`` (a prompt fits when its count plus max_tokens <= n_ctx).
- ``stream_chat`` yields the answer's text pieces; on cancel it raises ``Cancelled`` after the
  pieces so far; a prompt that leaves no room raises ``ModelError`` (``PromptTooLong``).
- ``complete_json`` returns the answer constrained to JSON matching a schema (llama.cpp's grammar
  in process, ``response_format`` on a server); ModelError when it is not valid JSON (e.g. cut by
  ``max_tokens``), Cancelled on cancel. Greedy (temperature 0).
- ``last_stats`` describes the last ``stream_chat`` (tokens, time to first token, tokens/s).
- ``set_adapters`` applies exactly the given LoRA adapters (strength 0 = left out).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from ragtune.core.answer_types import AdapterSpec, ModelInfo
from ragtune.core.generation.chat_tokens import Message
from ragtune.core.generation.stats import GenerationStats

__all__ = ["ChatModel", "GenerationStats", "Message"]


class ChatModel(Protocol):
    """A loaded chat model that answers (see module docstring). Not thread-safe: one worker thread
    owns it (docs/architecture.md, "Threads")."""

    @property
    def info(self) -> ModelInfo:
        """The model as Ragtune lists it."""
        ...

    @property
    def n_ctx(self) -> int:
        """The context window, in tokens: prompt and answer together."""
        ...

    @property
    def last_stats(self) -> GenerationStats:
        """How the last ``stream_chat`` went."""
        ...

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens of the whole prompt ``stream_chat`` would send for ``messages``."""
        ...

    def set_adapters(self, specs: Sequence[AdapterSpec]) -> None:
        """Apply exactly ``specs``; on any error nothing changes (AdapterError)."""
        ...

    def stream_chat(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        """Yield the answer's text pieces (Cancelled on cancel, after the pieces so far)."""
        ...

    def complete_json(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        max_tokens: int = 256,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """The model's answer constrained to JSON matching ``schema`` (ModelError when it is not
        valid JSON, Cancelled on cancel)."""
        ...

    def close(self) -> None:
        """Free what the model holds. Idempotent."""
        ...
