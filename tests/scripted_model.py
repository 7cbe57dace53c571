"""``ScriptedModel``: the one stand-in ``ChatModel`` for unit, integration and GUI tests where the
real model is not what is under test (the real one is in tests/e2e, tests/integration and the GUI
tests that ask for ``real_chat_model``).

It streams a scripted answer a word at a time: by default, with numbered sources in the question, the
first source's first sentence with its marker ``[1]`` (a cited, supported answer), else
``MODEL_ANSWER``; ``answer`` set replaces both. It records what it is asked (``calls``,
``adapter_sets``), applies adapters as the answering path expects (the answer names the adapters
that are on, so switching one changes the next answer), keeps ``last_stats`` like an engine, checks
``cancel`` between pieces, and with ``until_cancelled`` keeps streaming (waiting on the cancel event,
never on a fixed clock) until it is stopped, for tests of Stop. ``factory`` is an ``EngineFactory``:
it reads the GGUF header of the file it is given (a file that is not a model is refused as the
real engine refuses it) and answers with this model.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ragtune.core.answer_types import AdapterSpec, ModelInfo
from ragtune.core.generation.chat_model import ChatModel, GenerationStats, Message
from ragtune.core.generation.gguf_info import read_gguf
from ragtune.core.generation.models import known_name
from ragtune.errors import Cancelled
from ragtune.settings import Settings

MODEL_ANSWER = "A scripted answer from the model alone."
#: the first numbered source of a RAG prompt: "[1] place: text" (core/generation/prompts.py)
FIRST_SOURCE = re.compile(r"^\[1\] [^\n]*?: (?P<text>[^\n]+)$", re.MULTILINE)
#: how long ``until_cancelled`` streams at most without a cancel (a test that forgets to stop)
HOLD_S = 120.0


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence.rstrip(".!?") or "The source says so"


class ScriptedModel:
    """A ``ChatModel`` that answers from a script (see the module docstring)."""

    def __init__(self, answer: str | None = None, info: ModelInfo | None = None, n_ctx: int = 2048) -> None:
        self.answer = answer
        self.info = info or ModelInfo("scripted", "/models/scripted.gguf", 0, "qwen2", n_ctx, "Q8_0")
        self.n_ctx = n_ctx
        self.json_reply: dict[str, Any] | None = None  # None: {"answer": <the scripted answer>}
        self.until_cancelled = False
        self.calls: list[list[Message]] = []  # every prompt, stream_chat and complete_json
        self.adapter_sets: list[list[AdapterSpec]] = []
        self.adapters: list[AdapterSpec] = []
        self.made: list[tuple[Path, Settings]] = []  # what ``factory`` was asked to make
        self.last_stats = GenerationStats()
        self.closed = False

    # -- EngineFactory ---------------------------------------------------------------------------
    def factory(self, path: Path, settings: Settings) -> ChatModel:
        """Answer with this model for ``path`` (its GGUF header read as the engine reads it)."""
        gguf = read_gguf(path)
        listed = known_name(path)
        self.info = ModelInfo(
            name=listed[0] if listed else gguf.name, path=str(path), size=gguf.size,
            architecture=gguf.architecture, context_length=gguf.context_length,
            quantization=gguf.quantization, embedded=bool(listed and listed[1]), runs_on="CPU",
        )
        self.n_ctx = settings.context_size
        self.made.append((path, settings))
        self.closed = False
        return self

    # -- ChatModel --------------------------------------------------------------------------------
    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        return sum(len(m["content"].split()) + 4 for m in messages)

    def set_adapters(self, specs: Sequence[AdapterSpec]) -> None:
        self.adapter_sets.append(list(specs))
        self.adapters = list(specs)

    def reply(self, messages: Sequence[Message]) -> str:
        """The answer this prompt gets."""
        if self.answer is not None:
            text = self.answer
        else:
            asked = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
            source = FIRST_SOURCE.search(asked)  # the system prompt's example sources are not it
            text = f"{_first_sentence(source['text'])} [1]." if source else MODEL_ANSWER
        on = [f"{Path(a.path).stem} at {a.scale:g}" for a in self.adapters if a.scale]
        return f"{text} (Adapters: {', '.join(on)}.)" if on else text

    def stream_chat(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        self.calls.append(list(messages))
        started = time.monotonic()
        pieces = re.findall(r"\S+\s*", self.reply(messages))[:max_tokens]
        self.last_stats = GenerationStats(prompt_tokens=self.count_chat_tokens(messages))
        sent = 0
        for piece in pieces:
            if cancel is not None and cancel.is_set():
                self._stats(sent, started, "cancelled")
                raise Cancelled("answer stopped")
            sent += 1
            self._stats(sent, started, "")
            yield piece
        if self.until_cancelled:
            stop = cancel or threading.Event()
            while not stop.wait(0.05) and time.monotonic() - started < HOLD_S:
                sent += 1
                yield " …"
            self._stats(sent, started, "cancelled")
            raise Cancelled("answer stopped")
        self._stats(sent, started, "stop")

    def _stats(self, sent: int, started: float, finish: str) -> None:
        total = max(time.monotonic() - started, 1e-6)
        self.last_stats = replace(
            self.last_stats, completion_tokens=sent, ttft_s=min(total, 0.001), total_s=total,
            tokens_per_s=sent / total, finish_reason=finish,
        )

    def complete_json(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        max_tokens: int = 256,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        self.calls.append(list(messages))
        if cancel is not None and cancel.is_set():
            raise Cancelled("stopped")
        return dict(self.json_reply) if self.json_reply is not None else {"answer": self.reply(messages)}

    def close(self) -> None:
        self.closed = True
