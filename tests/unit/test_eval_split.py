"""The seeded split: deterministic, 70/30 within each kind, independent of order."""

from __future__ import annotations

import random

from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.core.evaluate.split import assign_splits, held_out_count, split_for


def _items(n: int, absent: int = 0) -> list[Question]:
    return [Question(f"Question number {i}?", "x") for i in range(n)] + [
        Question(f"Absent question {i}?", kind=Kind.ABSENT) for i in range(absent)
    ]


def test_each_kind_is_split_seventy_thirty() -> None:
    split = assign_splits(_items(30, absent=10))
    test = [q for q in split if q.split == Split.TEST]
    assert sum(q.kind == Kind.ANSWERABLE for q in test) == 9
    assert sum(q.kind == Kind.ABSENT for q in test) == 3


def test_the_split_does_not_depend_on_order_and_changes_with_the_seed() -> None:
    items = _items(40)
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    first = {q.question: q.split for q in assign_splits(items)}
    again = {q.question: q.split for q in assign_splits(shuffled)}
    assert first == again
    other = {q.question: q.split for q in assign_splits(items, seed=1)}
    assert other != first


def test_small_groups_still_get_a_test_item() -> None:
    assert held_out_count(0, 0.3) == 0
    assert held_out_count(1, 0.3) == 0
    assert held_out_count(2, 0.3) == 1
    assert held_out_count(10, 0.3) == 3
    assert held_out_count(10, 0.0) == 0


def test_one_item_on_its_own_gets_a_stable_split() -> None:
    picks = [split_for(f"Question {i}?") for i in range(400)]
    assert picks == [split_for(f"Question {i}?") for i in range(400)]
    assert 0.22 < picks.count(Split.TEST) / 400 < 0.38
