"""One answer: pick the relevant passages, show them, prompt the model, stream, cite.

- Retrieval decides first: when no passage is relevant to the question, Ragtune declines and says
  what it searched, instead of letting a small model invent an answer.
- The sources go to the caller (``on_sources``) before the model starts, so a person reads the
  evidence while the answer is written.
- Citations come from attributing answer sentences to passages (``generation.citations``), each
  narrowed to its evidence: the sentence the answer rests on, with the fact marked (``evidence``).
- A question about a name no passage mentions is declined, saying which sibling the documents do
  cover; an answer that says nothing, or answers for a sibling, is made again or quotes its
  evidence (``answer_recovery``).
- A sentence carrying a link, e-mail or phone number that a passage planted next to instructions to
  the model is flagged (``instruction_like.steered_sentences``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from ragtune.core.answer_recovery import (
    Recovery,
    name_gap,
    recover,
    take,
    with_named_passages,
)
from ragtune.core.answer_types import AdapterSpec, Answer, Timings, mode_for
from ragtune.core.generation.chat_model import ChatModel
from ragtune.core.generation.citations import CitingStream
from ragtune.core.generation.prompts import fit, place
from ragtune.core.instruction_like import steered_sentences
from ragtune.core.text_match import content_words
from ragtune.core.types import Hit
from ragtune.errors import Cancelled, StreamInterrupted
from ragtune.settings import Settings

#: cosine similarity (query vs chunk) above which a passage counts as relevant on its own
RELEVANT_SIMILARITY = 0.42
#: below this a passage is never relevant, whatever words it shares with the question
MIN_SIMILARITY = 0.18
#: share of the question's content words a passage must contain when its similarity is middling
MIN_KEYWORD_COVERAGE = 0.5

DECLINE_TEXT = (
    "I could not find this in the library's documents, so I will not guess. "
    "I searched for: \u201c{question}\u201d."
)
#: a question is quoted back in a message up to this many characters (a 20 MB question must not
#: come back as a 20 MB decline)
QUOTE_CHARS = 200


def quote_question(question: str) -> str:
    """``question`` as a message quotes it: whitespace collapsed, cut to ``QUOTE_CHARS`` with "…"."""
    text = " ".join(question.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rstrip() + "\u2026"


def is_relevant(question: str, hit: Hit) -> bool:
    """A calibrated gate on one retrieved passage (see ``benchmarks/bench_answers.py``)."""
    similarity = hit.vector_similarity
    if similarity is None:
        similarity = 0.0
    if similarity >= RELEVANT_SIMILARITY:
        return True
    if similarity < MIN_SIMILARITY:
        return False
    wanted = content_words(question)
    if not wanted:
        return False
    have = content_words(f"{hit.title} {hit.text}")
    return len(wanted & have) / len(wanted) >= MIN_KEYWORD_COVERAGE


def select_passages(question: str, hits: Sequence[Hit], limit: int) -> list[Hit]:
    """The best ``limit`` relevant passages, at most one per (document, page) twin text."""
    chosen: list[Hit] = []
    seen: set[str] = set()
    for hit in hits:
        key = " ".join(hit.text.split())[:200]
        if key in seen or not is_relevant(question, hit):
            continue
        seen.add(key)
        chosen.append(hit)
        if len(chosen) >= limit:
            break
    return chosen


def answer_question(
    engine: ChatModel,
    question: str,
    hits: Sequence[Hit] | None,
    settings: Settings,
    adapters: Sequence[AdapterSpec] = (),
    on_sources: Callable[[list[Hit]], None] | None = None,
    on_token: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    model_name: str = "",
    recovery: Recovery | None = Recovery.RETRY_THEN_QUOTE,
) -> Answer:
    """Answer ``question``; ``hits`` None means no retrieval (the model alone). An answer that
    says nothing is recovered by ``recovery`` (None: shown as it came, for measuring)."""
    started = time.perf_counter()
    rag = hits is not None
    mode = mode_for(rag, adapters)
    answer = Answer(question, "", mode, model_name or engine.info.name, adapters=list(adapters))
    passages = select_passages(question, hits, settings.passages) if hits is not None else []
    gap = None
    if rag and passages:
        others = [h for h in hits or [] if (h.vector_similarity or 0.0) >= MIN_SIMILARITY]
        passages = with_named_passages(question, passages, others)
        gap = name_gap(question, passages)
    if rag and (not passages or gap is not None):
        answer.declined = True
        nearest = ", ".join(dict.fromkeys(place(h) for h in passages[:3]))
        answer.text = _decline_text(question, hits or []) if gap is None else gap.decline(quote_question(question), nearest)
        if on_sources is not None:
            on_sources([])
        answer.timings = Timings(total_s=time.perf_counter() - started)
        return answer
    engine.set_adapters([a for a in adapters if a.scale != 0])
    fitted = fit(
        question,
        passages if rag else None,
        engine.count_chat_tokens,
        engine.n_ctx,
        settings.max_answer_tokens,
    )
    if not fitted.whole:  # not even one passage fits beside the question: no answer made up
        answer.declined = True
        answer.text = (
            f"Your question is too long to answer from the documents: with it, not even one passage "
            f"fits in the model's context ({engine.n_ctx:,} tokens). Ask it in fewer words."
        )
        if on_sources is not None:
            on_sources([])
        answer.timings = Timings(total_s=time.perf_counter() - started)
        return answer
    messages, sources, answer_tokens = fitted.messages, fitted.sources, fitted.answer_tokens
    answer.notes = fitted.notes()
    answer.sources = [s.hit for s in sources]
    if on_sources is not None:
        on_sources(list(answer.sources))
    # with sources, the stream shows each sentence's final citation numbers (CitingStream)
    citing = CitingStream(sources, question) if rag else None
    pieces: list[str] = []

    def show(text: str) -> None:
        pieces.append(text)
        if text and on_token is not None:
            on_token(text)

    try:
        for piece in engine.stream_chat(messages, answer_tokens, settings.temperature, cancel):
            show(citing.feed(piece) if citing is not None else piece)
    except Cancelled:
        answer.cancelled = True
    except StreamInterrupted as exc:  # a server cut the answer off: keep what came, say why
        answer.error = str(exc)
    answer.timings = engine.last_stats.timings()
    if citing is not None:
        show(citing.finish())
        take(answer, citing.result())
        if recovery is not None and not answer.cancelled and not answer.error:
            recover(engine, answer, sources, answer_tokens, settings.temperature, cancel, recovery, fitted.question)
        answer.flagged_sentences = steered_sentences(question, answer.text, [h.text for h in answer.sources])
    else:
        answer.text = "".join(pieces).strip()
    return answer


def _decline_text(question: str, hits: Sequence[Hit]) -> str:
    text = DECLINE_TEXT.format(question=quote_question(question))
    if hits:
        nearest = ", ".join(dict.fromkeys(place(h) for h in hits[:3]))
        text += f" The closest passages ({nearest}) do not answer it."
    else:
        text += " The library has no matching passages."
    return text
