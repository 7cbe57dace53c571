"""The model half of the service API: models, adapters, answers, comparisons, chats and history.

Everything that touches the model (a ``ChatModel``, here the in-process ``Engine``) runs on the
caller's thread, which must be the one model lane (a llama.cpp context is not thread-safe); the GUI
guarantees that, the CLI is single-threaded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ragtune.core import compare as compare_mod
from ragtune.core.answer_types import (
    AdapterInfo,
    AdapterSpec,
    Answer,
    ChatInfo,
    MessageInfo,
    ModelInfo,
)
from ragtune.core.answering import answer_question
from ragtune.core.embedded import ensure_chat_model, ensure_embedding_model
from ragtune.core.generation import models
from ragtune.core.generation.adapters import validate_adapter
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.generation.engine import Engine
from ragtune.core.history import History, chat_title
from ragtune.core.library_service import LibraryService
from ragtune.core.types import Hit, Progress, ProgressCallback
from ragtune.errors import RagtuneError

log = logging.getLogger(__name__)

CompareCallback = Callable[[str, str, object], None]


class AnswerService(LibraryService):
    """Adds models, answers and history to the library service."""

    _engine: ChatModel | None = None
    _engine_key: tuple[str, int, int] | None = None

    # -- models ---------------------------------------------------------------------------------
    def ensure_models(self, progress: ProgressCallback | None = None) -> None:
        """Assemble and verify the embedded models (only slow the first time)."""
        ensure_embedding_model(progress)
        ensure_chat_model(progress)

    def models(self) -> list[ModelInfo]:
        return models.list_models()

    def add_model(self, path: str | Path) -> ModelInfo:
        return models.add_model(Path(path))

    def current_model(self) -> ModelInfo:
        if self._engine is not None:
            return self._engine.info
        wanted = self.settings.chat_model
        for info in models.list_models():
            if (not wanted and info.embedded) or wanted in (info.name, info.path):
                return info
        return models.inspect_gguf(models.resolve_model(wanted))

    def load_model(
        self, name_or_path: str | None = None, progress: ProgressCallback | None = None
    ) -> ModelInfo:
        """Load (or switch to) a chat model; returns its description."""
        if name_or_path is not None and name_or_path != self.settings.chat_model:
            self.settings = replace(self.settings, chat_model=name_or_path)
            self._drop_engine()
        return self._get_engine(progress).info

    def _get_engine(self, progress: ProgressCallback | None = None) -> ChatModel:
        path = models.resolve_model(self.settings.chat_model or None)
        key = (str(path), self.settings.context_size, self.settings.threads)
        if self._engine is None or self._engine_key != key:
            self._drop_engine()
            if progress is not None:
                progress(Progress("loading", 0, 1, current=f"Loading {path.name}"))
            self._engine = Engine(path, n_ctx=key[1], n_threads=key[2])
            self._engine_key = key
            if progress is not None:
                progress(Progress("loading", 1, 1, current=f"Loaded {path.name}"))
        return self._engine

    def _drop_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self._engine = None
        self._engine_key = None

    def check_adapter(self, path: str | Path) -> AdapterInfo:
        """Validate an adapter against the current model (raises AdapterError with the reason)."""
        model_path = models.resolve_model(self.settings.chat_model or None)
        return validate_adapter(Path(path), model_path)

    # -- answers --------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        library: str | None = None,
        rag: bool = True,
        adapters: Sequence[AdapterSpec] = (),
        on_sources: Callable[[list[Hit]], None] | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        chat_id: int | None = None,
    ) -> Answer:
        question = question.strip()
        if not question:
            raise RagtuneError("Type a question first.")
        started = time.monotonic()
        hits = self._retrieve(question, library, rag)
        first_source: list[float] = []

        def sources_seen(passages: list[Hit]) -> None:
            first_source.append(time.monotonic() - started)
            if on_sources is not None:
                on_sources(passages)

        engine = self._get_engine()
        answer = answer_question(
            engine,
            question,
            hits,
            self.settings,
            adapters=list(adapters),
            on_sources=sources_seen,
            on_token=on_token,
            cancel=cancel,
            model_name=engine.info.name,
        )
        if first_source:
            answer.timings = replace(answer.timings, time_to_first_source_s=first_source[0])
        self._record(question, library, rag, [answer], chat_id)
        return answer

    def compare(
        self,
        question: str,
        library: str | None,
        adapters: Sequence[AdapterSpec] = (),
        on_event: CompareCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Answer]:
        """Model alone, RAG, adapter and RAG + adapter (those that apply) on one question."""
        question = question.strip()
        if not question:
            raise RagtuneError("Type a question first.")
        hits = self._retrieve(question, library, library is not None)
        engine = self._get_engine()
        answers = compare_mod.compare(
            engine, question, hits, self.settings, list(adapters), on_event=on_event, cancel=cancel
        )
        self._record(question, library, True, answers, None, title_prefix="Compare: ")
        return answers

    def _retrieve(self, question: str, library: str | None, rag: bool) -> list[Hit] | None:
        if not rag:
            return None
        if library is None:
            raise RagtuneError("Choose a library to ask, or turn RAG off (--no-rag).")
        return self.search(library, question, k=self.settings.search_results)

    # -- chats and history -------------------------------------------------------------------------
    def _history(self) -> History:
        return History(self._conn())

    def _record(
        self,
        question: str,
        library: str | None,
        rag: bool,
        answers: list[Answer],
        chat_id: int | None,
        title_prefix: str = "",
    ) -> None:
        history = self._history()
        if chat_id is None:
            lib_id = self.library_id(library) if library else None
            chat_id = history.create_chat(chat_title(question, title_prefix), lib_id, rag).id
        history.add_message(chat_id, "user", question)
        for a in answers:
            history.add_message(
                chat_id,
                "assistant",
                a.text,
                mode=a.mode,
                model=a.model,
                adapters=a.adapters,
                citations=a.citations,
                timings=a.timings,
            )

    def chats(self) -> list[ChatInfo]:
        return self._history().chats()

    def create_chat(self, title: str, library: str | None, rag: bool = True) -> ChatInfo:
        lib_id = self.library_id(library) if library else None
        return self._history().create_chat(title, lib_id, rag)

    def rename_chat(self, chat_id: int, title: str) -> None:
        self._history().rename_chat(chat_id, title)

    def set_chat_rag(self, chat_id: int, rag: bool) -> ChatInfo:
        return self._history().set_rag(chat_id, rag)

    def delete_chat(self, chat_id: int) -> None:
        self._history().delete_chat(chat_id)

    def messages(self, chat_id: int) -> list[MessageInfo]:
        return self._history().messages(chat_id)

    def export_chat(self, chat_id: int) -> str:
        return self._history().export_markdown(chat_id)

    def history(self, library: str | None = None, limit: int = 50) -> list[MessageInfo]:
        lib_id = self.library_id(library) if library else None
        return self._history().recent_answers(lib_id, limit)

    def close(self) -> None:
        self._drop_engine()
        super().close()

