"""Question sets in the library's database (tables ``question_sets`` and ``questions``, migration 4).

A set belongs to one library and has a name unique in it. Every change to its items (add, edit,
delete, re-split) bumps the set's ``version`` in the same transaction, so a run records exactly
which questions it answered. Functions take the caller's connection (one per thread).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence

import apsw

from ragtune.core.evaluate.questions import Kind, Origin, Question, QuestionSet, Split
from ragtune.core.store.db import transaction
from ragtune.errors import RagtuneError

_COLUMNS = (
    "id, question, answer, alternatives_json, gold_file, gold_page, kind, split, origin, note"
)


class QuestionSetNotFound(RagtuneError):
    """A question set name that the library does not have."""


def _question(row: Sequence[object]) -> Question:
    qid, text, answer, alternatives, gold_file, gold_page, kind, split, origin, note = row
    return Question(
        question=str(text),
        answer=str(answer),
        alternatives=tuple(str(a) for a in json.loads(str(alternatives))),
        gold_file=str(gold_file),
        gold_page=int(str(gold_page)),
        kind=Kind(str(kind)),
        split=Split(str(split)),
        origin=Origin(str(origin)),
        note=str(note),
        id=int(str(qid)),
    )


def _values(q: Question) -> tuple[object, ...]:
    text = q.question.strip()
    if not text:
        raise RagtuneError("A question cannot be empty.")
    if q.gold_page < 0:
        raise RagtuneError(f"A page number cannot be negative (got {q.gold_page}).")
    return (
        text,
        q.answer.strip(),
        json.dumps([a.strip() for a in q.alternatives if a.strip()], ensure_ascii=False),
        q.gold_file.strip(),
        q.gold_page,
        Kind(q.kind).value,
        Split(q.split).value,
        Origin(q.origin).value,
        q.note,
    )


def _counts(conn: apsw.Connection, set_id: int) -> dict[str, int]:
    counts = {"train": 0, "test": 0, "answerable": 0, "absent": 0}
    for split, kind, n in conn.execute(
        "SELECT split, kind, COUNT(*) FROM questions WHERE set_id = ? GROUP BY split, kind", (set_id,)
    ):
        counts[str(split)] += int(n)
        counts[str(kind)] += int(n)
    return counts


def _set(conn: apsw.Connection, row: Sequence[object], library: str) -> QuestionSet:
    set_id, name, version, created = row
    sid = int(str(set_id))
    return QuestionSet(
        id=sid,
        library=library,
        name=str(name),
        version=int(str(version)),
        created=float(str(created)),
        counts=_counts(conn, sid),
    )


def list_sets(conn: apsw.Connection, library_id: int, library: str) -> list[QuestionSet]:
    """The library's sets, by name."""
    rows = conn.execute(
        "SELECT id, name, version, created FROM question_sets WHERE library_id = ? ORDER BY name",
        (library_id,),
    ).fetchall()
    return [_set(conn, row, library) for row in rows]


def find_set(conn: apsw.Connection, library_id: int, library: str, name: str) -> QuestionSet:
    """The set called ``name`` (QuestionSetNotFound saying which sets exist otherwise)."""
    row = conn.execute(
        "SELECT id, name, version, created FROM question_sets WHERE library_id = ? AND name = ?",
        (library_id, name),
    ).fetchone()
    if row is None:
        names = [s.name for s in list_sets(conn, library_id, library)]
        have = ", ".join(f"\u201c{n}\u201d" for n in names) if names else "none yet"
        raise QuestionSetNotFound(
            f"Library \u201c{library}\u201d has no question set \u201c{name}\u201d (sets: {have})."
        )
    return _set(conn, row, library)


def create_set(conn: apsw.Connection, library_id: int, library: str, name: str) -> QuestionSet:
    """The set ``name``, created empty when it does not exist."""
    name = " ".join(name.split())
    if not name:
        raise RagtuneError("A question set needs a name.")
    with transaction(conn):
        conn.execute(
            "INSERT INTO question_sets (library_id, name, version, created) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (library_id, name) DO NOTHING",
            (library_id, name, time.time()),
        )
    return find_set(conn, library_id, library, name)


def rename_set(conn: apsw.Connection, set_id: int, name: str) -> None:
    name = " ".join(name.split())
    if not name:
        raise RagtuneError("A question set needs a name.")
    try:
        with transaction(conn):
            conn.execute("UPDATE question_sets SET name = ? WHERE id = ?", (name, set_id))
    except apsw.ConstraintError as exc:
        raise RagtuneError(f"This library already has a question set \u201c{name}\u201d.") from exc


def delete_set(conn: apsw.Connection, set_id: int) -> None:
    """Delete the set and its questions; runs made with it keep their snapshot."""
    with transaction(conn):
        conn.execute("DELETE FROM question_sets WHERE id = ?", (set_id,))


def questions(conn: apsw.Connection, set_id: int, split: Split | None = None) -> list[Question]:
    """The set's items in the order they were added (only ``split`` when given)."""
    sql = f"SELECT {_COLUMNS} FROM questions WHERE set_id = ?"
    args: tuple[object, ...] = (set_id,)
    if split is not None:
        sql += " AND split = ?"
        args = (set_id, Split(split).value)
    return [_question(row) for row in conn.execute(sql + " ORDER BY id", args)]


def _bump(conn: apsw.Connection, set_id: int) -> None:
    conn.execute("UPDATE question_sets SET version = version + 1 WHERE id = ?", (set_id,))


def add_questions(conn: apsw.Connection, set_id: int, items: Iterable[Question]) -> list[Question]:
    """Append ``items`` (their ids are ignored); the stored items, with their ids."""
    added: list[Question] = []
    now = time.time()
    with transaction(conn):
        for item in items:
            row = conn.execute(
                "INSERT INTO questions (set_id, question, answer, alternatives_json, gold_file, "
                "gold_page, kind, split, origin, note, created) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
                (set_id, *_values(item), now),
            ).fetchone()
            assert row is not None  # RETURNING gives the inserted row
            added.append(_question(row))
        if added:
            _bump(conn, set_id)
    return added


def update_question(conn: apsw.Connection, set_id: int, item: Question) -> Question:
    """Store ``item``'s fields over the stored item with its id."""
    with transaction(conn):
        row = conn.execute(
            "UPDATE questions SET question = ?, answer = ?, alternatives_json = ?, gold_file = ?, "
            "gold_page = ?, kind = ?, split = ?, origin = ?, note = ? "
            f"WHERE id = ? AND set_id = ? RETURNING {_COLUMNS}",
            (*_values(item), item.id, set_id),
        ).fetchone()
        if row is None:
            raise RagtuneError(f"Question {item.id} is not in this set (deleted meanwhile?).")
        _bump(conn, set_id)
    return _question(row)


def delete_questions(conn: apsw.Connection, set_id: int, ids: Iterable[int]) -> int:
    """Delete the items with ``ids``; how many were deleted."""
    gone = 0
    with transaction(conn):
        for qid in ids:
            gone += len(
                conn.execute(
                    "DELETE FROM questions WHERE id = ? AND set_id = ? RETURNING id", (qid, set_id)
                ).fetchall()
            )
        if gone:
            _bump(conn, set_id)
    return gone


def set_splits(conn: apsw.Connection, set_id: int, splits: dict[int, Split]) -> None:
    """Give the items in ``splits`` (id -> split) their split, in one change."""
    with transaction(conn):
        for qid, split in splits.items():
            conn.execute(
                "UPDATE questions SET split = ? WHERE id = ? AND set_id = ?",
                (Split(split).value, qid, set_id),
            )
        if splits:
            _bump(conn, set_id)
