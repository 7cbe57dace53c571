"""The adapter's strength chosen by measurement (issue 20), never on the test split.

Before training, a **validation part** is carved from the train split (``validation_part``: each
answerable question whose text hashes under ``VALIDATION_SHARE``) and kept out of the training
examples. The rule looks at each question alone, never at the others or at how many there are, so
the part the bench uses later is the part training left out, even when questions were added or
marked in between (a question added since falls on one side or the other, and was trained on by
neither). After training, the bench answers the validation questions with RAG + the adapter at
each of ``STRENGTHS`` and ``choose`` picks the one with the most correct answers net of answerable
questions declined (a tie goes to the lower strength: closer to the model as it was). The test
split is then judged at that strength. With fewer than ``MIN_VALIDATION`` validation questions
nothing is chosen: the adapter is judged at full strength and the bench says so.

Tried as a new user would on five real papers, the same adapter was "no better than RAG" at 100 %
and nearly doubled the right answers at 50 % (issue 20): the strength is part of the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ragtune.core.adapter_strength import StrengthChoice, StrengthScore
from ragtune.core.evaluate.questions import Kind, Question, Split

STRENGTHS = (0.25, 0.5, 0.75, 1.0)
VALIDATION_SHARE = 0.25
#: fewer validation questions than this choose nothing (the adapter stays at full strength)
MIN_VALIDATION = 2
#: the validation part's seed (apart from the split's, so the two cuts are independent)
SALT = "validation"


def _key(question: str) -> str:
    return hashlib.sha256(f"{SALT}:{' '.join(question.lower().split())}".encode()).hexdigest()


def in_validation(question: str) -> bool:
    """Whether a train item asking ``question`` belongs to the validation part: its text's hash,
    read as a fraction of 1, falls under ``VALIDATION_SHARE``."""
    return int(_key(question)[:12], 16) / float(16**12) < VALIDATION_SHARE


def validation_part(train: Sequence[Question]) -> list[Question]:
    """The train items kept out of training to choose the strength on (see the module): answerable
    train-split items only, never a test item (``ValueError`` if one is given)."""
    if any(q.split is not Split.TRAIN for q in train):
        raise ValueError("the validation part is carved from the train split only")
    return [q for q in train if q.kind is Kind.ANSWERABLE and q.expected and in_validation(q.question)]


def choose(scores: Sequence[StrengthScore], set_name: str = "") -> StrengthChoice:
    """The strength with the best score (correct minus declined); a tie goes to the lower strength."""
    if not scores:
        raise ValueError("no strength was measured")
    best = max(scores, key=lambda s: (s.score, -s.strength))
    return StrengthChoice(best.strength, list(scores), set_name, max(s.answerable for s in scores))
