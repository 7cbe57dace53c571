"""Whether an answer says something: the rules that catch an answer a person cannot use.

A small model often restates the question and cites the right page without the fact ("Label
smoothing was used when training the Transformer [1]."), or answers "how many" without a number.
Such an answer is not shown as it is: the answer path recovers (``core.answer_recovery``). The rules:

- **adds nothing**: the answer has no content word or number that the question lacks (citation
  markers, stopwords and words that only point at the sources, such as "paper" or "mentioned", do
  not count);
- **no number**: the question asks for a quantity, a date or a time ("how many", "what
  percentage", "when", "in which year") and the answer holds no digit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from enum import StrEnum

from ragtune.core.key_terms import key_terms
from ragtune.core.text_match import content_words, numbers, sentences

_MARKER = re.compile(r"\[\s*\d{1,3}(?:\s*[,;\-\u2013]\s*\d{1,3})*\s*\]")
#: questions whose answer is a number, a date or a time
QUANTITY = re.compile(
    r"^\s*when\b|\b(how (long|many|much|often|far|old|big|large|high|low|fast|slow|hot|warm|cold|"
    r"deep|wide|heavy|tall|small)|what (time|temperature|year|date|day|month|instant|age|size|"
    r"percentage|percent|fraction|share|proportion|ratio|rate|price|fee|cost|value|amount|number|"
    r"speed|length|width|depth|weight)|(which|what) (year|month|date|day)|in which (year|month)|"
    r"number of|how much)\b",
    re.IGNORECASE,
)
#: words an answer adds that say nothing about the asked thing
_FILLER = content_words(
    "paper papers study studies author authors use used uses using answer information mention "
    "mentioned mentions provide provided give given state stated states report reported find found "
    "according source sources document documents text passage passages question asked term "
    "roughly approximately around nearly almost exactly one two three four five six seven eight nine ten"
)


class AnswerProblem(StrEnum):
    """Why an answer is not shown as it came; the value is the sentence's middle, as in "the first
    answer {value}"."""

    ECHO = "only repeated the question"
    NO_NUMBER = "gave no number for a question that asks for one"
    UNSUPPORTED_FIGURE = "stated a figure that none of the passages holds"


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
#: share of the question's content words a sentence must hold to be quoted as its answer
QUOTE_COVERAGE = 0.5


def figures(text: str) -> set[str]:
    """The numbers of ``text`` as digits only (``51mm`` and ``51 mm`` both hold ``51``; ``1,200``
    is ``1200``). A document's own bracketed numbers (``[32]``, a reference) count."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _FIGURE.finditer(text)}


def unsupported_figures(question: str, answer: str, passages: Sequence[str]) -> set[str]:
    """The figures ``answer`` states (its citation markers left out) that neither the question nor
    any passage holds."""
    held = figures(question).union(*(figures(p) for p in passages)) if passages else figures(question)
    return figures(without_markers(answer)) - held


def quotable(question: str, sentence: str, passages: Sequence[str] = ()) -> bool:
    """Whether ``sentence`` may stand as a quoted answer to ``question``: it holds a figure the
    question lacks when one is asked, and the words that say what the question asks (its content
    words but the names it is about: "define", "refresh" and "token" of "How does RFC 7519 define
    a refresh token?"), each weighted by how rare it is among ``passages``' sentences (a word none
    of them has weighs most: "mass" in a question about body mass), for at least ``QUOTE_COVERAGE``
    of their weight."""
    if asks_quantity(question) and not figures(sentence) - figures(question):
        return False
    names = content_words(" ".join(key_terms(question)))  # what it is about, not what it asks
    wanted = {w for w in content_words(question) - _FILLER - names if not w[:1].isdigit()}
    if not wanted:
        return True
    bags = [content_words(s) for p in passages for s in sentences(p)] or [content_words(sentence)]
    weight = {w: math.log(1 + len(bags) / (0.5 + sum(1 for b in bags if w in b))) for w in wanted}
    have = content_words(sentence)
    found = sum(weight[w] for w in wanted if w in have or any(_same_word(w, h) for h in have))
    return found / sum(weight.values()) >= QUOTE_COVERAGE


def without_markers(text: str) -> str:
    return _MARKER.sub(" ", text)


def asks_quantity(question: str) -> bool:
    """Whether ``question`` asks for a number, a date or a time."""
    return bool(QUANTITY.search(question))


def added_words(question: str, answer: str) -> set[str]:
    """The content words and numbers of ``answer`` that ``question`` does not have."""
    plain = without_markers(answer)
    asked = content_words(question) | numbers(question)
    added = ((content_words(plain) | numbers(plain)) - asked) - _FILLER
    return {w for w in added if not any(_same_word(w, a) for a in asked)}


def _same_word(a: str, b: str) -> bool:
    """The crude stemmer's misses ("defin" of "defines", "define"): one word when they differ only
    in their last letter or two."""
    if a[:1].isdigit() or b[:1].isdigit():
        return False
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return common >= 4 and common >= min(len(a), len(b)) - 1


def answer_problem(question: str, answer: str, passages: Sequence[str] | None = None) -> AnswerProblem | None:
    """What is wrong with ``answer`` to ``question``, or None when it says something. With
    ``passages`` (what the answer was made from), a figure none of them holds is wrong too."""
    plain = without_markers(answer)
    if not plain.strip() or not added_words(question, answer):
        return AnswerProblem.ECHO
    if asks_quantity(question) and not figures(plain) - figures(question):
        return AnswerProblem.NO_NUMBER
    if passages is not None and unsupported_figures(question, answer, passages):
        return AnswerProblem.UNSUPPORTED_FIGURE
    return None
