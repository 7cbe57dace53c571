"""Compare: the same question through the model alone, RAG, adapter and RAG + adapter.

Runs the modes that apply, one after the other on the one engine, reporting each mode's sources,
tokens and final answer through ``on_event(event)``, one of the frozen ``CompareEvent`` classes
(value types in ``core.answer_types``, so the GUI and CLI need nothing else of this module):
``CompareSources(mode, hits)``, ``CompareToken(mode, text)`` and ``CompareDone(mode, answer)``
(receivers dispatch on the type). Cancel stops the running mode and skips the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from ragtune.core.answer_types import (
    AdapterSpec,
    Answer,
    CompareDone,
    CompareEvent,
    CompareSources,
    CompareToken,
    Mode,
)
from ragtune.core.answering import answer_question, mode_for
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.types import Hit
from ragtune.settings import Settings

EventCallback = Callable[[CompareEvent], None]


def modes_that_apply(rag: bool, adapters: Sequence[AdapterSpec]) -> list[Mode]:
    """The mode ``ask`` would use (``mode_for``) and those that leave out its passages, its
    adapters or both, model alone first."""
    return mode_for(rag, adapters).and_baselines()


def compare(
    engine: ChatModel,
    question: str,
    hits: Sequence[Hit] | None,
    settings: Settings,
    adapters: Sequence[AdapterSpec] = (),
    on_event: EventCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[Answer]:
    answers: list[Answer] = []
    for mode in modes_that_apply(hits is not None, adapters):
        if cancel is not None and cancel.is_set():
            break
        use_adapters = list(adapters) if mode.uses_adapters else []

        def sources(found: list[Hit], mode: Mode = mode) -> None:
            if on_event is not None:
                on_event(CompareSources(mode, found))

        def token(piece: str, mode: Mode = mode) -> None:
            if on_event is not None:
                on_event(CompareToken(mode, piece))

        answer = answer_question(
            engine,
            question,
            hits if mode.uses_rag else None,
            settings,
            adapters=use_adapters,
            on_sources=sources,
            on_token=token,
            cancel=cancel,
            model_name=engine.info.name,
        )
        answers.append(answer)
        if on_event is not None:
            on_event(CompareDone(mode, answer))
        if answer.cancelled:
            break
    return answers
