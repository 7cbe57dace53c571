"""``Chats``: the history part of the service: chats, their messages, renaming, deleting, a chat's
RAG switch, and recording what was asked and answered.

It reads and writes through ``core.store.history.History`` on the calling thread's own connection of
the session's ``Database``, so it may run on any thread; library names are turned into ids by
``library_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import apsw

from ragtune.core.answer_types import NEW_CHAT_TITLE, Answer, ChatInfo, MessageInfo
from ragtune.core.store.database import Database
from ragtune.core.store.db import transaction
from ragtune.core.store.faults import translate_errors
from ragtune.core.store.history import History, chat_title
from ragtune.errors import RagtuneError

log = logging.getLogger(__name__)


@translate_errors  # SQLite's damaged-file, disk-full and read-only errors, in plain words
class Chats:
    """Chats and messages, stored in the library database (``svc.chats``)."""

    def __init__(self, database: Database, library_id: Callable[[str], int]) -> None:
        self._database = database
        self._library_id = library_id

    @property
    def db_path(self) -> Path:
        return self._database.db_path

    def _history(self) -> History:
        return History(self._database.connection())

    def _lib_id(self, library: str | None) -> int | None:
        return self._library_id(library) if library else None

    def record(
        self,
        question: str,
        library: str | None,
        rag: bool,
        answers: list[Answer],
        chat_id: int | None,
        title_prefix: str = "",
    ) -> str:
        """Append the question and its answers to chat ``chat_id``, or to a new chat named after
        the question (with ``title_prefix``) when it is None, all or nothing. Returns "" when
        saved, else why it could not be (another writer held the database past the busy time-out,
        a full disk): the answer was computed and is still shown, so this is a note, not an error."""
        history = self._history()
        try:
            with transaction(history.conn):
                if chat_id is None:
                    title = chat_title(question, title_prefix)
                    chat_id = history.create_chat(title, self._lib_id(library), rag).id
                history.add_message(chat_id, "user", question)
                for a in answers:
                    a.message_id = history.add_message(
                        chat_id,
                        "assistant",
                        a.text,
                        mode=a.mode,
                        model=a.model,
                        adapters=a.adapters,
                        citations=a.citations,
                        timings=a.timings,
                    )
        except (RagtuneError, apsw.Error) as exc:  # busy past the time-out, disk full, read-only
            for a in answers:
                a.message_id = 0  # rolled back
            log.warning("An answer was not saved to the history: %s", exc)
            return f"This answer was not saved to the history: {exc}"
        return ""

    def list_chats(self) -> list[ChatInfo]:
        return self._history().chats()

    def create_chat(self, title: str, library: str | None, rag: bool = True) -> ChatInfo:
        return self._history().create_chat(title, self._lib_id(library), rag)

    def open_for(
        self, question: str, chat_id: int | None, library: str | None, rag: bool
    ) -> tuple[ChatInfo, bool]:
        """The chat ``question`` goes to, and whether it was just created or named: a new one
        named after the question when ``chat_id`` is None, an untitled one named after it, else
        the chat as it is."""
        history = self._history()
        if chat_id is None:
            return history.create_chat(chat_title(question), self._lib_id(library), rag), True
        chat = history.chat(chat_id)
        if chat.title != NEW_CHAT_TITLE:
            return chat, False
        history.rename_chat(chat_id, chat_title(question))
        return history.chat(chat_id), True

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
        return self._history().recent_answers(self._lib_id(library), limit)
