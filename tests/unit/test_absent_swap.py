"""Absent questions made without the model (``core.evaluate.absent_swap``): the name changed, the
sibling chosen, and the rule that keeps a swapped question only when no passage names it."""

from __future__ import annotations

from ragtune.core.evaluate.absent_swap import (
    FOUND,
    NO_NAME,
    round_up,
    siblings_of,
    swap_absent,
    swappable,
)
from ragtune.core.evaluate.questions import Kind, Origin, Question
from ragtune.core.types import Hit


def hit(text: str) -> Hit:
    return Hit(1, 1, "/d/resnet.pdf", "Deep Residual Learning", 3, 0, len(text), text, 0.2)


def test_siblings_are_the_next_round_numbers() -> None:
    assert [round_up(n) for n in (4, 19, 34, 152, 2040)] == [5, 20, 40, 200, 3000]
    assert list(siblings_of("ResNet-152")) == ["ResNet-200", "ResNet-304", "ResNet-153"]
    assert list(siblings_of("2019")) == ["2020", "2021", "2018", "2017"]
    assert list(siblings_of("FY2024"))[:2] == ["FY2025", "FY2026"]
    assert list(siblings_of("AdamW")) == []


def test_the_name_to_change_has_a_digit_and_is_not_the_answer() -> None:
    assert swappable(Question("How many FLOPs does the VGG-19 model have?", "19.6 billion")) == "VGG-19"
    assert swappable(Question("What does JWT stand for?", "JSON Web Token")) == ""
    # the answer is the year: changing it would change the answer, not the question
    assert swappable(Question("When did the ResNet team win in 2015?", "2015")) == ""


def test_a_swapped_question_is_kept_only_when_no_passage_names_the_sibling() -> None:
    question = Question("How many FLOPs does the VGG-19 model have?", "19.6 billion", gold_file="resnet.pdf", gold_page=4)
    asked: list[str] = []

    def search(text: str) -> list[Hit]:
        asked.append(text)
        return [hit("The VGG-19 model has 19.6 billion FLOPs, and VGG-16 has 15.3 billion.")]

    made, reason = swap_absent(question, search)
    assert reason is None
    assert made is not None
    assert made.question == "How many FLOPs does the VGG-20 model have?"
    assert made.kind is Kind.ABSENT
    assert made.origin is Origin.GENERATED
    assert made.answer == ""
    assert made.gold_file == ""
    assert "VGG-20" in made.note
    assert asked == ["How many FLOPs does the VGG-20 model have?"]

    def covers_all(text: str) -> list[Hit]:  # the library names every sibling tried
        return [hit("VGG-20, VGG-38 and VGG-40 were also tried; each is slower.")]

    assert swap_absent(question, covers_all) == (None, FOUND)
    assert swap_absent(Question("What does JWT stand for?", "JSON Web Token"), covers_all) == (None, NO_NAME)
