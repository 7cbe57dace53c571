"""A person's judgements of bench answers (``judgements``, schema 9 in ``migrations``): stored
with their run, found again for a later run of the same set by the question's and the answer's
exact text (``core.evaluate.judgements`` says what they mean)."""

from __future__ import annotations

import time
from typing import Any

import apsw

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.judgements import Judgement, choices
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.store.db import transaction


def set_judgement(
    conn: apsw.Connection, run_id: int, question_id: int, mode: Mode, question: str, answer: str,
    judged: Judgement | None,
) -> None:
    """Store (or, with None, take back) the person's judgement of one answer of run ``run_id``.
    Taking it back also takes back the same judgement of the same answer given in another run of
    the set (it would carry over again)."""
    with transaction(conn):
        conn.execute(
            "DELETE FROM judgements WHERE run_id = ? AND question_id = ? AND mode = ?", (run_id, question_id, str(mode))
        )
        if judged is None:
            conn.execute(
                "DELETE FROM judgements WHERE question = ? AND answer = ? AND run_id IN ("
                " SELECT o.id FROM eval_runs o JOIN eval_runs r ON r.library_id = o.library_id "
                " AND r.set_name = o.set_name WHERE r.id = ?)",
                (question, answer, run_id),
            )
        if judged is not None:
            conn.execute(
                "INSERT INTO judgements (run_id, question_id, mode, question, answer, judged, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, question_id, str(mode), question, answer, judged.value, time.time()),
            )


def judgements_for(conn: apsw.Connection, record: RunRecord) -> dict[tuple[int, Mode], Judgement]:
    """The person's judgements of ``record``'s answers: its own, else those given in another run of
    the same library and set to the same question with the same answer (the newest)."""
    rows: Any = conn.execute(
        "SELECT j.run_id, j.question_id, j.mode, j.question, j.answer, j.judged FROM judgements j "
        "JOIN eval_runs r ON r.id = j.run_id JOIN libraries l ON l.id = r.library_id "
        "WHERE l.name = ? AND r.set_name = ? ORDER BY j.created, j.rowid",
        (record.info.library, record.info.set_name),
    )
    own: dict[tuple[int, str], Judgement] = {}
    by_text: dict[tuple[str, str], Judgement] = {}
    for run_id, question_id, mode, question, answer, judged in rows:
        if int(run_id) == record.info.id:
            own[(int(question_id), str(mode))] = Judgement(judged)
        by_text[(str(question), str(answer))] = Judgement(judged)
    items = {q.id: q for q in record.questions}
    found: dict[tuple[int, Mode], Judgement] = {}
    for r in record.results:
        item = items.get(r.question_id)
        if item is None:
            continue
        judged = own.get((r.question_id, str(r.mode))) or by_text.get((item.question, r.answer))
        if judged is not None and judged in choices(item.kind):  # a question that changed kind: not carried
            found[(r.question_id, r.mode)] = judged
    return found
