"""The service facade: ``Ragtune`` holds ``Library``, ``Answers`` and ``Chats`` (none inherits from
another) and makes its chat model with the ``engine_factory`` it was given. A fake ``ChatModel``
stands in for llama.cpp here (real SQLite and the real embedder; the real model is in tests/e2e)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ragtune.core.answer_service import Answers
from ragtune.core.answer_types import (
    AdapterSpec,
    CompareDone,
    CompareEvent,
    CompareSources,
    CompareToken,
    Mode,
    ModelInfo,
)
from ragtune.core.chats import Chats
from ragtune.core.generation.chat_model import ChatModel, GenerationStats, Message
from ragtune.core.library_service import Library
from ragtune.core.services import Ragtune
from ragtune.settings import Settings


class FakeModel:
    """A ``ChatModel`` that streams a fixed reply."""

    n_ctx = 2048
    info = ModelInfo("fake", "/models/fake.gguf", 0, "qwen2", 2048, "Q8_0")

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.closed = False
        self.last_stats = GenerationStats(prompt_tokens=50, completion_tokens=5, ttft_s=0.1)

    def count_chat_tokens(self, messages: Sequence[Message]) -> int:
        return sum(len(m["content"].split()) for m in messages)

    def set_adapters(self, specs: Sequence[AdapterSpec]) -> None:
        pass

    def stream_chat(
        self,
        messages: Sequence[Message],
        max_tokens: int = 256,
        temperature: float = 0.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[str]:
        yield from re.findall(r"\S+\s*", self.reply)

    def complete_json(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        max_tokens: int = 256,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        return {"answer": self.reply}

    def close(self) -> None:
        self.closed = True


class Factory:
    """An engine factory that records what it was asked to make."""

    def __init__(self) -> None:
        self.made: list[tuple[Path, Settings, FakeModel]] = []

    def __call__(self, path: Path, settings: Settings) -> ChatModel:
        model = FakeModel("The orchard harvested 312 tonnes of apples.")
        self.made.append((path, settings, model))
        return model


def test_parts_are_separate_classes() -> None:
    for part in (Library, Answers, Chats):
        assert part.__mro__ == (part, object)
    assert Ragtune.__mro__ == (Ragtune, object)


def test_facade_answers_through_the_factory_and_records(
    tmp_path: Path, embedder: Any, chat_model_path: Path
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text("# Orchard\n\nThe orchard harvested 312 tonnes of apples.\n")
    factory = Factory()
    with Ragtune(settings=Settings(), embedder=embedder, engine_factory=factory) as svc:
        svc.index("kb", [folder])
        tokens: list[str] = []
        answer = svc.ask("How many tonnes did the orchard harvest?", "kb", on_token=tokens.append)
        assert "312" in answer.text
        assert "".join(tokens) == answer.text
        assert answer.timings.time_to_first_source_s > 0
        assert len(factory.made) == 1
        path, settings, model = factory.made[0]
        assert path == chat_model_path
        assert settings == svc.settings
        assert svc.parts.answers.engine is model
        assert svc.current_model().name == "fake"

        chats = svc.chats()
        assert len(chats) == 1
        assert chats[0].library == "kb"
        assert [m.role for m in svc.messages(chats[0].id)] == ["user", "assistant"]
        assert svc.history("kb")[0].content == answer.text

        svc.ask("And the apples?", rag=False, chat_id=chats[0].id)
        assert len(factory.made) == 1  # the same model answers again
        assert len(svc.messages(chats[0].id)) == 4

        # a new context size reaches every part and remakes the model on the next answer
        svc.settings = Settings(context_size=1024)
        assert svc.parts.library.settings == svc.parts.answers.settings == svc.settings
        svc.ask("Anything?", rag=False)
        assert len(factory.made) == 2
        assert factory.made[0][2].closed
        assert factory.made[1][1].context_size == 1024
    assert factory.made[1][2].closed  # close() frees the model


def test_compare_reports_typed_events_per_mode(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text("# Orchard\n\nThe orchard harvested 312 tonnes of apples.\n")
    events: list[CompareEvent] = []
    with Ragtune(settings=Settings(), embedder=embedder, engine_factory=Factory()) as svc:
        svc.index("kb", [folder])
        answers = svc.compare("How many tonnes did the orchard harvest?", "kb", on_event=events.append)
        chats = svc.chats()
    assert [a.mode for a in answers] == [Mode.MODEL, Mode.RAG]
    assert len(chats) == 1
    assert chats[0].title.startswith("Compare: ")
    for answer in answers:
        mine = [e for e in events if e.mode == answer.mode]
        assert isinstance(mine[0], CompareSources)
        assert isinstance(mine[-1], CompareDone)
        assert mine[-1].answer is answer
        tokens = [e.text for e in mine if isinstance(e, CompareToken)]
        assert "".join(tokens) == answer.text
    sources = [e for e in events if isinstance(e, CompareSources)]
    assert sources[0].hits == []
    assert sources[1].hits
