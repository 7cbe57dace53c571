"""The adapter's strength chosen by measurement (issue 20), never on the test split.

Before training, a **validation part** is carved from the train split (``validation_part``: a
seeded share of its answerable questions, by a hash of each question's text, so the same set
carves the same way) and kept out of the training examples. After training, the bench answers the
validation questions with RAG + the adapter at each of ``STRENGTHS`` and ``choose`` picks the one
with the most correct answers net of answerable questions declined (a tie goes to the lower
strength: closer to the model as it was). The test split is then judged at that strength. A set
whose train split has fewer than ``MIN_TRAIN`` answerable questions has no validation part: the
adapter is judged at full strength and the bench says so.

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
#: a train split with fewer answerable questions keeps them all for training
MIN_TRAIN = 8
#: the validation part's seed (apart from the split's, so the two cuts are independent)
SALT = "validation"


def _key(question: str) -> str:
    return hashlib.sha256(f"{SALT}:{' '.join(question.lower().split())}".encode()).hexdigest()


def validation_part(train: Sequence[Question]) -> list[Question]:
    """The train items kept out of training to choose the strength on (see the module); only
    train-split answerable items, never a test item (``ValueError`` if one is given)."""
    if any(q.split is not Split.TRAIN for q in train):
        raise ValueError("the validation part is carved from the train split only")
    answerable = [q for q in train if q.kind is Kind.ANSWERABLE and q.expected]
    if len(answerable) < MIN_TRAIN:
        return []
    count = max(2, round(len(answerable) * VALIDATION_SHARE))
    return sorted(answerable, key=lambda q: _key(q.question))[:count]


def choose(scores: Sequence[StrengthScore], set_name: str = "") -> StrengthChoice:
    """The strength with the best score (correct minus declined); a tie goes to the lower strength."""
    if not scores:
        raise ValueError("no strength was measured")
    best = max(scores, key=lambda s: (s.score, -s.strength))
    return StrengthChoice(best.strength, list(scores), set_name, max(s.answerable for s in scores))
