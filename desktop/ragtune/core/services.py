"""The service API that the CLI and the GUI call. No Qt here.

Thread rules (design.md, "Threads"): index methods run on one writer thread (the GUI's index lane);
model methods (``load_model``, ``ask``, ``compare``, ``check_adapter``) run on one model thread
(the GUI's model lane), because a llama.cpp context is not thread-safe. Read methods (``search``,
``libraries``, ``documents``, ``stats``, ``history``...) open their own connection and may run on
any thread. Long methods take ``progress`` and ``cancel`` and check ``cancel`` between files,
batches and tokens; a cancelled call leaves the library consistent.

CONTRACT (other modules build on it; change it only in step with its callers):

    svc = Ragtune()                                   # paths from RAGTUNE_HOME / platformdirs
    svc.libraries() -> list[LibraryInfo]
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
    svc.compare(question, library, adapters=(), on_event=None, cancel=None) -> list[Answer]
        # modes that apply: model, rag, adapter, rag+adapter; on_event(mode, kind, payload) where
        # kind is "sources" | "token" | "done" and payload a list[Hit] | str | Answer.
    svc.chats() -> list[ChatInfo]; svc.create_chat(title, library, rag=True) -> ChatInfo
    svc.rename_chat(chat_id, title); svc.delete_chat(chat_id); svc.messages(chat_id) -> list[MessageInfo]
    svc.set_chat_rag(chat_id, rag) -> ChatInfo   # the chat's RAG switch, kept in the database only
    svc.history(library=None, limit=50) -> list[MessageInfo]   # assistant messages, newest first
    svc.settings / svc.update_settings(settings) -> bool      # True when a re-index is needed
    svc.close()
"""

from __future__ import annotations

from pathlib import Path

from ragtune import settings as settings_store
from ragtune.core.answer_service import AnswerService
from ragtune.core.embedding import Embedder
from ragtune.settings import Settings


class Ragtune(AnswerService):
    """The one object the CLI and GUI talk to."""

    def __init__(
        self,
        db_path: Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        super().__init__(db_path, settings or settings_store.load(), embedder)

    def update_settings(self, new: Settings) -> bool:
        """Save new settings; True when they change how documents are chunked (re-index needed).
        A changed context size, thread count or model reloads the model on the next answer."""
        needs_reindex = self.settings.needs_reindex(new)
        self.settings = new
        settings_store.save(new)
        return needs_reindex

    def __enter__(self) -> Ragtune:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
