"""Absent questions made without the model: a kept question about a named thing, asked about a
sibling the library does not cover (issue 20).

"How many layers does ResNet-152 have?" becomes "How many layers does ResNet-200 have?" when no
passage of the library names ResNet-200; "What share of bridges were deficient in 2019?" becomes
the same question about 2021. The name changed is one with a digit (``core.key_terms``: a model, a
version, a product number, a year); the sibling is the next round number above it (152 → 200,
34 → 40, 4 → 5), else twice it, else one more; a year becomes the next years, then the years before.
A swapped question is kept only when the answer path would decline it: retrieval, with its search
for names the best hits miss (``core.named_search``), finds no passage that mentions the new name
(the name rule of ``core.answer_recovery``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.key_terms import haystack, is_strong, key_terms, mentions
from ragtune.core.types import Hit

#: sibling names tried per question
MAX_TRIES = 3
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")

# reason codes (a report counts the dropped absent questions by them)
NO_NAME = "no name to change"
FOUND = "found in library"


def round_up(n: int) -> int:
    """The next number above ``n`` with one significant digit (152 → 200, 34 → 40, 4 → 5)."""
    if n < 10:
        return n + 1
    step = 10 ** (len(str(n)) - 1)
    return (n // step + 1) * step


def sibling_numbers(number: str) -> Iterator[str]:
    """Numbers to put in place of ``number`` in a name, most plausible first."""
    n = int(number)
    if _YEAR.fullmatch(number):
        candidates = [n + 1, n + 2, n - 1, n - 2]
    else:
        candidates = [round_up(n), 2 * n, n + 1]
    seen: set[int] = {n}
    for c in candidates:
        if c > 0 and c not in seen:
            seen.add(c)
            yield str(c)


def siblings_of(term: str) -> Iterator[str]:
    """Names of the same family as ``term``: its last number changed (``ResNet-152`` →
    ``ResNet-200``, ``GPT-4`` → ``GPT-5``, ``2019`` → ``2020``)."""
    matches = list(_DIGITS.finditer(term))
    if not matches:
        return
    last = matches[-1]
    for number in sibling_numbers(last.group(0)):
        yield term[: last.start()] + number + term[last.end() :]


def swappable(question: Question) -> str:
    """The name of ``question`` to change: its first strong name with a digit that its answer does
    not hold; "" when there is none."""
    for term in key_terms(question.question):
        if is_strong(term) and _DIGITS.search(term) and not any(mentions(a, term) for a in question.expected):
            return term
    return ""


def swap_absent(
    question: Question, search: Callable[[str], list[Hit]]
) -> tuple[Question | None, str | None]:
    """An absent question made from ``question`` (answerable, kept), and None; or None and why
    none could be made. ``search`` is the answer path's retrieval (``Library.passages_for``)."""
    term = swappable(question)
    if not term:
        return None, NO_NAME
    for tries, sibling in enumerate(siblings_of(term)):
        if tries >= MAX_TRIES:
            break
        text = _replace_term(question.question, term, sibling)
        if text == question.question:
            return None, NO_NAME  # the name is not written as found (it cannot be changed)
        hits = search(text)
        if not any(mentions(haystack(h), sibling) for h in hits):
            return Question(
                text, "", kind=Kind.ABSENT, origin=Origin.GENERATED,
                note=f"generated: {term} changed to {sibling}, which no passage mentions",
            ), None
    return None, FOUND


def _replace_term(text: str, term: str, sibling: str) -> str:
    """``text`` with its first ``term`` replaced by ``sibling``."""
    at = text.find(term)
    return text if at < 0 else text[:at] + sibling + text[at + len(term) :]
