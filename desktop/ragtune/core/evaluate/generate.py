"""Questions generated from the library (issue 9, "Generated from the library"; reshaped by issue
20 for real documents).

Answer first: for each sampled passage (``passage_sample``) the checkable facts its sentences state
are found in the text (``fact_spans``: a quantity with its unit, a percent, an acronym spelled out,
a year), and the model only writes a question around the best one (``question_writer``: a short
plain-text prompt, the worked examples cached). A passage without such a fact is not tried (it is
counted as ``skipped``); up to ``FACTS_PER_PASSAGE`` facts of a passage are tried until one gives a
question that passes ``pair_checks``: the right shape, not giving its answer away, on target (a
sentence holds both the answer and the question's clue words), not a copy of the passage, and a
source passage that retrieval ranks in the top 10 (a question retrieval cannot place is often a
vague one, and a verdict should not blame a model for retrieval's misses).

Absent questions are made without the model (``absent_swap``): a kept question's named thing is
changed to a sibling no passage mentions, so the right behaviour is to decline.

Greedy decoding (temperature 0), so the same model, passages and library give the same questions.
Progress is reported per passage; cancel is checked between passages (and between tokens) and gives
back what was kept so far, with ``cancelled`` set. ``split`` is left at its default: the caller
assigns the seeded split.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ragtune.core.evaluate import pair_checks
from ragtune.core.evaluate.absent_swap import NO_NAME, swap_absent
from ragtune.core.evaluate.fact_spans import Fact, facts_in
from ragtune.core.evaluate.passage_sample import Passage
from ragtune.core.evaluate.question_writer import answer_back, write_question
from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.evaluate.run_types import GenerationReport
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.text_match import words
from ragtune.core.types import Hit, Progress, ProgressCallback, Stage
from ragtune.errors import Cancelled

NO_QUESTION = "no question"  # the model's reply held no line ending with "?"
DUPLICATE = "duplicate"
#: questions dropped only for these reasons are well formed: an absent one may be made from them
WELL_FORMED = frozenset([pair_checks.AMBIGUOUS, pair_checks.COPIED, pair_checks.NOT_RETRIEVED, DUPLICATE])
#: facts of one passage tried before moving on
FACTS_PER_PASSAGE = 3

Search = Callable[[str], list[Hit]]


def _key(question: str) -> str:
    return " ".join(words(question))


def generate_questions(
    model: ChatModel,
    passages: Sequence[Passage],
    search: Search,
    n: int,
    absent: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    answer_search: Search | None = None,
    facts_per_passage: int = FACTS_PER_PASSAGE,
    round_trip: bool = True,
) -> GenerationReport:
    """Up to ``n`` answerable and ``absent`` absent questions (default: a quarter of ``n``, rounded
    up) from ``passages`` in order. ``search`` is retrieval over the same library (best first, at
    least 10 hits); ``answer_search`` the answer path's (with its search for missing names; default
    ``search``), which judges absent questions. ``facts_per_passage`` and ``round_trip`` (the model
    answers its question back) are there to be measured (``benchmarks/bench_question_generation.py``).
    Cancel returns the partial report with ``cancelled`` set; an engine fault (``EngineError``) is
    raised."""
    want_absent = (n + 3) // 4 if absent is None else absent
    report = GenerationReport()
    seen: set[str] = set()
    asked: set[str] = set()  # answers already asked about: "What does JWT stand for?" once
    started = time.perf_counter()
    handled = 0
    for done, passage in enumerate(passages):
        if report.kept >= n:
            break  # absent questions are made from answerable ones: none come after the last
        if progress is not None:
            progress(_progress(done, len(passages), started, report, wanted=n + want_absent))
        try:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            facts = [f for f in facts_in(passage.text) if _fact_key(f) not in asked][:facts_per_passage]
            asked.update(_fact_key(f) for f in facts)
            if not facts:
                report.skipped += 1
            else:
                report.tried += 1
                bases = _try_passage(model, passage, facts, search, cancel, seen, report, round_trip)
                for base in bases:
                    if report.absent_kept >= want_absent or _try_absent(base, answer_search or search, seen, report):
                        break
            handled = done + 1
        except Cancelled:
            report.cancelled = True
            break
    report.seconds = time.perf_counter() - started
    if progress is not None:
        progress(_progress(handled, len(passages), started, report, Stage.DONE, n + want_absent))
    return report


def _fact_key(fact: Fact) -> str:
    return f"{fact.acronym}:{fact.answer}".lower()


def _try_passage(model: ChatModel, passage: Passage, facts: list[Fact], search: Search,
                 cancel: threading.Event | None, seen: set[str], report: GenerationReport,
                 round_trip: bool = True) -> list[Question]:
    """Tries ``facts`` until one gives a kept question (added to ``report``); each failure is
    counted by its reason. Returns the questions an absent one may be made from: the kept one
    first, then those dropped only for being ambiguous, copied or not retrieved (well formed)."""
    bases: list[Question] = []
    for fact in facts:
        report.facts_tried += 1
        reason = None
        question = write_question(model, fact, passage.title, cancel)
        report.model_calls += 0 if fact.acronym else 1
        if question is None:
            reason = NO_QUESTION
        elif _key(question) in seen:
            reason = DUPLICATE
        else:
            hits = search(question) if pair_checks.shape_ok(question, fact.answer) else []
            reason = pair_checks.check_pair(
                question, fact.answer, passage.text, hits, passage.chunk_id, passage.title,
                sentence=fact.sentence, expansion=bool(fact.acronym),
            )
            if reason is None and round_trip and not fact.acronym:
                report.model_calls += 1
                reply = answer_back(model, question, passage.text, cancel)
                reason = None if pair_checks.answered_back(fact.answer, reply) else pair_checks.ANSWERED_OTHERWISE
        if reason is None and question is not None:
            seen.add(_key(question))
            rank = pair_checks.retrieval_rank(hits, passage.chunk_id)
            item = Question(
                question, fact.answer, fact.alternatives, gold_file=passage.path, gold_page=passage.page,
                kind=Kind.ANSWERABLE, origin=Origin.GENERATED,
                note=f"generated; answer taken from the text; source ranked {rank}",
            )
            report.questions.append(item)
            report.kept += 1
            return [item, *bases]
        report.dropped[reason or NO_QUESTION] = report.dropped.get(reason or NO_QUESTION, 0) + 1
        if question is not None:
            report.dropped_pairs.append((question, fact.answer, reason or NO_QUESTION))
            if reason in WELL_FORMED:
                bases.append(Question(question, fact.answer, fact.alternatives))
    return bases


def _try_absent(kept: Question, search: Search, seen: set[str], report: GenerationReport) -> bool:
    """An absent question made from ``kept`` (``absent_swap``), added to ``report``; whether one
    was. A question with no name to change is not counted as tried, only as a reason."""
    question, reason = swap_absent(kept, search)
    if reason != NO_NAME:
        report.absent_tried += 1
    if question is not None and _key(question.question) in seen:
        question, reason = None, DUPLICATE
    if question is None:
        key = reason or DUPLICATE
        report.absent_dropped[key] = report.absent_dropped.get(key, 0) + 1
        return False
    seen.add(_key(question.question))
    report.questions.append(question)
    report.absent_kept += 1
    return True


def _progress(done: int, total: int, started: float, report: GenerationReport,
              stage: Stage = Stage.GENERATING, wanted: int = 0) -> Progress:
    """Progress as questions kept of those wanted (passages are looked at until enough are kept)."""
    elapsed = time.perf_counter() - started
    kept = report.kept + report.absent_kept
    rate = kept / elapsed if kept and elapsed > 0 else 0.0
    return Progress(
        stage=stage, done=min(kept, wanted) if wanted else kept, total=wanted or kept, rate=rate,
        eta_s=(wanted - kept) / rate if rate and wanted > kept else None,
        current=f"passage {done} of {total}",
    )
