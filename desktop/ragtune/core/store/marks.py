"""A person's marks on answers: right or wrong, and for a wrong one the right answer and where it
is (issue 20, "Questions from use"). One row per marked answer message (``marks``, schema 8 in
``migrations``), removed with its message; every SQL statement about marks is here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import apsw

from ragtune.core.answer_types import MessageInfo
from ragtune.core.marks import Mark, Verdict
from ragtune.core.store.db import transaction
from ragtune.core.store.history import MESSAGE_COLUMNS, message_from_row

_COLUMNS = "message_id, verdict, answer, gold_file, gold_page, absent, updated"


def _mark(row: Sequence[Any]) -> Mark:
    return Mark(
        message_id=int(row[0]), verdict=Verdict(str(row[1])), answer=str(row[2]), gold_file=str(row[3]),
        gold_page=int(row[4]), absent=bool(row[5]), updated=float(row[6]),
    )


def set_mark(conn: apsw.Connection, mark: Mark) -> Mark:
    """Store ``mark`` (replacing the message's earlier one); returns it as stored."""
    now = time.time()
    with transaction(conn):
        conn.execute(
            "INSERT INTO marks (message_id, verdict, answer, gold_file, gold_page, absent, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET verdict = excluded.verdict, "
            "answer = excluded.answer, gold_file = excluded.gold_file, gold_page = excluded.gold_page, "
            "absent = excluded.absent, updated = excluded.updated",
            (mark.message_id, mark.verdict.value, mark.answer, mark.gold_file, mark.gold_page,
             int(mark.absent), now, now),
        )
    found = mark_of(conn, mark.message_id)
    assert found is not None
    return found


def remove_mark(conn: apsw.Connection, message_id: int) -> bool:
    """Remove the message's mark; whether there was one."""
    with transaction(conn):
        had = mark_of(conn, message_id) is not None
        conn.execute("DELETE FROM marks WHERE message_id = ?", (message_id,))
    return had


def mark_of(conn: apsw.Connection, message_id: int) -> Mark | None:
    row: Any = conn.execute(f"SELECT {_COLUMNS} FROM marks WHERE message_id = ?", (message_id,)).fetchone()
    return None if row is None else _mark(row)


def marks_of(conn: apsw.Connection, message_ids: Sequence[int]) -> dict[int, Mark]:
    """The marks of ``message_ids`` that have one."""
    if not message_ids:
        return {}
    holes = ", ".join("?" for _ in message_ids)
    rows: Any = conn.execute(f"SELECT {_COLUMNS} FROM marks WHERE message_id IN ({holes})", list(message_ids))
    return {int(r[0]): _mark(r) for r in rows}


def marked_in_library(conn: apsw.Connection, library_id: int) -> list[tuple[Mark, str, MessageInfo]]:
    """The marks on answers of chats on ``library_id``, oldest first, each with the question its
    answer replied to (the chat's last question before it) and the answer."""
    mark_columns = ", ".join("k." + c for c in _COLUMNS.split(", "))
    message_columns = ", ".join("m." + c for c in MESSAGE_COLUMNS.split(", "))
    rows: Any = conn.execute(
        f"SELECT {mark_columns}, {message_columns}, "
        "(SELECT q.content FROM messages q WHERE q.chat_id = m.chat_id AND q.role = 'user' AND q.id < m.id "
        " ORDER BY q.id DESC LIMIT 1) "
        "FROM marks k JOIN messages m ON m.id = k.message_id JOIN chats c ON c.id = m.chat_id "
        "WHERE c.library_id = ? ORDER BY k.updated, k.message_id",
        (library_id,),
    )
    width = len(_COLUMNS.split(", "))
    return [(_mark(r[:width]), str(r[-1] or ""), message_from_row(r[width:-1])) for r in rows]


def marked_counts(conn: apsw.Connection) -> dict[int, int]:
    """How many answers are marked per library id."""
    rows: Any = conn.execute(
        "SELECT c.library_id, count(*) FROM marks k JOIN messages m ON m.id = k.message_id "
        "JOIN chats c ON c.id = m.chat_id WHERE c.library_id IS NOT NULL GROUP BY c.library_id"
    )
    return {int(r[0]): int(r[1]) for r in rows}


def marked_per_chat(conn: apsw.Connection) -> dict[int, int]:
    """How many answers are marked per chat id."""
    rows: Any = conn.execute(
        "SELECT m.chat_id, count(*) FROM marks k JOIN messages m ON m.id = k.message_id GROUP BY m.chat_id"
    )
    return {int(r[0]): int(r[1]) for r in rows}
