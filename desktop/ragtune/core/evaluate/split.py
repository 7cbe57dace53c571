"""The seeded train/test split of a question set.

Deterministic: an item's place depends only on the seed and its own question text (normalized), not
on the order items were added or the machine, so the same set splits the same way everywhere. Within
each kind (answerable, absent) the items are ordered by ``sha256(seed:question)`` and the first
``round(n * test_share)`` go to ``test`` (at least one when a kind has two items or more), the rest
to ``train``. Identical questions get the same hash, so they sit side by side and, apart from a
pair cut at the boundary, land in the same split. Verdicts are computed on ``test``; training data
is built from ``train`` only.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import replace

from ragtune.core.evaluate.questions import Kind, Question, Split

DEFAULT_TEST_SHARE = 0.3
DEFAULT_SEED = 0


def _key(seed: int, question: str) -> str:
    text = " ".join(question.lower().split())
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


def held_out_count(n: int, test_share: float) -> int:
    """How many of ``n`` items of one kind go to the test split."""
    if n <= 0:
        return 0
    wanted = math.floor(n * test_share + 0.5)
    if n >= 2 and test_share > 0:
        wanted = max(wanted, 1)
    return min(wanted, n)


def assign_splits(
    items: Sequence[Question], test_share: float = DEFAULT_TEST_SHARE, seed: int = DEFAULT_SEED
) -> list[Question]:
    """``items`` in their order, each with its split (see the module docstring)."""
    if not 0.0 <= test_share <= 1.0 or math.isnan(test_share):
        raise ValueError(f"the test share must be between 0 and 1 (got {test_share})")
    split_of: dict[int, Split] = {}
    for kind in Kind:
        group = sorted(
            (i for i, q in enumerate(items) if q.kind == kind), key=lambda i: _key(seed, items[i].question)
        )
        cut = held_out_count(len(group), test_share)
        for place, i in enumerate(group):
            split_of[i] = Split.TEST if place < cut else Split.TRAIN
    return [replace(q, split=split_of[i]) for i, q in enumerate(items)]


def split_for(question: str, test_share: float = DEFAULT_TEST_SHARE, seed: int = DEFAULT_SEED) -> Split:
    """The split of one item added on its own (written in the window): ``test`` when its hash,
    read as a fraction of 1, falls under ``test_share``; the same seed and text always agree."""
    fraction = int(_key(seed, question)[:12], 16) / float(16**12)
    return Split.TEST if fraction < test_share else Split.TRAIN
