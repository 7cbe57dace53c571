"""The adapter's strength chosen by measurement (``core.finetune.strength``, ``core.adapter_strength``):
the validation part is carved from the train split only, the same way every time; the choice nets
declines against right answers and prefers the lower strength on a tie; it is kept beside the
adapter and offered as the adapter's strength; a damaged file is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.core.adapter_strength import StrengthScore, choice_path, load_choice, save_choice
from ragtune.core.answer_types import default_strength
from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.core.finetune.strength import choose, in_validation, validation_part


def items(n: int, split: Split = Split.TRAIN) -> list[Question]:
    return [Question(f"What does item {i} cost?", f"{i} dollars", split=split, id=i) for i in range(n)]


def test_the_validation_part_comes_from_the_train_split_only() -> None:
    train = [*items(40), Question("Who painted the door?", kind=Kind.ABSENT, split=Split.TRAIN, id=99)]
    part = validation_part(train)
    assert 4 <= len(part) <= 16  # about a quarter of the 40 answerable
    assert all(q.kind is Kind.ANSWERABLE and q.split is Split.TRAIN for q in part)
    assert all(in_validation(q.question) for q in part)
    assert validation_part(list(reversed(train))) == list(reversed(part))  # by each text, not the order
    # each question on its own: adding questions moves none of the others across the line
    assert [q for q in validation_part(items(60)) if q.id < 40] == part
    with pytest.raises(ValueError, match="train split only"):
        validation_part([*items(12), *items(1, Split.TEST)])


def test_the_choice_nets_declines_and_prefers_the_lower_strength() -> None:
    scores = [
        StrengthScore(0.25, 3, 0, 6), StrengthScore(0.5, 5, 1, 6),
        StrengthScore(0.75, 5, 1, 6), StrengthScore(1.0, 6, 4, 6),  # most right, but declines too often
    ]
    choice = choose(scores, "Papers")
    assert choice.strength == 0.5
    assert choice.validation == 6
    assert "Strength 50%, chosen on 6 validation questions" in choice.text()
    with pytest.raises(ValueError, match="no strength"):
        choose([])


def test_the_choice_is_kept_beside_the_adapter_and_offered(tmp_path: Path) -> None:
    adapter = tmp_path / "papers.gguf"
    adapter.write_bytes(b"GGUF")
    assert default_strength(adapter) == 1.0  # as trained, until a bench chose
    save_choice(adapter, choose([StrengthScore(0.5, 4, 0, 5), StrengthScore(1.0, 2, 2, 5)], "Papers"))
    loaded = load_choice(adapter)
    assert loaded is not None
    assert loaded.strength == 0.5
    assert [s.score for s in loaded.scores] == [4, 0]
    assert default_strength(adapter) == 0.5
    choice_path(adapter).write_text('{"strength": "NaN"}', encoding="utf-8")
    assert load_choice(adapter) is None  # nonsense is ignored: full strength again
    assert default_strength(adapter) == 1.0
    choice_path(adapter).write_text("{not json", encoding="utf-8")
    assert default_strength(adapter) == 1.0
