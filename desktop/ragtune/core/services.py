"""The service API that the CLI and the GUI call. No Qt here.

Thread rules (docs/architecture.md, "Threads"): index methods run on one writer thread (the GUI's index lane);
model methods (``load_model``, ``ask``, ``compare``, ``check_adapter``) run on one model thread
(the GUI's model lane), because a llama.cpp context is not thread-safe. Read methods (``search``,
``libraries``, ``documents``, ``stats``, ``history``...) open their own connection and may run on
any thread. Long methods take ``progress`` and ``cancel`` and check ``cancel`` between files,
batches and tokens; a cancelled call leaves the library consistent.

Shape: a facade over three parts that do not know each other (``svc.parts``): ``Library``
(core.library_service: libraries, indexing, search), ``Answers`` (core.answer_service: models,
adapters, answering, compare), ``Chats`` (core.chats: history). ``ask``/``compare`` retrieve, answer
and record; the facade owns ``settings``. ``engine_factory(model_path, settings)`` makes the
``ChatModel`` (default: the in-process llama.cpp ``Engine``; an OpenAI-compatible one plugs in).

CONTRACT (other modules build on it; change it only in step with its callers):

    svc = Ragtune(db_path=None, settings=None, embedder=None, engine_factory=default_engine)
        # paths from RAGTUNE_HOME / platformdirs; settings loaded from disk when None
    svc.parts.library / .answers / .chats; svc.db_path; svc.embedder  # for tests and tools
    svc.libraries() -> list[LibraryInfo]
    svc.default_library() -> str                      # the one used when none is named
    svc.create_library(name) -> LibraryInfo           # idempotent
    svc.rename_library(old, new) / svc.delete_library(name)
    svc.documents(library) -> list[DocumentInfo]
    svc.stats(library) -> LibraryStats
    svc.index(library, paths=(), progress=None, cancel=None) -> IndexReport
        # adds ``paths`` as sources (creating the library), then brings all its sources up to date;
        # a path that does not exist raises SourceNotFound (nothing registered); naming an excluded
        # path lifts its exclusion; one run per library at a time, across processes (others wait)
    svc.remove(library, path) -> int                  # removes a source, or excludes a file/folder
        # inside one so re-scans skip it; returns docs removed; LibraryBusy while another run indexes
    svc.exclusions(library) -> list[str]              # paths removed from inside sources
    svc.doctor() -> DoctorReport
    svc.search(library, query, k=10) -> list[Hit]
    svc.search_many(library, queries, k=10) -> list[list[Hit]]
    svc.ensure_models(progress=None) -> None          # assemble + verify embedded models (first start)
    svc.models() -> list[ModelInfo]; svc.add_model(path) -> ModelInfo
    svc.current_model() -> ModelInfo                  # the one ask() uses (does not load it)
    svc.load_model(name_or_path=None, progress=None) -> ModelInfo
    svc.check_adapter(path) -> AdapterInfo            # raises AdapterError with the reason
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
    svc.chats() -> list[ChatInfo]; svc.create_chat(title, library, rag=True) -> ChatInfo
    svc.rename_chat(chat_id, title); svc.delete_chat(chat_id); svc.messages(chat_id) -> list[MessageInfo]
    svc.set_chat_rag(chat_id, rag) -> ChatInfo   # the chat's RAG switch, kept in the database only
    svc.export_chat(chat_id) -> str                   # the chat as Markdown
    svc.history(library=None, limit=50) -> list[MessageInfo]   # assistant messages, newest first
    svc.page_text(path, page) -> str                  # a page as indexed (the source viewer)
    svc.settings / svc.update_settings(settings) -> bool      # True when a re-index is needed
        # assigning svc.settings changes them for this session only
    svc.evaluation -> Evaluation   # question sets, generation, bench runs (core.evaluate.service)
    svc.finetune -> FineTune       # training sets, adapters trained here (core.finetune.service)
    svc.close()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ragtune import settings as settings_store
from ragtune.core.answer_service import Answers, EngineFactory, default_engine
from ragtune.core.answer_types import (
    AdapterInfo,
    AdapterSpec,
    Answer,
    ChatInfo,
    MessageInfo,
    ModelInfo,
    question_problem,
)
from ragtune.core.catalogue import (
    CatalogueEntry,
    Fit,
    assess,
    chat_models,
    embedding_models,
    find_entry,
)
from ragtune.core.chats import Chats
from ragtune.core.compare import EventCallback
from ragtune.core.downloads import install_model
from ragtune.core.embedding import Embedder
from ragtune.core.evaluate.service import Evaluation
from ragtune.core.finetune.service import FineTune
from ragtune.core.library_service import Library
from ragtune.core.machine import Machine, this_machine
from ragtune.core.store.doctor import DoctorReport
from ragtune.core.store.faults import translate_errors
from ragtune.core.types import (
    DocumentInfo,
    Hit,
    IndexReport,
    LibraryInfo,
    LibraryStats,
    ProgressCallback,
    WordBox,
)
from ragtune.settings import Settings


@dataclass(frozen=True)
class Parts:
    """What the facade holds; none of them knows the others."""

    library: Library
    answers: Answers
    chats: Chats
    evaluation: Evaluation  # uses library and answers
    finetune: FineTune  # uses library and answers


@translate_errors  # SQLite's damaged-file, disk-full and read-only errors, in plain words
class Ragtune:
    """The one object the CLI and GUI talk to (see the module docstring)."""

    def __init__(
        self,
        db_path: Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        engine_factory: EngineFactory = default_engine,
    ) -> None:
        self._settings = settings or settings_store.load()
        library = Library(db_path, self._settings, embedder)
        answers = Answers(self._settings, engine_factory)
        evaluation = Evaluation(library, answers)
        self.parts = Parts(
            library=library,
            answers=answers,
            chats=Chats(library.connection, library.library_id),
            evaluation=evaluation,
            finetune=FineTune(library, answers, evaluation=evaluation),
        )

    # -- settings and plumbing ------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, new: Settings) -> None:  # for this session; update_settings saves
        self._settings = new
        self.parts.library.settings = new
        self.parts.answers.settings = new

    def update_settings(self, new: Settings) -> bool:
        """Save new settings; True when they change how documents are chunked (re-index needed).
        A changed context size, thread count or model reloads the model on the next answer."""
        needs_reindex = self.settings.needs_reindex(new)
        self.settings = new
        settings_store.save(new)
        return needs_reindex

    @property
    def evaluation(self) -> Evaluation:
        return self.parts.evaluation

    @property
    def finetune(self) -> FineTune:
        return self.parts.finetune

    @property
    def db_path(self) -> Path:
        return self.parts.library.db_path

    @property
    def embedder(self) -> Embedder:
        return self.parts.library.embedder

    def read_only_note(self) -> str:
        """A note for a person when the library database was opened read-only; "" otherwise."""
        return self.parts.library.read_only_note()

    def close(self) -> None:
        self.parts.answers.close()
        self.parts.library.close()

    def __enter__(self) -> Ragtune:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- library (Library) ----------------------------------------------------------------------
    def libraries(self) -> list[LibraryInfo]:
        return self.parts.library.libraries()

    def default_library(self) -> str:
        return self.parts.library.default_library()

    def create_library(self, name: str) -> LibraryInfo:
        return self.parts.library.create_library(name)

    def rename_library(self, old: str, new: str) -> None:
        self.parts.library.rename_library(old, new)

    def delete_library(self, name: str) -> None:
        self.parts.library.delete_library(name)

    def documents(self, library: str) -> list[DocumentInfo]:
        return self.parts.library.documents(library)

    def stats(self, library: str) -> LibraryStats:
        return self.parts.library.stats(library)

    def exclusions(self, library: str) -> list[str]:
        return self.parts.library.exclusions(library)

    def index(
        self,
        library: str,
        paths_: Sequence[str | Path] = (),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        force: bool = False,
    ) -> IndexReport:
        return self.parts.library.index(library, paths_, progress, cancel, force=force)

    def remove(self, library: str, path: str | Path) -> int:
        return self.parts.library.remove(library, path)

    def doctor(self) -> DoctorReport:
        return self.parts.library.doctor()

    def search(self, library: str, query: str, k: int = 10) -> list[Hit]:
        return self.parts.library.search(library, query, k)

    def search_many(self, library: str, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
        return self.parts.library.search_many(library, queries, k)

    def page_text(self, path: str, page: int) -> str:
        return self.parts.library.page_text(path, page)

    def ocr_words(self, path: str, page: int) -> list[WordBox] | None:
        return self.parts.library.ocr_words(path, page)

    # -- models (Answers) -----------------------------------------------------------------------
    def ensure_models(self, progress: ProgressCallback | None = None) -> None:
        self.parts.answers.ensure_models(progress)

    def models(self) -> list[ModelInfo]:
        return self.parts.answers.models()

    def add_model(self, path: str | Path) -> ModelInfo:
        return self.parts.answers.add_model(path)

    def current_model(self) -> ModelInfo:
        return self.parts.answers.current_model()

    def catalogue(self) -> list[Fit]:
        """The catalogue's chat models and how each fits this machine (one recommended)."""
        return assess(chat_models(), this_machine())

    def embedding_catalogue(self) -> list[CatalogueEntry]:
        """The embedding models the catalogue lists, with their measured quality and speed."""
        return embedding_models()

    def machine(self) -> Machine:
        """This machine: memory, CPU threads and the devices llama.cpp can run a model on."""
        return this_machine()

    def download_model(
        self, name: str, progress: ProgressCallback | None = None, cancel: threading.Event | None = None
    ) -> ModelInfo:
        """Download a catalogue model (resuming a partial download), verify and list it."""
        return install_model(find_entry(name), progress, cancel)

    def load_model(
        self, name_or_path: str | None = None, progress: ProgressCallback | None = None
    ) -> ModelInfo:
        """Load (or switch to) a chat model; returns its description. Switching changes
        ``settings.chat_model`` for this session (``update_settings`` saves it)."""
        if name_or_path is not None and name_or_path != self.settings.chat_model:
            self.settings = replace(self.settings, chat_model=name_or_path)
            self.parts.answers.drop_engine()
        return self.parts.answers.load_model(progress)

    def check_adapter(self, path: str | Path) -> AdapterInfo:
        return self.parts.answers.check_adapter(path)

    # -- answers (Library -> Answers -> Chats) ----------------------------------------------------
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
        answers = self.parts.answers
        answer = answers.ask(question, hits, adapters, on_sources, on_token, cancel, started)
        answer.history_error = self.parts.chats.record(question, library, rag, [answer], chat_id)
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
        chat, changed = self.parts.chats.open_for(question, chat_id, library, rag)
        if changed and on_chat is not None:
            on_chat(chat)
        self.load_model(progress=on_model)
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
        answers = self.parts.answers.compare(question, hits, adapters, on_event, cancel)
        not_saved = self.parts.chats.record(question, library, True, answers, None, title_prefix="Compare: ")
        for a in answers:
            a.history_error = not_saved
        return answers

    def _retrieve(
        self, question: str, library: str | None, rag: bool
    ) -> tuple[str, list[Hit] | None]:
        problem = question_problem(question, library, rag)
        if problem is not None:
            raise problem
        question = question.strip()
        if not rag or library is None:
            return question, None
        return question, self.parts.library.search(library, question, self.settings.search_results)

    # -- chats and history (Chats) ----------------------------------------------------------------
    def chats(self) -> list[ChatInfo]:
        return self.parts.chats.chats()

    def create_chat(self, title: str, library: str | None, rag: bool = True) -> ChatInfo:
        return self.parts.chats.create_chat(title, library, rag)

    def rename_chat(self, chat_id: int, title: str) -> None:
        self.parts.chats.rename_chat(chat_id, title)

    def set_chat_rag(self, chat_id: int, rag: bool) -> ChatInfo:
        return self.parts.chats.set_chat_rag(chat_id, rag)

    def delete_chat(self, chat_id: int) -> None:
        self.parts.chats.delete_chat(chat_id)

    def messages(self, chat_id: int) -> list[MessageInfo]:
        return self.parts.chats.messages(chat_id)

    def export_chat(self, chat_id: int) -> str:
        return self.parts.chats.export_chat(chat_id)

    def history(self, library: str | None = None, limit: int = 50) -> list[MessageInfo]:
        return self.parts.chats.history(library, limit)
