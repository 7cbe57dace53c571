"""The training-set builder with a fake search and a word-count tokenizer: what is dropped and why
(gold not retrieved, too long for the context, holding a held-out question), the test split refused."""

from __future__ import annotations

import pytest

from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.core.finetune.examples import build_training_set
from ragtune.core.finetune.types import GROUNDED
from ragtune.core.types import Hit
from ragtune.settings import Settings

DOCS = {
    "fees.md": "Members pay a late fee of 25 cents per day for every adult item.",
    "loans.md": "Books may be borrowed for 21 days and renewed twice.",
    "garden.md": "The solar lamp charges in eight hours of direct sunlight.",
}


def _hit(i: int, path: str) -> Hit:
    return Hit(i, i, path, path, 1, 0, len(DOCS[path]), DOCS[path], 1.0 / i, vector_similarity=0.5)


def search(question: str) -> list[Hit]:
    return [_hit(i, p) for i, p in enumerate(DOCS, start=1)]


def words(messages: list[dict[str, str]]) -> int:
    return sum(len(m["content"].split()) for m in messages)


ITEMS = [
    Question("What is the late fee?", "25 cents per day", gold_file="fees.md", split=Split.TRAIN, id=1),
    Question("How long can books be borrowed?", "21 days", gold_file="loans.md", split=Split.TRAIN, id=2),
    Question("Who founded the library?", "Ada", gold_file="history.md", split=Split.TRAIN, id=3),
    Question("Is there parking?", kind=Kind.ABSENT, split=Split.TRAIN, id=4),
]


def test_counts_and_drops() -> None:
    report = build_training_set(ITEMS, search, words, 4096, Settings(passages=2), decline_share=0.0)
    # no declines at all: the absent item too is beyond the share (issue 20)
    assert (report.grounded, report.decline, report.absent, report.skipped_no_gold) == (2, 0, 0, 1)
    assert report.over_share == 1
    third = build_training_set(ITEMS, search, words, 4096, Settings(passages=2), decline_share=0.34)
    assert (third.grounded, third.decline, third.absent, third.over_share) == (2, 0, 1, 0)  # 1 of 3 declines
    half = build_training_set(ITEMS, search, words, 4096, Settings(passages=2), decline_share=0.67)
    assert (half.grounded, half.decline, half.absent) == (1, 1, 1)  # 2 of 3: the absent item, then a left-out gold
    many_absent = [*ITEMS, *(Question(f"Is there a {w}?", kind=Kind.ABSENT, split=Split.TRAIN, id=10 + i)
                             for i, w in enumerate(("cafe", "lift")))]
    third_again = build_training_set(many_absent, search, words, 4096, Settings(passages=2), decline_share=0.34)
    # three absent items but only one fits beside two grounded ones: declines stay a third of all
    assert (third_again.grounded, third_again.decline, third_again.absent, third_again.over_share) == (2, 0, 1, 2)
    first = report.examples[0]
    assert first.kind == GROUNDED
    assert first.messages[-1]["content"] in ("25 cents per day [1].", "25 cents per day [2].")
    assert len(first.chunk_ids) == 2

    tight = build_training_set(ITEMS, search, words, 150, Settings(passages=2, max_answer_tokens=8))
    assert tight.examples == []
    assert tight.too_long == 3

    held = build_training_set(ITEMS, search, words, 4096, Settings(), decline_share=0.34,
                              held_out=[Question("is there PARKING?")])
    assert held.held_out == 1
    assert held.absent == 0


def test_the_test_split_and_a_bad_share_are_refused() -> None:
    with pytest.raises(ValueError, match="train split"):
        build_training_set([*ITEMS, Question("Q?", "A", split=Split.TEST)], search, words, 4096, Settings())
    with pytest.raises(ValueError, match="between 0 and 1"):
        build_training_set(ITEMS, search, words, 4096, Settings(), decline_share=1.2)


def test_a_held_out_items_passage_never_reaches_an_example() -> None:
    """The passage-level leak rule: the test item's gold passage (its file, stating its answer) is
    no distractor, and a train item whose gold passage it is gets no example."""
    test_item = Question("For how many days may a book be borrowed?", "21 days", gold_file="loans.md",
                         split=Split.TEST, id=9)
    report = build_training_set(ITEMS, search, words, 4096, Settings(passages=3), decline_share=0.0,
                                held_out=[test_item])
    loans_chunk = 2
    assert report.examples
    assert all(loans_chunk not in ex.chunk_ids for ex in report.examples)
    assert all("renewed twice" not in m["content"] for ex in report.examples for m in ex.messages)
    assert report.held_out == 1  # "How long can books be borrowed?" shares that gold passage
    assert report.grounded == 1
