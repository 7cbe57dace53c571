"""Chats and their messages: what was asked, what was answered, with which model, adapters and
sources, and how long it took. Stored in the library database (``chats``, ``messages``)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import apsw

from ragtune.core import locations
from ragtune.core.answer_types import NEW_CHAT_TITLE, AdapterSpec, ChatInfo, MessageInfo, Timings
from ragtune.core.answer_types import TITLE_CHARS as TITLE_CHARS  # re-exported
from ragtune.core.answer_types import chat_title as chat_title  # re-exported
from ragtune.core.store.db import transaction
from ragtune.core.types import Citation
from ragtune.errors import RagtuneError

#: how far past the latest chat a new activity is stamped when the clock has not moved past it
ACTIVITY_STEP_S = 0.001
_CHAT_COLUMNS = "c.id, c.title, l.name, c.rag, c.created, c.updated"
_CHAT_FROM = "chats c LEFT JOIN libraries l ON l.id = c.library_id"
MESSAGE_COLUMNS = (
    "id, chat_id, role, content, mode, model, adapters_json, citations_json, timings_json, created"
)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` has (rows written by another version may carry more or fewer)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _chat(row: Sequence[Any]) -> ChatInfo:
    return ChatInfo(
        id=int(row[0]),
        title=str(row[1]),
        library=None if row[2] is None else str(row[2]),
        rag=bool(row[3]),
        created=float(row[4]),
        updated=float(row[5]),
    )


def message_from_row(row: Sequence[Any]) -> MessageInfo:
    adapters = [AdapterSpec(**_known(AdapterSpec, a)) for a in json.loads(row[6] or "[]")]
    citations = [Citation(**_known(Citation, c)) for c in json.loads(row[7] or "[]")]
    timings = Timings(**_known(Timings, json.loads(row[8] or "{}")))
    return MessageInfo(
        id=int(row[0]),
        chat_id=int(row[1]),
        role=str(row[2]),
        content=str(row[3]),
        mode=str(row[4]),
        model=str(row[5]),
        adapters=adapters,
        citations=citations,
        timings=timings,
        created=float(row[9]),
    )


class History:
    """Chats and messages on one connection."""

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn

    def _activity_stamp(self, now: float, chat_id: int | None = None) -> float:
        """``now``, or just after the latest other chat's ``updated`` when the clock has not moved
        past it (two events in one clock tick, a clock set back): the chat with the latest
        activity is always first, whatever the clock's resolution."""
        row: Any = self.conn.execute(
            "SELECT max(updated) FROM chats WHERE id IS NOT ?", (chat_id,)
        ).fetchone()
        latest = row[0] if row is not None else None
        return now if latest is None or now > latest else float(latest) + ACTIVITY_STEP_S

    def create_chat(self, title: str, library_id: int | None, rag: bool = True) -> ChatInfo:
        now = time.time()
        with transaction(self.conn):
            row: Any = self.conn.execute(
                "INSERT INTO chats (title, library_id, rag, created, updated) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                (title.strip() or NEW_CHAT_TITLE, library_id, int(rag), now, self._activity_stamp(now)),
            ).fetchone()
        return self.chat(int(row[0]))

    def chat(self, chat_id: int) -> ChatInfo:
        row: Any = self.conn.execute(
            f"SELECT {_CHAT_COLUMNS} FROM {_CHAT_FROM} WHERE c.id = ?", (chat_id,)
        ).fetchone()
        if row is None:
            raise RagtuneError(f"No chat with id {chat_id}: it was deleted.", cli_hint="ragtune history lists chats")
        return _chat(row)

    def chats(self) -> list[ChatInfo]:
        """Every chat, the most recently active first."""
        rows: Any = self.conn.execute(
            f"SELECT {_CHAT_COLUMNS} FROM {_CHAT_FROM} ORDER BY c.updated DESC, c.id DESC"
        )
        return [_chat(r) for r in rows]

    def rename_chat(self, chat_id: int, title: str) -> None:
        self.chat(chat_id)
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE chats SET title = ? WHERE id = ?", (title.strip() or NEW_CHAT_TITLE, chat_id)
            )

    def set_rag(self, chat_id: int, rag: bool) -> ChatInfo:
        """Turn the chat's use of the library on or off (the one place it is kept)."""
        self.chat(chat_id)
        with transaction(self.conn):
            self.conn.execute("UPDATE chats SET rag = ? WHERE id = ?", (int(rag), chat_id))
        return self.chat(chat_id)

    def delete_chat(self, chat_id: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM chats WHERE id = ?", (chat_id,))  # messages cascade

    def add_message(
        self,
        chat_id: int,
        role: str,
        content: str,
        mode: str = "",
        model: str = "",
        adapters: Sequence[AdapterSpec] = (),
        citations: Sequence[Citation] = (),
        timings: Timings | None = None,
    ) -> int:
        self.chat(chat_id)
        now = time.time()
        with transaction(self.conn):
            row: Any = self.conn.execute(
                f"INSERT INTO messages ({MESSAGE_COLUMNS.replace('id, ', '', 1)}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    chat_id,
                    role,
                    content,
                    mode,
                    model,
                    json.dumps([asdict(a) for a in adapters]),
                    json.dumps([asdict(c) for c in citations]),
                    json.dumps(asdict(timings or Timings())),
                    now,
                ),
            ).fetchone()
            self.conn.execute(
                "UPDATE chats SET updated = ? WHERE id = ?", (self._activity_stamp(now, chat_id), chat_id)
            )
        return int(row[0])

    def message(self, message_id: int) -> MessageInfo:
        row: Any = self.conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise RagtuneError(f"No message with id {message_id} (deleted with its chat, or never saved).",
                               cli_hint="ragtune history --show CHAT_ID lists a chat's answers")
        return message_from_row(row)

    def question_before(self, message: MessageInfo) -> str:
        """The question ``message`` (an answer) replied to: its chat's last question before it."""
        row: Any = self.conn.execute(
            "SELECT content FROM messages WHERE chat_id = ? AND role = 'user' AND id < ? ORDER BY id DESC LIMIT 1",
            (message.chat_id, message.id),
        ).fetchone()
        return "" if row is None else str(row[0])

    def messages(self, chat_id: int) -> list[MessageInfo]:
        self.chat(chat_id)
        rows: Any = self.conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [message_from_row(r) for r in rows]

    def recent_answers(self, library_id: int | None = None, limit: int = 50) -> list[MessageInfo]:
        """Assistant messages, newest first; only those of chats on ``library_id`` when given."""
        columns = ", ".join("m." + c for c in MESSAGE_COLUMNS.split(", "))
        sql = f"SELECT {columns} FROM messages m JOIN chats c ON c.id = m.chat_id WHERE m.role = 'assistant'"
        params: list[Any] = []
        if library_id is not None:
            sql += " AND c.library_id = ?"
            params.append(library_id)
        sql += " ORDER BY m.created DESC, m.id DESC LIMIT ?"
        params.append(max(limit, 0))
        return [message_from_row(r) for r in self.conn.execute(sql, params)]

    def export_markdown(self, chat_id: int) -> str:
        """The chat as Markdown: title, each question and answer, the answer's sources."""
        chat = self.chat(chat_id)
        lines = [f"# {chat.title}", ""]
        if chat.library:
            lines += [f"Library: {chat.library}", ""]
        for m in self.messages(chat_id):
            if m.role == "user":
                lines += [f"## Q: {m.content}", ""]
                continue
            label = f"**Answer** ({m.mode}, {m.model})" if m.mode or m.model else "**Answer**"
            lines += [label, "", m.content, ""]
            if m.adapters:
                used = ", ".join(f"{Path(a.path).name} x{a.scale:g}" for a in m.adapters)
                lines += [f"Adapters: {used}", ""]
            if m.citations:
                lines += ["Sources:", ""]
                for c in m.citations:
                    lines.append(f"- [{c.n}] {locations.place(c.path, c.page)}")
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"
