"""The service facade: ``Ragtune`` holds ``Library``, ``Answers`` and ``Chats`` (none inherits from
another) and makes its chat model with the ``engine_factory`` it was given. The scripted ``ChatModel``
(tests/scripted_model.py) stands in for llama.cpp here (real SQLite and the real embedder; the real model is in tests/e2e)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ragtune.core.answer_service import Answers
from ragtune.core.answer_types import (
    CompareDone,
    CompareEvent,
    CompareSources,
    CompareToken,
    Mode,
)
from ragtune.core.chats import Chats
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.library_service import Library
from ragtune.core.services import Ragtune
from ragtune.settings import Settings
from scripted_model import ScriptedModel


class Factory:
    """An engine factory that records what it was asked to make."""

    def __init__(self) -> None:
        self.made: list[tuple[Path, Settings, ScriptedModel]] = []

    def __call__(self, path: Path, settings: Settings) -> ChatModel:
        model = ScriptedModel("The orchard harvested 312 tonnes of apples.")
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
        svc.library.index("kb", [folder])
        tokens: list[str] = []
        answer = svc.ask("How many tonnes did the orchard harvest?", "kb", on_token=tokens.append)
        assert "312" in answer.text
        assert "".join(tokens) == answer.text
        assert answer.timings.time_to_first_source_s > 0
        assert len(factory.made) == 1
        path, settings, model = factory.made[0]
        assert path == chat_model_path
        assert settings == svc.settings
        assert svc.models.engine is model
        assert svc.models.current_model().name == "scripted"

        chats = svc.chats.list_chats()
        assert len(chats) == 1
        assert chats[0].library == "kb"
        assert [m.role for m in svc.chats.messages(chats[0].id)] == ["user", "assistant"]
        assert svc.chats.history("kb")[0].content == answer.text

        svc.ask("And the apples?", rag=False, chat_id=chats[0].id)
        assert len(factory.made) == 1  # the same model answers again
        assert len(svc.chats.messages(chats[0].id)) == 4

        # a new context size reaches every part and remakes the model on the next answer
        svc.settings = Settings(context_size=1024)
        assert svc.library.settings == svc.models.settings == svc.settings
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
        svc.library.index("kb", [folder])
        answers = svc.compare("How many tonnes did the orchard harvest?", "kb", on_event=events.append)
        chats = svc.chats.list_chats()
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


def test_ask_in_chat_names_the_chat_first_then_answers_in_it(tmp_path: Path, embedder: Any) -> None:
    """The window's ask is one core call: a new chat named after the question (or an untitled one
    named), told before the model is loaded; the answer is recorded in that chat."""
    from ragtune.core.answer_types import NEW_CHAT_TITLE, ChatInfo
    from ragtune.core.types import Progress
    from ragtune.errors import RagtuneError, for_cli

    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text("# Orchard\n\nThe orchard harvested 312 tonnes of apples.\n")
    with Ragtune(settings=Settings(), embedder=embedder, engine_factory=Factory()) as svc:
        svc.library.index("kb", [folder])
        steps: list[str] = []

        def on_chat(chat: ChatInfo) -> None:
            steps.append(f"chat {chat.title}")

        def on_model(p: Progress) -> None:
            steps.append("model")

        answer = svc.ask_in_chat("How many tonnes did the orchard harvest?", None, "kb",
                                 on_chat=on_chat, on_model=on_model)
        assert "312" in answer.text
        assert steps[0] == "chat How many tonnes did the orchard harvest?"
        assert "model" in steps[1:]
        (chat,) = svc.chats.list_chats()
        assert [m.role for m in svc.chats.messages(chat.id)] == ["user", "assistant"]

        untitled = svc.chats.create_chat(NEW_CHAT_TITLE, "kb")
        named: list[ChatInfo] = []
        svc.ask_in_chat("And the apples?", untitled.id, "kb", rag=False, on_chat=named.append)
        assert [c.title for c in named] == ["And the apples?"]
        named.clear()
        svc.ask_in_chat("Again?", untitled.id, "kb", rag=False, on_chat=named.append)
        assert named == []  # a named chat keeps its name
        assert len(svc.chats.messages(untitled.id)) == 4

        # RAG without a library: the same words in the window; the CLI adds its flags
        with pytest.raises(RagtuneError) as refused:
            svc.ask_in_chat("Anything?", None, None, rag=True)
        assert str(refused.value) == "Add documents to a library first, or turn RAG off."
        assert for_cli(refused.value).endswith("(--library NAME, or --no-rag)")
        assert len(svc.chats.list_chats()) == 2  # the refused question made no chat
