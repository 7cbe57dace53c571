"""The bench loop: every question of a run in every mode, judged and stored one by one.

For each question, retrieval runs once (its ranked list gives the gold passage's rank, hence
recall@k and MRR, and is the passages the RAG modes answer from); then each mode that has no stored
result yet is answered and judged (``correctness``), and its result committed at once. So a run that
crashed or was cancelled resumes without redoing finished answers. Cancel is checked between answers
and inside each answer (the model stops at the next token).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence

import apsw

from ragtune.core.answer_types import AdapterSpec, Answer, Mode
from ragtune.core.evaluate.correctness import cites_gold, gold_rank, is_correct, is_declined
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.run_types import Result, RunStatus
from ragtune.core.locations import locator
from ragtune.core.store import run_store
from ragtune.core.types import Hit, Progress, ProgressCallback, Stage
from ragtune.errors import Cancelled, RagtuneError

#: answers failing one after the other before the run stops (the engine is likely gone)
MAX_FAILURES_IN_A_ROW = 3

Search = Callable[[str], list[Hit]]
AnswerFn = Callable[[str, "list[Hit] | None", Sequence[AdapterSpec], threading.Event | None], Answer]


def judge(item: Question, mode: Mode, answer: Answer, hits: Sequence[Hit]) -> Result:
    """One answer as a stored, judged result (see ``run_types.Result``)."""
    declined = is_declined(answer.text, answer.declined)
    answerable = item.kind == Kind.ANSWERABLE
    cited: bool | None = None
    if answerable and mode.uses_rag and item.gold_file:
        cited = cites_gold(answer.citations, item)
    t = answer.timings
    return Result(
        question_id=item.id,
        mode=mode,
        answer=answer.text,
        correct=(not declined and is_correct(answer.text, item)) if answerable else None,
        cites_gold=cited,
        declined=declined,
        gold_rank=gold_rank(hits, item) if item.gold_file else None,
        ttft_s=t.time_to_first_token_s,
        tokens_per_s=t.tokens_per_s,
        total_s=t.total_s,
        citations=[
            {
                "n": c.n,
                "path": c.path,
                "page": c.page,
                "location": locator(c.path, c.page, ocr=c.ocr),
                "text": c.text,
                "ocr": c.ocr,
                "mark": c.mark,
            }
            for c in answer.citations
        ],
        error=answer.error,
    )


def _failed(item: Question, mode: Mode, hits: Sequence[Hit], error: str) -> Result:
    return Result(
        question_id=item.id, mode=mode, answer="", correct=False if item.kind == Kind.ANSWERABLE else None,
        cites_gold=None, declined=False, gold_rank=gold_rank(hits, item) if item.gold_file else None,
        error=error,
    )


def run_questions(
    conn: apsw.Connection,
    run_id: int,
    items: Sequence[Question],
    modes: Sequence[Mode],
    adapters: Sequence[AdapterSpec],
    search: Search,
    answer: AnswerFn,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Answer what run ``run_id`` still lacks; returns the status it ends with (RunStatus)."""
    # an answer that failed (its error kept) is tried again when the run resumes
    done = {(r.question_id, r.mode) for r in run_store.load_run(conn, run_id).results if not r.error}
    total = len(items) * len(modes)
    finished = len(done)
    spent: list[float] = []
    failures = 0

    def report(current: str) -> None:
        if progress is None:
            return
        eta = statistics.median(spent) * (total - finished) if spent else None
        rate = 1.0 / statistics.median(spent) if spent and statistics.median(spent) > 0 else 0.0
        progress(Progress(Stage.EVALUATING, finished, total, rate=rate, eta_s=eta, current=current))

    report("")
    for item in items:
        todo = [m for m in modes if (item.id, m) not in done]
        if not todo:
            continue
        if cancel is not None and cancel.is_set():
            break
        hits = search(item.question)
        for mode in todo:
            report(item.question)
            if cancel is not None and cancel.is_set():
                break
            started = time.monotonic()
            use_adapters = list(adapters) if mode.uses_adapters else []
            try:
                got = answer(item.question, hits if mode.uses_rag else None, use_adapters, cancel)
            except Cancelled:
                break
            except RagtuneError as exc:
                failures += 1
                run_store.record_result(conn, run_id, _failed(item, mode, hits, str(exc)))
                if failures >= MAX_FAILURES_IN_A_ROW:
                    raise RagtuneError(
                        f"The evaluation stopped: {failures} answers failed in a row (last: {exc}). "
                        "Run it again to resume where it stopped."
                    ) from exc
            else:
                if got.cancelled:
                    break
                failures = 0
                run_store.record_result(conn, run_id, judge(item, mode, got, hits))
            spent.append(time.monotonic() - started)
            finished += 1
    status = RunStatus.FINISHED if finished >= total else RunStatus.CANCELLED
    run_store.set_status(conn, run_id, status)
    report("")
    return status
