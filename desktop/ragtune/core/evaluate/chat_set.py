"""Marking answers and keeping each library's set **From my chats** in step with the marks (issue
20, "Questions from use"); ``Evaluation`` (``svc.evaluation``) offers it as ``mark_answer``,
``unmark_answer``, ``marks_of`` and ``marked_counts``.

After every change to a mark, the chat's library's set is brought to what its marks say
(``core.marks.chat_questions``): an item whose question is still marked is updated in place (its id
and split kept, so a run's snapshot and the train/test line do not move), a newly marked question
is added with the seeded split of its text (``split.split_for``), and one no longer marked is
removed. The set is created with the first mark and bumps its version with every change, so a bench
run records exactly which marked questions it answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import apsw

from ragtune.core.evaluate.questions import Origin, Question, QuestionSet
from ragtune.core.marks import (
    CHAT_SET,
    Mark,
    MarkOutcome,
    Verdict,
    chat_questions,
    checked_mark,
    question_from_mark,
    question_key,
)
from ragtune.core.store import marks as mark_store
from ragtune.core.store import question_store
from ragtune.core.store.db import transaction
from ragtune.core.store.history import History
from ragtune.core.types import DocumentInfo
from ragtune.errors import RagtuneError


def resolve_file(documents: list[DocumentInfo], given: str, page: int = 0) -> str:
    """The library's document ``given`` names: its whole path, or the end of it (``resnet.pdf``);
    a name two documents end with, or none, or a ``page`` the document does not have, is refused
    with the reason."""
    given = given.strip().replace("\\", "/")
    exact = [d for d in documents if d.path.replace("\\", "/") == given]
    ending = exact or [d for d in documents if d.path.replace("\\", "/").endswith("/" + given.lstrip("/"))]
    if not ending:
        raise RagtuneError(f"\u201c{given}\u201d is not a document of this library.", cli_hint="ragtune ls lists them")
    if len(ending) > 1:
        raise RagtuneError(f"\u201c{given}\u201d names {len(ending)} documents of this library: give more of its path.")
    document = ending[0]
    if page > document.pages > 0:
        raise RagtuneError(f"{Path(document.path).name} has {document.pages} pages, not {page}.")
    return document.path


def mark_answer(
    conn: apsw.Connection, library_id: Callable[[str], int], documents: Callable[[str], list[DocumentInfo]],
    message_id: int, verdict: Verdict | str, answer: str = "", gold_file: str = "", gold_page: int = 0,
    absent: bool = False,
) -> MarkOutcome:
    """Mark answer ``message_id`` (see ``core.marks.checked_mark``) and bring its library's set in
    step. ``library_id`` and ``documents`` read a library by name; a file the person names must be
    one of the chat's library's documents."""
    history = History(conn)
    message = history.message(message_id)
    library = history.chat(message.chat_id).library
    mark = checked_mark(message, verdict, answer, gold_file, gold_page, absent)
    if mark.gold_file and library is not None:
        mark = replace(mark, gold_file=resolve_file(documents(library), mark.gold_file, mark.gold_page))
    with transaction(conn):
        stored = mark_store.set_mark(conn, mark)
        if library is not None:
            sync_chat_set(conn, library_id(library), library)
    item = question_from_mark(history.question_before(message), message, stored)
    return MarkOutcome(stored, library, item, _said(stored, library, item))


def unmark_answer(conn: apsw.Connection, library_id: Callable[[str], int], message_id: int) -> MarkOutcome:
    """Remove the mark of answer ``message_id`` and bring its library's set in step."""
    history = History(conn)
    message = history.message(message_id)
    library = history.chat(message.chat_id).library
    with transaction(conn):
        had = mark_store.remove_mark(conn, message_id)
        if library is not None:
            sync_chat_set(conn, library_id(library), library)
    said = "The mark was removed." if had else "This answer was not marked."
    return MarkOutcome(None, library, None, said)


def _said(mark: Mark, library: str | None, item: Question | None) -> str:
    what = f"Marked {mark.describe()}."
    if library is None:
        return what + " The chat uses no library, so the mark joins no question set."
    if item is None:
        return (what + " Give the right answer, or say it is not in your documents, to make it a "
                f"question of \u201c{CHAT_SET}\u201d.")
    return what + f" The question is in \u201c{CHAT_SET}\u201d of \u201c{library}\u201d ({item.split.value} split)."


def sync_chat_set(conn: apsw.Connection, library_id: int, library: str) -> QuestionSet | None:
    """Bring the library's set ``CHAT_SET`` to what its marks say (see the module); None when it has
    no marks and no such set. Only the set's items of origin ``chat`` are its marks' to change: a
    question a person generated, imported or wrote into the set stays. Nothing is written when
    nothing differs (a read-only library lists its sets); a change is made in one transaction,
    planned again inside it, so a mark made meanwhile on another thread is not undone."""
    if _plan(conn, library_id, library) is None:
        return _find(conn, library_id, library)
    with transaction(conn):
        plan = _plan(conn, library_id, library)
        if plan is not None:
            qset_id, added, updated, gone = plan
            if qset_id is None:
                qset_id = question_store.create_set(conn, library_id, library, CHAT_SET).id
            if added:
                question_store.add_questions(conn, qset_id, added)
            for item in updated:
                question_store.update_question(conn, qset_id, item)
            if gone:
                question_store.delete_questions(conn, qset_id, gone)
    return _find(conn, library_id, library)


Plan = tuple[int | None, list[Question], list[Question], list[int]]


def _plan(conn: apsw.Connection, library_id: int, library: str) -> Plan | None:
    """(the set's id or None to create it, items to add, items to update, ids to delete); None
    when the set is as its marks say."""
    wanted = chat_questions(mark_store.marked_in_library(conn, library_id))
    qset = _find(conn, library_id, library)
    if qset is None and not wanted:
        return None
    have = {question_key(q.question): q for q in question_store.questions(conn, qset.id)
            if q.origin is Origin.CHAT} if qset is not None else {}
    added = [item for key, item in wanted.items() if key not in have]
    updated = [
        replace(item, id=have[key].id, split=have[key].split) for key, item in wanted.items()
        if key in have and replace(have[key], id=0, split=item.split) != replace(item, id=0)
    ]
    gone = [q.id for key, q in have.items() if key not in wanted]
    if qset is not None and not (added or updated or gone):
        return None
    return (qset.id if qset is not None else None, added, updated, gone)


def _find(conn: apsw.Connection, library_id: int, library: str) -> QuestionSet | None:
    return next((s for s in question_store.list_sets(conn, library_id, library) if s.name == CHAT_SET), None)
