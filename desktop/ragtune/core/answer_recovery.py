"""What the answer path does with an answer that says nothing, or that answers for a sibling, and
with a question whose names the passages never mention.

- **Before the model** (:func:`name_gap`): when a name or number the question is about (``GPT-4``,
  ``Nomic AI``, ``2023``: ``core.key_terms``) occurs in none of the passages, the model would
  answer with a neighbour's fact; the answer path declines instead, and says which sibling the
  passages do mention ("The passages found mention ResNet-152, but not ResNet-200").
- **After the model**: an answer that only repeats the question, or gives no number where one is
  asked (``core.answer_checks``), or whose evidence names a sibling of the asked thing while
  another passage names the thing itself (:func:`sibling_slip`), is made again from the evidence
  sentences alone with a tighter instruction (:func:`retry_messages`); when that still says
  nothing, the answer quotes the evidence sentence, labelled as a quote (:func:`quote_answer`),
  when that sentence can stand as an answer (``answer_checks.quotable``); otherwise it says that the
  passages do not state it, and shows the closest sentence (:func:`quote_answer` with
  ``CAVEAT_OPENING``). An answer that
  states a figure none of its passages holds is made again the same way.
  ``benchmarks/bench_evidence.py`` measures each recovery on real documents.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from ragtune.core.answer_checks import answer_problem, quotable
from ragtune.core.answer_types import Answer
from ragtune.core.evidence import Focus, ranked_evidence
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.generation.citations import Attribution, attribute
from ragtune.core.generation.engine import Message
from ragtune.core.generation.prompts import Source, rag_messages
from ragtune.core.key_terms import haystack, key_terms, mentions, missing_terms, siblings
from ragtune.core.types import Citation, Hit
from ragtune.errors import Cancelled, StreamInterrupted

#: added to the question when an answer is made again from its evidence sentences
RETRY_HINT = (
    "Answer with the exact number, date, name or term from the source that answers the question, "
    "in one short sentence."
)
QUOTE_OPENING = "The documents say:"
CAVEAT_OPENING = "The passages found do not state this clearly. The closest sentence is:"
_SOURCE_LINE = re.compile(r"\[\d{1,3}\]\s*[^:\n]{1,160}:")


class Recovery(StrEnum):
    """How an answer that says nothing is recovered (``benchmarks/bench_evidence.py`` compares)."""

    RETRY = "retry"  # made again from the evidence sentences; kept as it comes
    QUOTE = "quote"  # the evidence sentence, quoted
    RETRY_THEN_QUOTE = "retry-then-quote"  # made again; quoted when that says nothing either


@dataclass(frozen=True)
class NameGap:
    """Names of the question that no passage mentions, and siblings the passages do mention."""

    missing: list[str]
    siblings: list[str]

    def decline(self, searched: str, nearest: str) -> str:
        """The decline the answer path gives: what is missing, the siblings found instead (named
        only: whether the passages give the asked fact for them is not claimed), what was searched
        (``searched``: the question as quoted) and the closest passages (``nearest``)."""
        missing = _and(self.missing)
        if self.siblings:
            head = f"The passages found mention {_and(self.siblings)}, but not {missing}, so I will not guess."
        else:
            head = f"None of the passages found mentions {missing}, so I will not guess."
        return f"{head} I searched for: \u201c{searched}\u201d. The closest passages: {nearest}."


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def name_gap(question: str, passages: Sequence[Hit]) -> NameGap | None:
    """The question's strong names (``key_terms.is_strong``) that none of ``passages`` mentions,
    or None when all are there."""
    missing = missing_terms(question, [haystack(h) for h in passages], strong_only=True)
    if not missing:
        return None
    text = "\n".join(h.text for h in passages)
    found: list[str] = []
    for term in missing:
        found += [s for s in siblings(term, text) if s not in found]
    return NameGap(missing, found[:3])


def with_named_passages(question: str, chosen: list[Hit], others: Sequence[Hit]) -> list[Hit]:
    """``chosen``, with the last passage swapped for a found one that mentions the question's
    names the chosen ones miss (asked about BERT-Large, a passage that names it beats a fourth
    about BERT-Base)."""
    missing = missing_terms(question, [haystack(h) for h in chosen])
    if not missing or not chosen:
        return chosen
    for hit in others:
        if hit in chosen:
            continue
        if all(mentions(haystack(hit), term) for term in missing):
            return [*chosen[:-1], hit] if len(chosen) > 1 else [chosen[0], hit]
    return chosen


def sibling_slip(question: str, citations: Sequence[Citation], sources: Sequence[Source]) -> str:
    """The sibling an answer's evidence names instead of the asked thing, when another passage
    names the thing itself ("" when there is no such slip)."""
    if not citations:
        return ""
    evidence = "\n".join(c.text for c in citations)
    for term in key_terms(question):
        if mentions(evidence, term):
            continue
        slipped = siblings(term, evidence, limit=1)
        if slipped and any(mentions(s.hit.text, term) for s in sources):
            return slipped[0]
    return ""


def evidence_sources(question: str, sources: Sequence[Source], limit: int = 2) -> list[Source]:
    """The sources cut to their evidence sentence for ``question`` (best first, numbers kept)."""
    focus = Focus(question, [s.hit.text for s in sources])
    ranked = ranked_evidence(focus, [s.hit.text for s in sources], limit)
    return [Source(sources[i].n, sources[i].hit, e.sentence(sources[i].hit.text)) for i, e in ranked]


def retry_messages(question: str, sources: Sequence[Source]) -> list[Message]:
    """The prompt that makes an answer again from evidence sentences only."""
    return rag_messages(f"{question}\n{RETRY_HINT}", sources)


def quote_answer(sources: Sequence[Source], opening: str = "") -> str:
    """An answer that quotes the best evidence sentence after ``opening`` (``QUOTE_OPENING``: a
    labelled quote; ``CAVEAT_OPENING``: the closest sentence of passages that do not state it);
    "" without a sentence."""
    if not sources:
        return ""
    best = sources[0]
    sentence = " ".join(best.text.split())
    return f"{opening or QUOTE_OPENING} \u201c{sentence}\u201d [{best.n}]."


def copies_a_source(text: str) -> bool:
    """Whether an answer only copies a source as the prompt lists it ("[1] file.pdf, p. 7: …")."""
    return _SOURCE_LINE.match(text.strip()) is not None


def take(answer: Answer, attribution: Attribution) -> None:
    """Put an attributed text in ``answer``: its words, citations and unsupported sentences."""
    answer.text = attribution.text
    answer.citations = attribution.citations
    answer.unsupported_sentences = attribution.unsupported


def recover(
    engine: ChatModel,
    answer: Answer,
    sources: Sequence[Source],
    answer_tokens: int,
    temperature: float,
    cancel: threading.Event | None = None,
    how: Recovery = Recovery.RETRY_THEN_QUOTE,
    asked: str = "",
) -> bool:
    """Make ``answer`` again when it says nothing or answers for a sibling (see the module's
    docstring); returns whether it changed. Its notes say why and how; ``revised_from`` keeps the
    first text. A cancel or a dropped server during the retry leaves the first answer as it was.
    ``asked`` is the question as the first prompt put it (a long one is shortened to fit), so the
    retry fits the context too."""
    question = answer.question
    passages = [s.hit.text for s in sources]
    problem = answer_problem(question, answer.text, passages)
    slip = "" if problem is not None else sibling_slip(question, answer.citations, sources)
    if problem is None and not slip:
        return False
    reason = str(problem) if problem is not None else f"answered for {slip}"
    focused = evidence_sources(question, sources)
    if not focused:
        answer.notes.append(f"The model's answer {reason}, and no sentence of the passages answers it.")
        return False
    first, timings = answer.text, answer.timings
    remade: Attribution | None = None
    if how != Recovery.QUOTE:
        try:
            messages = retry_messages(asked or question, focused)
            text = "".join(engine.stream_chat(messages, answer_tokens, temperature, cancel))
        except Cancelled:
            answer.cancelled = True  # the first answer stays, marked as stopped
            return False
        except StreamInterrupted as exc:
            answer.error = str(exc)
            return False
        extra = engine.last_stats.timings()
        timings = replace(
            timings,
            total_s=timings.total_s + extra.total_s,
            completion_tokens=timings.completion_tokens + extra.completion_tokens,
        )
        remade = attribute(text.strip(), sources, question)
        good = answer_problem(question, remade.text, passages) is None and not copies_a_source(remade.text)
        if not good or (slip and sibling_slip(question, remade.citations, sources)):
            remade = remade if how == Recovery.RETRY else None
    said = "was made again from the evidence sentence alone"
    if remade is None and quotable(question, focused[0].text, passages):
        remade = attribute(quote_answer(focused), sources, question, evidence_answer="")
        said = "quotes the evidence sentence instead"
    elif remade is None:  # no sentence answers it: say so, and show the closest one
        remade = attribute(quote_answer(focused, CAVEAT_OPENING), sources, question, evidence_answer="")
        said = "says that the passages do not state it"
    take(answer, remade)
    answer.revised_from = first
    answer.timings = timings
    answer.notes.append(f"The model's first answer {reason}; this one {said}.")
    return True
