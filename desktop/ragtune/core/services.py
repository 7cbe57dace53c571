"""The service API that the CLI and the GUI call. No Qt here.

Thread rules (docs/architecture.md, "Threads"): index methods run on one writer thread (the GUI's
index lane); model methods (``svc.models.load_model``, ``ask``, ``compare``,
``svc.models.check_adapter``) run on one model thread (the GUI's model lane), because a llama.cpp
context is not thread-safe. Read methods (``search``, ``libraries``, ``documents``, ``stats``,
``history``...) use their thread's own connection and may run on any thread. Long methods take
``progress`` and ``cancel`` and check ``cancel`` between files, batches and tokens; a cancelled
call leaves the library consistent.

Shape: the facade holds the parts and offers only what crosses them. The parts, reached directly:

- ``svc.library`` (``core.library_service.Library``): libraries, sources, indexing, search, doctor,
  the page text the source viewer shows;
- ``svc.models`` (``core.answer_service.Answers``): the catalogue, downloads, the chat model,
  adapters (and the answering that ``ask``/``compare`` drive);
- ``svc.chats`` (``core.chats.Chats``): chats, messages, history;
- ``svc.evaluation`` (``core.evaluate.service.Evaluation``): question sets, generation, the bench;
- ``svc.finetune`` (``core.finetune.service.FineTune``): training sets, training, trained adapters.

None of the first three knows the others; they share one ``Database`` (``core.store.database``:
a connection per thread) and one ``CurrentSettings`` (read, never copied). On the facade:
``ask``/``ask_in_chat``/``compare`` (retrieve from the library, answer with the model, record in a
chat), ``settings``/``update_settings`` and ``close``. ``engine_factory(model_path, settings)``
makes the ``ChatModel`` (default: the in-process llama.cpp ``Engine``; an OpenAI-compatible one
plugs in).

CONTRACT (other modules build on it; change it only in step with its callers):

    svc = Ragtune(db_path=None, settings=None, embedder=None, engine_factory=default_engine,
                  embedder_loader=None)
        # paths from RAGTUNE_HOME / platformdirs; settings loaded from disk when None;
        # embedder: the default embedding model; embedder_loader(model_id): another one a
        # library was switched to (default: the catalogue's, core.embedders.load_by_id)
    svc.library / svc.models / svc.chats / svc.evaluation / svc.finetune   # the parts (above)
    svc.db_path; svc.embedder
    svc.library.embedders.options(library) / .plan(library, model) / .download(model, progress,
        cancel) / .change(library, model, progress, cancel) -> ReembedReport / .languages(library)
        # a library's own embedding model; change re-embeds into new tables, swapped atomically
    svc.ask(question, library=None, rag=True, adapters=(), on_sources=None, on_token=None,
            cancel=None, chat_id=None) -> Answer
        # on_sources(list[Hit]) fires before the first token; on_token(str) per streamed piece:
        # the pieces add up to the final answer text, citation markers included (CitingStream).
        # chat_id: the question and answer are appended to that chat (else to a new history row).
    svc.ask_in_chat(question, chat_id, library, rag=True, adapters=(), on_chat=None, on_model=None,
                    on_sources=None, on_token=None, cancel=None) -> Answer
        # the window's ask: the chat is created or named after the question first (on_chat), the
        # model loaded (on_model progress), then ask(..., chat_id)
    svc.compare(question, library, adapters=(), on_event=None, cancel=None) -> list[Answer]
        # modes that apply: model, rag, adapter, rag+adapter; on_event(event), an answer_types
        # CompareSources(mode, hits) | CompareToken(mode, text) | CompareDone(mode, answer)
    svc.settings / svc.update_settings(settings) -> bool      # True when a re-index is needed
        # assigning svc.settings changes them for this session only
    svc.close()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ragtune import settings as settings_store
from ragtune.core.answer_service import Answers, EngineFactory, default_engine
from ragtune.core.answer_types import AdapterSpec, Answer, ChatInfo, question_problem
from ragtune.core.chats import Chats
from ragtune.core.compare import EventCallback
from ragtune.core.current_settings import CurrentSettings
from ragtune.core.embedding import Embedder
from ragtune.core.evaluate.service import Evaluation
from ragtune.core.finetune.service import FineTune
from ragtune.core.library_service import Library
from ragtune.core.store.database import Database
from ragtune.core.store.faults import translate_errors
from ragtune.core.types import Hit, ProgressCallback
from ragtune.settings import Settings


@translate_errors  # SQLite's damaged-file, disk-full and read-only errors, in plain words
class Ragtune:
    """The one object the CLI and GUI talk to (see the module docstring)."""

    def __init__(
        self,
        db_path: Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        engine_factory: EngineFactory = default_engine,
        embedder_loader: Callable[[str], Embedder] | None = None,
    ) -> None:
        self._current = CurrentSettings(settings or settings_store.load())
        self.database = Database(db_path)
        self.library = Library(self.database, self._current, embedder, embedder_loader)
        self.models = Answers(self._current, engine_factory)
        self.chats = Chats(self.database, self.library.library_id)
        self.evaluation = Evaluation(self.database, self.library, self.models)
        self.finetune = FineTune(self.library, self.models, evaluation=self.evaluation)

    # -- settings and plumbing ------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._current.value

    @settings.setter
    def settings(self, new: Settings) -> None:  # for this session; update_settings saves
        self._current.value = new

    def update_settings(self, new: Settings) -> bool:
        """Save new settings; True when they change how documents are chunked (re-index needed).
        A changed context size, thread count or model reloads the model on the next answer."""
        needs_reindex = self.settings.needs_reindex(new)
        self.settings = new
        settings_store.save(new)
        return needs_reindex

    @property
    def db_path(self) -> Path:
        return self.database.db_path

    @property
    def embedder(self) -> Embedder:
        return self.library.embedder

    def close(self) -> None:
        self.models.close()
        self.library.close()
        self.database.close()

    def __enter__(self) -> Ragtune:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answers (library -> models -> chats) -----------------------------------------------------
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
        started = time.monotonic()
        question, hits = self._retrieve(question, library, rag)
        answer = self.models.ask(question, hits, adapters, on_sources, on_token, cancel, started)
        answer.history_error = self.chats.record(question, library, rag, [answer], chat_id)
        return answer

    def ask_in_chat(
        self,
        question: str,
        chat_id: int | None,
        library: str | None,
        rag: bool = True,
        adapters: Sequence[AdapterSpec] = (),
        on_chat: Callable[[ChatInfo], None] | None = None,
        on_model: ProgressCallback | None = None,
        on_sources: Callable[[list[Hit]], None] | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Answer:
        """Ask in a chat, as the window does: the chat is made first (a new one named after the
        question when ``chat_id`` is None; an untitled one named after it) and ``on_chat`` told,
        so it is listed before the answer comes; then the model is loaded if needed (``on_model``)
        and the question asked and recorded in that chat (:meth:`ask`)."""
        problem = question_problem(question, library, rag)
        if problem is not None:
            raise problem
        chat, changed = self.chats.open_for(question, chat_id, library, rag)
        if changed and on_chat is not None:
            on_chat(chat)
        self.models.load_model(progress=on_model)
        return self.ask(question, library, rag, adapters, on_sources, on_token, cancel, chat.id)

    def compare(
        self,
        question: str,
        library: str | None,
        adapters: Sequence[AdapterSpec] = (),
        on_event: EventCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Answer]:
        question, hits = self._retrieve(question, library, library is not None)
        answers = self.models.compare(question, hits, adapters, on_event, cancel)
        not_saved = self.chats.record(question, library, True, answers, None, title_prefix="Compare: ")
        for a in answers:
            a.history_error = not_saved
        return answers

    def _retrieve(self, question: str, library: str | None, rag: bool) -> tuple[str, list[Hit] | None]:
        problem = question_problem(question, library, rag)
        if problem is not None:
            raise problem
        question = question.strip()
        if not rag or library is None:
            return question, None
        return question, self.library.passages_for(library, question, self.settings.search_results)
