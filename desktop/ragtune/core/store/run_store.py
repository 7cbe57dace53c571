"""Evaluation runs in the library's database (tables ``eval_runs`` and ``eval_results``, migration 4).

A run row holds a snapshot of the questions it asks and the configuration that produced its answers;
each result is committed on its own as soon as its answer is judged, so a crash or a cancel loses at
most the answer in progress, and ``find_resumable`` finds the run to continue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import apsw

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.question_files import row_of
from ragtune.core.evaluate.questions import Kind, Origin, Question, QuestionSet, Split
from ragtune.core.evaluate.run_types import Result, RunInfo, RunRecord, RunStatus
from ragtune.core.store.db import transaction
from ragtune.errors import RagtuneError

_RUN_COLUMNS = (
    "r.id, l.name, r.set_name, r.set_version, r.split, r.modes_json, r.config_json, r.status, "
    "r.created, r.finished, r.questions_json, "
    "(SELECT COUNT(*) FROM eval_results e WHERE e.run_id = r.id)"
)
_RESULT_COLUMNS = (
    "question_id, mode, answer, correct, cites_gold, declined, gold_rank, ttft_s, tokens_per_s, "
    "total_s, citations_json, error"
)


class RunNotFound(RagtuneError):
    """A run number that the database does not have."""


def _snapshot(items: Sequence[Question]) -> str:
    return json.dumps([{"id": q.id, **row_of(q)} for q in items], ensure_ascii=False)


def _questions(text: str) -> list[Question]:
    return [
        Question(
            question=row["question"],
            answer=row["answer"],
            alternatives=tuple(row["alternatives"]),
            gold_file=row["gold_file"],
            gold_page=int(row["gold_page"]),
            kind=Kind(row["kind"]),
            split=Split(row["split"]),
            origin=Origin(row["origin"]),
            note=row["note"],
            id=int(row["id"]),
        )
        for row in json.loads(text)
    ]


def _info(row: Sequence[Any]) -> RunInfo:
    rid, library, set_name, version, split, modes, config, status, created, finished, qs, n = row
    return RunInfo(
        id=int(rid),
        library=str(library),
        set_name=str(set_name),
        set_version=int(version),
        split=str(split),
        modes=[Mode(m) for m in json.loads(modes)],
        config=json.loads(config),
        status=str(status),
        created=float(created),
        finished=None if finished is None else float(finished),
        questions=len(json.loads(qs)),
        answered=int(n),
    )


def _bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _result(row: Sequence[Any]) -> Result:
    qid, mode, answer, correct, cites, declined, rank, ttft, tps, total, citations, error = row
    return Result(
        question_id=int(qid),
        mode=Mode(mode),
        answer=str(answer),
        correct=_bool(correct),
        cites_gold=_bool(cites),
        declined=bool(declined),
        gold_rank=None if rank is None else int(rank),
        ttft_s=float(ttft),
        tokens_per_s=float(tps),
        total_s=float(total),
        citations=json.loads(citations),
        error=str(error),
    )


def create_run(
    conn: apsw.Connection,
    library_id: int,
    qset: QuestionSet,
    split: str,
    modes: Sequence[Mode],
    config: dict[str, Any],
    items: Sequence[Question],
) -> int:
    with transaction(conn):
        row = conn.execute(
            "INSERT INTO eval_runs (library_id, set_id, set_name, set_version, split, modes_json, "
            "config_json, questions_json, status, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (
                library_id, qset.id, qset.name, qset.version, split,
                json.dumps([str(m) for m in modes]), json.dumps(config, sort_keys=True),
                _snapshot(items), RunStatus.RUNNING, time.time(),
            ),
        ).fetchone()
    assert row is not None  # RETURNING gives the inserted row
    return int(row[0])


def find_resumable(
    conn: apsw.Connection,
    library_id: int,
    qset: QuestionSet,
    split: str,
    modes: Sequence[Mode],
    config: dict[str, Any],
) -> int | None:
    """The newest unfinished run of exactly this set version, split, modes and configuration."""
    row = conn.execute(
        "SELECT id FROM eval_runs WHERE library_id = ? AND set_id = ? AND set_version = ? "
        "AND split = ? AND modes_json = ? AND config_json = ? AND status != ? "
        "ORDER BY id DESC LIMIT 1",
        (
            library_id, qset.id, qset.version, split, json.dumps([str(m) for m in modes]),
            json.dumps(config, sort_keys=True), RunStatus.FINISHED,
        ),
    ).fetchone()
    return None if row is None else int(row[0])


def record_result(conn: apsw.Connection, run_id: int, result: Result) -> None:
    """Store one judged answer (replacing an earlier one for the same question and mode)."""
    with transaction(conn):
        conn.execute(
            f"INSERT OR REPLACE INTO eval_results (run_id, {_RESULT_COLUMNS}, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id, result.question_id, str(result.mode), result.answer,
                None if result.correct is None else int(result.correct),
                None if result.cites_gold is None else int(result.cites_gold),
                int(result.declined), result.gold_rank, result.ttft_s, result.tokens_per_s,
                result.total_s, json.dumps(result.citations, ensure_ascii=False), result.error,
                time.time(),
            ),
        )


def set_status(conn: apsw.Connection, run_id: int, status: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE eval_runs SET status = ?, finished = ? WHERE id = ?",
            (status, time.time() if status == RunStatus.FINISHED else None, run_id),
        )


def list_runs(conn: apsw.Connection, library_id: int | None = None) -> list[RunInfo]:
    """Runs, newest first (of one library when ``library_id`` is given)."""
    sql = f"SELECT {_RUN_COLUMNS} FROM eval_runs r JOIN libraries l ON l.id = r.library_id"
    args: tuple[object, ...] = ()
    if library_id is not None:
        sql += " WHERE r.library_id = ?"
        args = (library_id,)
    return [_info(row) for row in conn.execute(sql + " ORDER BY r.id DESC", args)]


def load_run(conn: apsw.Connection, run_id: int) -> RunRecord:
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM eval_runs r JOIN libraries l ON l.id = r.library_id "
        "WHERE r.id = ?",
        (run_id,),
    ).fetchone()
    if row is None:
        raise RunNotFound(f"There is no evaluation run {run_id} (`ragtune eval show` lists them).")
    results = [
        _result(r)
        for r in conn.execute(
            f"SELECT {_RESULT_COLUMNS} FROM eval_results WHERE run_id = ? ORDER BY rowid", (run_id,)
        )
    ]
    return RunRecord(info=_info(row), questions=_questions(str(row[10])), results=results)


def delete_run(conn: apsw.Connection, run_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM eval_runs WHERE id = ?", (run_id,))
