"""Prompts: the fixed instructions (from ``resources/prompts``), numbered sources, and fitting them
into the context window by counting tokens with the model's own tokenizer.

The system message never changes between questions, so the engine's prompt cache evaluates it once.
Passages are trimmed to their most relevant sentences (a short prompt is a fast first token on a
small CPU model), then the prompt is shrunk until it leaves room for the answer: never an error. A
long question gives way first (shortened, and the answer says so), so one passage stays whole.

Passages are data, never instructions. Control tokens are kept out by ``chat_tokens``; here each
passage is kept inside its own delimiters: a source is one line opened by ``[n] place:`` and closed
by a blank line, so its text has its whitespace collapsed (no line breaks, no blank line) and its
bracketed numbers written as ``(n)``: a document can neither close its passage nor open a fake one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ragtune import paths
from ragtune.core import locations
from ragtune.core.generation.engine import Message
from ragtune.core.text_match import content_words, sentence_spans
from ragtune.core.types import Hit

#: tokens kept free besides the answer (template tokens the count may miss, safety)
MARGIN_TOKENS = 16
#: a passage is trimmed to about this many characters of its best sentences (~ 80-100 tokens)
PASSAGE_CHARS = 420


@dataclass(frozen=True)
class Source:
    """One numbered passage as it is put in the prompt."""

    n: int
    hit: Hit
    text: str  # the trimmed passage text shown to the model


@lru_cache(maxsize=4)
def _template(name: str) -> str:
    path: Path = paths.resources_dir() / "prompts" / name
    return path.read_text(encoding="utf-8").strip()


def rag_system_prompt() -> str:
    return _template("rag_system.txt")


def plain_system_prompt() -> str:
    return _template("plain_system.txt")


def place(hit: Hit) -> str:
    """``manual.pdf, p. 30`` (or ``notes.md, section 2``) as a person cites it."""
    return locations.place(hit.path, hit.page)


_MARKER_LIKE = re.compile(r"\[(\s*\d{1,4}\s*)\]")


def inert(text: str) -> str:
    """``text`` as it may stand inside a passage: one line, no ``[n]`` that could pass for a
    source label (written ``(n)`` instead)."""
    return _MARKER_LIKE.sub(r"(\1)", " ".join(text.split()))


def trim_passage(text: str, question: str, limit: int = PASSAGE_CHARS) -> str:
    """The part of the passage that answers the question, within ``limit`` characters. Short
    passages come back whole.

    Sentences are scored by the question words they contain, each weighted by how rare it is in
    the passage (a word in every sentence says little), plus a bonus for a number when the question
    asks for a quantity. The best sentence is kept with its neighbours (the next one first, which
    often completes it), then other good sentences while there is room; all in their original order."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    spans = sentence_spans(text)
    if not spans:
        return text[:limit].rstrip() + "…"
    scores = _sentence_scores([text[s:e] for s, e in spans], question)
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    chosen = {best}
    used = spans[best][1] - spans[best][0]
    # grow a window around the best sentence, then add the next best sentences anywhere
    order = [best + 1, best - 1, best + 2, best - 2]
    order += sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    for i in order:
        if i in chosen or not 0 <= i < len(spans) or (i not in (best - 1, best + 1) and scores[i] <= 0):
            continue
        length = spans[i][1] - spans[i][0] + 1
        if used + length > limit:
            continue
        chosen.add(i)
        used += length
    pieces: list[str] = []
    previous = None
    for i in sorted(chosen):
        if previous is not None and i != previous + 1:
            pieces.append("…")
        pieces.append(text[spans[i][0] : spans[i][1]].strip())
        previous = i
    joined = " ".join(pieces)
    return joined[:limit].rstrip() + ("…" if len(joined) > limit else "")


_QUANTITY = re.compile(r"\b(how (long|many|much|often|far|old|big|large|high|hot|warm|cold)|what (time|temperature|year|date|age|size|percentage|price|fee|cost)|when|which year|number of)\b", re.I)


def _sentence_scores(sentences: list[str], question: str) -> list[float]:
    wanted = content_words(question)
    words = [content_words(s) for s in sentences]
    n = len(sentences)
    df = {w: sum(1 for ws in words if w in ws) for w in wanted}
    weight = {w: math.log(1 + n / df[w]) for w in wanted if df[w]}
    quantity = bool(_QUANTITY.search(question))
    scores = []
    for sentence, ws in zip(sentences, words, strict=True):
        score = sum(weight.get(w, 0.0) for w in ws & wanted)
        if quantity and score > 0 and any(ch.isdigit() for ch in sentence):
            score += 1.0
        scores.append(score)
    return scores


def sources_block(sources: Sequence[Source]) -> str:
    return "\n\n".join(f"[{s.n}] {inert(place(s.hit))}: {inert(s.text)}" for s in sources)


def rag_messages(question: str, sources: Sequence[Source]) -> list[Message]:
    user = f"Sources:\n{sources_block(sources)}\n\nQuestion: {question}"
    return [{"role": "system", "content": rag_system_prompt()}, {"role": "user", "content": user}]


def plain_messages(question: str) -> list[Message]:
    return [{"role": "system", "content": plain_system_prompt()}, {"role": "user", "content": question}]


#: a long question is shortened first, but never below this many characters (its start and its end)
MIN_QUESTION_CHARS = 200
#: the answer's budget is cut to no fewer than this many tokens before a passage is cut
MIN_ANSWER_TOKENS = 64


@dataclass(frozen=True)
class FittedPrompt:
    """A prompt that fits the context window, and what had to give way for it."""

    messages: list[Message]
    sources: list[Source]
    answer_tokens: int
    question: str  # as put in the prompt
    original_chars: int  # the question's length as asked
    n_ctx: int
    whole: bool = True  # False: not even one passage fits at its usual length beside the question

    @property
    def shortened(self) -> bool:
        return len(self.question) < self.original_chars

    def notes(self) -> list[str]:
        """What a person is told about the prompt (the answer's notes)."""
        if not self.shortened:
            return []
        return [
            f"Your question was shortened to {len(self.question):,} of its {self.original_chars:,} "
            f"characters (its beginning and its end were kept) to fit the model's context of "
            f"{self.n_ctx:,} tokens."
        ]


def shorten_question(question: str, chars: int) -> str:
    """``question`` in about ``chars`` characters: its first third and its end (where a long text
    usually puts the question itself), joined by " … ", cut between words."""
    text = " ".join(question.split())
    if len(text) <= chars:
        return text
    head = text[: chars // 3]
    tail = text[len(text) - (chars - len(head) - 3) :]
    head = head.rsplit(" ", 1)[0] if " " in head else head
    tail = tail.split(" ", 1)[1] if " " in tail else tail
    return f"{head.rstrip()} … {tail.lstrip()}"


def fit(
    question: str,
    hits: Sequence[Hit] | None,
    count_tokens: Callable[[list[Message]], int],
    n_ctx: int,
    answer_tokens: int,
    passage_chars: int = PASSAGE_CHARS,
) -> FittedPrompt:
    """A prompt that fits ``n_ctx`` with room for the answer. What gives way, in order: a long
    question (shortened until the best passage fits beside it whole), the least relevant passages,
    the answer's budget (down to ``MIN_ANSWER_TOKENS``); only in a tiny window is the last passage
    cut (``whole`` False: the answer path declines then). It never fails."""
    budget = max(8, n_ctx - MARGIN_TOKENS)
    answer_tokens = max(1, min(answer_tokens, budget // 2))
    chosen = list(hits or [])

    def build(asked: str, passages: list[Hit], limit: int) -> tuple[list[Message], list[Source], int]:
        sources = [Source(i + 1, h, trim_passage(h.text, asked, limit)) for i, h in enumerate(passages)]
        messages = rag_messages(asked, sources) if hits is not None else plain_messages(asked)
        return messages, sources, count_tokens(messages)

    def done(asked: str, built: tuple[list[Message], list[Source], int], tokens: int, whole: bool = True) -> FittedPrompt:
        return FittedPrompt(built[0], built[1], tokens, asked, len(question), n_ctx, whole)

    asked = question
    while len(asked) > MIN_QUESTION_CHARS and build(asked, chosen[:1], passage_chars)[2] + answer_tokens > budget:
        asked = shorten_question(question, max(MIN_QUESTION_CHARS, len(asked) * 2 // 3))
    while True:
        built = build(asked, chosen, passage_chars)
        if built[2] + answer_tokens <= budget:
            return done(asked, built, answer_tokens)
        if len(chosen) <= 1:
            break
        chosen.pop()
    if budget - built[2] >= min(answer_tokens, MIN_ANSWER_TOKENS):
        return done(asked, built, budget - built[2])
    limit = passage_chars  # a tiny window: the passage itself gives way, then goes
    while chosen and limit > 80:
        limit //= 2
        built = build(asked, chosen, limit)
        if built[2] + answer_tokens <= budget:
            return done(asked, built, answer_tokens, whole=False)
    if chosen:
        chosen.pop()
        built = build(asked, chosen, passage_chars)
    return done(asked, built, max(1, min(answer_tokens, budget - built[2])), whole=hits is None)


def fit_prompt(
    question: str,
    hits: Sequence[Hit] | None,
    count_tokens: Callable[[list[Message]], int],
    n_ctx: int,
    answer_tokens: int,
    passage_chars: int = PASSAGE_CHARS,
) -> tuple[list[Message], list[Source], int]:
    """:func:`fit` as (messages, sources, answer tokens left), for callers that need no notes."""
    fitted = fit(question, hits, count_tokens, n_ctx, answer_tokens, passage_chars)
    return fitted.messages, fitted.sources, fitted.answer_tokens
