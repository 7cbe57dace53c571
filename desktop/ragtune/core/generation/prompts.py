"""Prompts: the fixed instructions (from ``resources/prompts``), numbered sources, and fitting them
into the context window by counting tokens with the model's own tokenizer.

The system message never changes between questions, so the engine's prompt cache evaluates it once.
Passages are trimmed to their most relevant sentences (a short prompt is a fast first token on a
small CPU model), then the prompt is shrunk until it leaves room for the answer: never an error.

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


def fit_prompt(
    question: str,
    hits: Sequence[Hit] | None,
    count_tokens: Callable[[list[Message]], int],
    n_ctx: int,
    answer_tokens: int,
    passage_chars: int = PASSAGE_CHARS,
) -> tuple[list[Message], list[Source], int]:
    """Messages that fit ``n_ctx`` with room for ``answer_tokens``; returns (messages, sources,
    answer tokens left). Drops the least relevant passages first, then trims the rest harder, then
    shortens the question itself, and finally the answer budget, so it never fails."""
    budget = max(8, n_ctx - MARGIN_TOKENS)
    answer_tokens = max(1, min(answer_tokens, budget // 2))
    limit = passage_chars
    chosen = list(hits or [])
    while True:
        sources = [Source(i + 1, h, trim_passage(h.text, question, limit)) for i, h in enumerate(chosen)]
        messages = rag_messages(question, sources) if hits is not None else plain_messages(question)
        used = count_tokens(messages)
        if used + answer_tokens <= budget:
            return messages, sources, answer_tokens
        if len(chosen) > 1:
            chosen.pop()
        elif chosen and limit > 80:
            limit //= 2
        elif len(question) > 40:
            question = question[: max(40, len(question) * 2 // 3)].rstrip() + "…"
        elif chosen:
            chosen.pop()
        else:
            # nothing left to cut but the answer budget
            return messages, sources, max(1, budget - used)
