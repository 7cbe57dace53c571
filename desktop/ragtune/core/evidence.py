"""Evidence: the sentence of a passage an answer rests on, and the span in it that carries the fact.

A person should not have to open a page to see why an answer says what it says. For each cited
passage Ragtune picks one sentence (two when the first is a short fragment without the fact) and marks the words of the
fact in it:

- **which sentence**: the one that shares most with the answer's own new words and numbers (one
  lacking a number the answer states loses heavily), then with the question (each word weighted by how rare it is
  among the passages' sentences, a number counting when the question asks for a quantity), and that
  names the things the question names (``core.key_terms``) rather than a sibling of them: asked
  about BERT-Large, the sentence about BERT-Base loses to the one about BERT-Large.
- **the mark**: the longest run of the sentence's words that the answer adds to the question
  (``3.57%``, ``degradation problem``, ``Ivo Danihelka and Tom Schaul``). Without an answer (a
  recovery that quotes the evidence), the number nearest the question's words when it asks for a
  quantity.
- PDF text runs tables and captions together without full stops: a "sentence" longer than
  ``MAX_UNIT_CHARS`` is cut at line breaks, then at spaces, so evidence stays a sentence's length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ragtune.core.answer_checks import added_words, asks_quantity, without_markers
from ragtune.core.key_terms import asked_part, key_terms, mentions, siblings
from ragtune.core.text_match import STOPWORDS, content_words, numbers, sentence_spans, word_spans

#: longest piece of a passage that counts as one sentence
MAX_UNIT_CHARS = 320
#: a sentence shorter than this is shown with the one after it
SHORT_UNIT_CHARS = 40
#: weights of the parts of a sentence's score
ANSWER_WEIGHT = 4.0
NAME_WEIGHT = 1.5
QUANTITY_BONUS = 1.0
#: stopwords (and at most this many of them) may sit inside a marked run ("Danihelka and Tom")
MARK_GAP = 2
#: what holding the answer's first figure is worth to a run of marked words, in words
FIGURE_HITS = 3
#: a word this short right after a marked figure is its unit ("7 h", "16 GB", "3 ms")
UNIT_CHARS = 4


@dataclass(frozen=True)
class Evidence:
    """A sentence of a passage, as character offsets in the passage, and the marked span in it
    (``mark_start`` -1 when nothing could be marked)."""

    start: int
    end: int
    mark_start: int = -1
    mark_end: int = -1
    score: float = 0.0

    def sentence(self, passage: str) -> str:
        return passage[self.start : self.end]

    def mark(self, passage: str) -> str:
        return passage[self.mark_start : self.mark_end] if self.mark_start >= 0 else ""


def units(passage: str) -> list[tuple[int, int]]:
    """The sentences of ``passage`` (only punctuation ends one: PDF lines break anywhere), long
    runs cut at line breaks and spaces into pieces of at most ``MAX_UNIT_CHARS``."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(passage, paragraphs=False):
        if end - start <= MAX_UNIT_CHARS:
            spans.append(_strip(passage, start, end))
            continue
        piece_start = start
        while piece_start < end:
            piece_end = min(end, piece_start + MAX_UNIT_CHARS)
            if piece_end < end:
                window = passage[piece_start:piece_end]
                cut = window.rfind("\n")
                if cut < MAX_UNIT_CHARS // 3:
                    cut = window.rfind(" ")
                if cut > 0:
                    piece_end = piece_start + cut
            if passage[piece_start:piece_end].strip():
                spans.append(_strip(passage, piece_start, piece_end))
            piece_start = piece_end
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces, nor the closing punctuation a chunk can start with."""
    while start < end and (text[start].isspace() or text[start] in ")]},;:."):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Focus:
    """What the question asks, weighed against a set of passages: its words by rarity among the
    passages' sentences, its names, whether it asks for a quantity; and the answer's new words."""

    def __init__(self, question: str, passages: Sequence[str], answer: str = "") -> None:
        self.question = question
        self.quantity = asks_quantity(question)
        self.names = key_terms(question)
        self.wanted = content_words(asked_part(question))  # a pasted text's words are not asked
        sentences = [passage[s:e] for passage in passages for s, e in units(passage)]
        count = max(1, len(sentences))
        bags = [content_words(s) for s in sentences]
        self.weight = {
            w: math.log(1 + count / df) for w in self.wanted if (df := sum(1 for b in bags if w in b))
        }
        self.answer_new = added_words(question, answer) if answer.strip() else set()
        said = [w for _s, _e, w in word_spans(without_markers(answer)) if w[:1].isdigit() and w in self.answer_new]
        self.answer_numbers = set(said)
        self.first_figure = said[0] if said else ""

    def score(self, sentence: str) -> float:
        bag = content_words(sentence)
        score = sum(self.weight.get(w, 0.0) for w in bag & self.wanted)
        if self.quantity and re.search(r"\d", sentence):
            score += QUANTITY_BONUS
        for name in self.names:
            if mentions(sentence, name):
                score += NAME_WEIGHT
            elif siblings(name, sentence, limit=1):
                score -= NAME_WEIGHT
        if self.answer_new:
            have = bag | numbers(sentence)
            score += ANSWER_WEIGHT * len(self.answer_new & have) / len(self.answer_new)
            if self.answer_numbers and not self.answer_numbers <= have:
                score -= ANSWER_WEIGHT
        return score


def find_evidence(focus: Focus, passage: str) -> Evidence | None:
    """The sentence of ``passage`` the answer (or, without one, the question) rests on, with its
    mark; None when no sentence scores above zero."""
    spans = units(passage)
    scored = [(focus.score(passage[s:e]), i) for i, (s, e) in enumerate(spans)]
    if not scored:
        return None
    best_score, best = max(scored, key=lambda pair: (pair[0], -pair[1]))
    if best_score <= 0:
        return None
    start, end = spans[best]
    mark = mark_span(focus, passage, start, end)
    if (mark is None or mark[1] > end) and end - start < SHORT_UNIT_CHARS and best + 1 < len(spans):
        end = spans[best + 1][1]  # a fragment ("Table 2.") without the fact: the next one too
        mark = mark_span(focus, passage, start, end)
    if mark is not None and mark[1] > end:
        mark = (mark[0], end)
    return Evidence(start, end, *(mark or (-1, -1)), score=best_score)


def ranked_evidence(focus: Focus, passages: Sequence[str], limit: int = 2) -> list[tuple[int, Evidence]]:
    """The best evidence of each passage, best first: (passage index, evidence), at most ``limit``."""
    found = [(i, e) for i, p in enumerate(passages) if (e := find_evidence(focus, p)) is not None]
    found.sort(key=lambda pair: -pair[1].score)
    return found[:limit]


def mark_span(focus: Focus, passage: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of ``passage[start:end]`` that carries the fact (offsets in the passage)."""
    tokens = [(s + start, e + start, key) for s, e, key in word_spans(passage[start:end])]
    if focus.answer_new:
        run = _longest_run(passage, tokens, focus)
        if run is not None:
            return _with_percent(passage, *run)
    if focus.quantity:
        return _number_near_question(tokens, passage, focus)
    return None


def _longest_run(passage: str, tokens: list[tuple[int, int, str]], focus: Focus) -> tuple[int, int] | None:
    """The span of the best run of tokens the answer adds (stopwords may bridge up to
    ``MARK_GAP``; a blank line ends a run): the most of them, a run holding the answer's first
    figure counted as ``FIGURE_HITS`` more (asked "how long", "7 h" beats "2.6 GHz Intel i5"); the
    first on a tie. A word of the question right after the run joins it (``16 Cloud TPUs``: the
    unit the question named), and so does a short word right after a figure (``7 h``)."""
    wanted, asked = focus.answer_new, focus.wanted
    best: tuple[int, int, int] | None = None  # score, start, end

    def apart(a: int, b: int) -> bool:
        return "\n\n" in passage[tokens[a][1] : tokens[b][0]]

    i = 0
    while i < len(tokens):
        if tokens[i][2] not in wanted:
            i += 1
            continue
        hits, j, last = 1, i + 1, i
        while j < len(tokens) and not apart(last, j):
            key = tokens[j][2]
            if key in wanted:
                hits, last = hits + 1, j
            elif key or j - last > MARK_GAP:
                break
            j += 1
        end = tokens[last][1]
        if last + 1 < len(tokens) and not apart(last, last + 1):
            after = tokens[last + 1]
            raw = passage[after[0] : after[1]]
            unit = tokens[last][2][:1].isdigit() and raw.isalpha() and len(raw) <= UNIT_CHARS
            if after[2] in asked or (unit and raw.lower() not in STOPWORDS):
                end = after[1]
        if focus.first_figure and any(t[2] == focus.first_figure for t in tokens[i : last + 1]):
            hits += FIGURE_HITS
        if best is None or hits > best[0]:
            best = (hits, tokens[i][0], end)
        i = last + 1
    return (best[1], best[2]) if best is not None else None


def _with_percent(passage: str, start: int, end: int) -> tuple[int, int]:
    """A marked number keeps its unit sign: ``3.57%``, not ``3.57``."""
    rest = passage[end : end + 2]
    if rest[:1] == "%" or rest[:2] == " %":
        end = passage.index("%", end) + 1
    return start, end


def _number_near_question(
    tokens: list[tuple[int, int, str]], passage: str, focus: Focus
) -> tuple[int, int] | None:
    """The number of the sentence nearest to one of the question's words (the first number when the
    sentence has none of them)."""
    asked = [i for i, t in enumerate(tokens) if t[2] and t[2] in focus.wanted]
    candidates = [
        i for i, t in enumerate(tokens) if t[2][:1].isdigit() and t[2] not in numbers(focus.question)
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda i: (min((abs(i - a) for a in asked), default=0), i))
    return _with_percent(passage, tokens[best][0], tokens[best][1])
