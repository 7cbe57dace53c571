"""A run's figures per mode, each a count with a 95 % interval, and retrieval's recall@k and MRR.

Per mode: correct answers to answerable questions; answers citing the gold file and page (RAG
modes, items with a gold file); declines and hallucinations (answers) on absent questions; answerable
questions declined; median time to first token and total time; answers whose evidence sentences
hold the expected answer (apart from whether the answer's own words state it, which is "correct");
answers that say nothing (echoes). Intervals are Wilson score intervals,
which stay honest for small samples (17/24 is 0.51-0.85, not "71 %").
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from ragtune.core.answer_checks import answer_problem
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.correctness import evidence_holds
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.run_types import Result, RunRecord

Z_95 = 1.959964
RECALL_AT = (1, 3, 10)


@dataclass(frozen=True)
class Count:
    """``k`` of ``n`` with its 95 % Wilson interval (``low``..``high``, as shares of 1)."""

    k: int
    n: int

    @property
    def share(self) -> float:
        return self.k / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        if self.n == 0:
            return (0.0, 1.0)
        p, n, z = self.share, self.n, Z_95
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return (max(0.0, centre - half), min(1.0, centre + half))

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"

    def describe(self) -> str:
        """``17/24 (71 %, 51-85 %)``; ``0/0`` when nothing was counted."""
        if self.n == 0:
            return "0/0"
        low, high = self.interval
        return f"{self.k}/{self.n} ({self.share:.0%}, {low:.0%}-{high:.0%})"


@dataclass(frozen=True)
class ModeSummary:
    mode: Mode
    correct: Count  # answerable questions answered correctly
    cited: Count  # answerable questions with a gold file whose answer cites it (RAG modes)
    declined_absent: Count  # absent questions declined (the right behaviour)
    hallucinated_absent: Count  # absent questions answered anyway
    declined_answerable: Count  # answerable questions declined
    errors: int
    median_ttft_s: float | None
    median_total_s: float | None
    #: answerable questions (RAG modes) whose evidence sentences state the expected answer: what
    #: the answer could have said, counted apart from what it did say (``correct``)
    evidence_holds: Count = Count(0, 0)
    #: answers (not declined) that say nothing: they only repeat the question, or give no number
    #: where one is asked (``core.answer_checks``); the target is none
    echoes: Count = Count(0, 0)


@dataclass(frozen=True)
class RetrievalSummary:
    recall: dict[int, Count]  # k -> gold passage within the first k results
    mrr: float  # mean reciprocal rank of the gold passage (0 when not retrieved)
    n: int  # answerable questions with a gold file


@dataclass(frozen=True)
class RunSummary:
    modes: list[ModeSummary]
    retrieval: RetrievalSummary
    answerable: int
    absent: int

    def mode(self, mode: Mode) -> ModeSummary | None:
        return next((m for m in self.modes if m.mode == mode), None)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _evidence_holds(result: Result, question: Question) -> bool:
    """Whether the evidence of ``result`` (its citations' sentences) states an expected answer."""
    return evidence_holds([str(c.get("text", "")) for c in result.citations], question)


def summarize(record: RunRecord) -> RunSummary:
    kinds = {q.id: q.kind for q in record.questions}
    by_id = {q.id: q for q in record.questions}
    has_gold = {q.id for q in record.questions if q.gold_file}
    modes = []
    for mode in record.info.modes:
        rows = [r for r in record.results if r.mode == mode]
        answerable = [r for r in rows if kinds.get(r.question_id) == Kind.ANSWERABLE]
        absent = [r for r in rows if kinds.get(r.question_id) == Kind.ABSENT]
        citable = [r for r in answerable if r.question_id in has_gold] if mode.uses_rag else []
        answered = [r for r in rows if not r.error and not r.declined]
        modes.append(
            ModeSummary(
                mode=mode,
                correct=Count(sum(bool(r.correct) for r in answerable), len(answerable)),
                cited=Count(sum(bool(r.cites_gold) for r in citable), len(citable)),
                declined_absent=Count(sum(r.declined for r in absent), len(absent)),
                hallucinated_absent=Count(
                    sum(not r.declined and not r.error for r in absent), len(absent)
                ),
                declined_answerable=Count(sum(r.declined for r in answerable), len(answerable)),
                errors=sum(bool(r.error) for r in rows),
                median_ttft_s=_median([r.ttft_s for r in answered if r.ttft_s > 0]),
                median_total_s=_median([r.total_s for r in rows if not r.error and r.total_s > 0]),
                evidence_holds=Count(
                    sum(_evidence_holds(r, by_id[r.question_id]) for r in citable), len(citable)
                ),
                echoes=Count(
                    sum(answer_problem(by_id[r.question_id].question, r.answer) is not None for r in answered
                        if r.question_id in by_id),
                    len(answered),
                ),
            )
        )
    ranks: dict[int, int | None] = {}
    for r in record.results:
        if r.question_id in has_gold and kinds.get(r.question_id) == Kind.ANSWERABLE:
            ranks.setdefault(r.question_id, r.gold_rank)
    n = len(ranks)
    recall = {k: Count(sum(1 for v in ranks.values() if v is not None and v <= k), n) for k in RECALL_AT}
    mrr = sum(1.0 / v for v in ranks.values() if v) / n if n else 0.0
    asked = {r.question_id for r in record.results}
    return RunSummary(
        modes=modes,
        retrieval=RetrievalSummary(recall=recall, mrr=mrr, n=n),
        answerable=sum(1 for q in record.questions if q.id in asked and q.kind == Kind.ANSWERABLE),
        absent=sum(1 for q in record.questions if q.id in asked and q.kind == Kind.ABSENT),
    )
