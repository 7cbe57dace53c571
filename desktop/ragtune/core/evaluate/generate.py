"""Questions generated from the library by the current chat model (issue 9, "Generated from the
library").

For each sampled passage (``passage_sample``) the model writes one question and its short answer,
constrained to JSON by a schema (``ChatModel.complete_json``: llama.cpp's grammar in process), never
parsed from free text. A pair is kept only when it passes ``pair_checks``: the right shape, an answer
whose numbers and rare words occur in the passage, a question that neither gives the answer away nor
copies the passage, and a source passage that retrieval ranks in the top 10 for the question. A pair
failing the rank check is DROPPED (not kept as "hard"): a verdict should not blame a model for
retrieval's misses, and a question retrieval cannot place is often a vague one.

Absent questions: the model is asked, about a passage, for a question on the same topic whose answer
the passage does not contain; it is kept only when the relevance gate (``answering.select_passages``)
finds nothing relevant in the whole library for it, so the right behaviour is to decline.

Greedy decoding (temperature 0), so the same model, passages and library give the same questions.
Progress is reported per passage; cancel is checked between passages (and between tokens) and gives
back what was kept so far, with ``cancelled`` set. ``split`` is left at its default: the caller
assigns the seeded split.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ragtune.core.answering import select_passages
from ragtune.core.evaluate import pair_checks
from ragtune.core.evaluate.passage_sample import Passage
from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.evaluate.run_types import GenerationReport
from ragtune.core.generation.chat_model import ChatModel, Message
from ragtune.core.text_match import words
from ragtune.core.types import Hit, Progress, ProgressCallback, Stage
from ragtune.errors import Cancelled, EngineError, ModelError

NO_JSON = "no JSON"  # the model's answer was not the JSON asked for (cut at the token limit)
DUPLICATE = "duplicate"
MAX_TOKENS = 96
PASSAGE_CHARS = 1500  # a longer chunk is cut (chunks are token-bounded, so this rarely bites)

PAIR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
    "required": ["question", "answer"],
}
ABSENT_SCHEMA: dict[str, Any] = {
    "type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"],
}

#: one system prompt for both kinds, and the passage before the task, so the absent question's
#: prompt reuses the pair's KV cache up to the task line
SYSTEM = (
    "You write questions about a text for a reading quiz. Write them the way a curious person "
    "would ask, in your own words, never copying a sentence of the text."
)
PAIR_TASK = (
    "Write one question whose answer is a short fact stated in the text: a number, an amount, a "
    "duration, a name or a place. Then give the answer: that fact, in a few words from the text."
)
ABSENT_TASK = (
    "Write one short question that someone interested in this topic might ask, but that the text "
    "does NOT answer because it never mentions that subject at all (for example a price, a "
    "colour, a person, a history or a comparison the text never gives)."
)


def pair_messages(passage: Passage) -> list[Message]:
    """The prompt for one question/answer pair about ``passage``."""
    return _messages(passage, PAIR_TASK)


def absent_messages(passage: Passage) -> list[Message]:
    """The prompt for one question on ``passage``'s topic that it does not answer."""
    return _messages(passage, ABSENT_TASK)


def _messages(passage: Passage, task: str) -> list[Message]:
    text = passage.text.strip()[:PASSAGE_CHARS]
    title = f"Title: {passage.title}\n" if passage.title else ""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{title}Text:\n{text}\n\n{task}"},
    ]


def _key(question: str) -> str:
    return " ".join(words(question))


def generate_questions(
    model: ChatModel,
    passages: Sequence[Passage],
    search: Callable[[str], list[Hit]],
    n: int,
    absent: int | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> GenerationReport:
    """Up to ``n`` answerable and ``absent`` absent questions (default: a quarter of ``n``, rounded
    up) generated from ``passages`` in order, one try of each kind per passage until each target is
    met. ``search`` is retrieval over the same library (best first, at least 10 hits). Answerable
    pairs whose source is not in retrieval's top 10 are dropped. Cancel returns the partial report
    with ``cancelled`` set; an engine fault (``EngineError``) is raised, a reply that is not the
    JSON asked for only drops that pair."""
    want_absent = (n + 3) // 4 if absent is None else absent
    report = GenerationReport()
    seen: set[str] = set()
    started = time.perf_counter()
    handled = 0
    for done, passage in enumerate(passages):
        if report.kept >= n and report.absent_kept >= want_absent:
            break
        if progress is not None:
            progress(_progress(done, len(passages), started, report))
        try:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if report.kept < n:
                report.tried += 1
                reason = _try_pair(model, passage, search, cancel, seen, report)
                if reason is not None:
                    report.dropped[reason] = report.dropped.get(reason, 0) + 1
            if report.absent_kept < want_absent:
                report.absent_tried += 1
                reason = _try_absent(model, passage, search, cancel, seen, report)
                if reason is not None:
                    report.absent_dropped[reason] = report.absent_dropped.get(reason, 0) + 1
            handled = done + 1
        except Cancelled:
            report.cancelled = True
            break
    report.seconds = time.perf_counter() - started
    if progress is not None:
        progress(_progress(handled, len(passages), started, report, Stage.DONE))
    return report


def _ask(model: ChatModel, messages: list[Message], schema: dict[str, Any],
         cancel: threading.Event | None) -> dict[str, Any] | None:
    try:
        return model.complete_json(messages, schema, max_tokens=MAX_TOKENS, cancel=cancel)
    except EngineError:
        raise
    except ModelError:
        return None


def _try_pair(model: ChatModel, passage: Passage, search: Callable[[str], list[Hit]],
              cancel: threading.Event | None, seen: set[str], report: GenerationReport) -> str | None:
    reply = _ask(model, pair_messages(passage), PAIR_SCHEMA, cancel)
    if reply is None:
        return NO_JSON
    question, answer = " ".join(reply["question"].split()), " ".join(reply["answer"].split())
    if _key(question) in seen:
        return DUPLICATE
    hits = search(question) if pair_checks.shape_ok(question, answer) else []
    reason = pair_checks.check_pair(
        question, answer, passage.text, hits, passage.chunk_id, passage.title
    )
    if reason is None:
        seen.add(_key(question))
        rank = pair_checks.retrieval_rank(hits, passage.chunk_id)
        report.questions.append(Question(
            question, answer.rstrip("."), gold_file=passage.path, gold_page=passage.page,
            kind=Kind.ANSWERABLE, origin=Origin.GENERATED, note=f"generated; source ranked {rank}",
        ))
        report.kept += 1
    return reason


def _try_absent(model: ChatModel, passage: Passage, search: Callable[[str], list[Hit]],
                cancel: threading.Event | None, seen: set[str], report: GenerationReport) -> str | None:
    reply = _ask(model, absent_messages(passage), ABSENT_SCHEMA, cancel)
    if reply is None:
        return NO_JSON
    question = " ".join(reply["question"].split())
    if _key(question) in seen:
        return DUPLICATE
    relevant = select_passages(question, search(question), 3) if question else []
    reason = pair_checks.check_absent(question, passage.text, relevant)
    if reason is None:
        seen.add(_key(question))
        report.questions.append(Question(
            question, "", kind=Kind.ABSENT, origin=Origin.GENERATED,
            note="generated; nothing relevant found in the library",
        ))
        report.absent_kept += 1
    return reason


def _progress(done: int, total: int, started: float, report: GenerationReport,
              stage: Stage = Stage.GENERATING) -> Progress:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if done and elapsed > 0 else 0.0
    return Progress(
        stage=stage, done=done, total=total, rate=rate,
        eta_s=(total - done) / rate if rate else None,
        current=f"{report.kept + report.absent_kept} questions kept",
    )
