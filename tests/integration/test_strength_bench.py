"""The fine-tune bench chooses the adapter's strength on the validation part of the train split and
never on the test split (issue 20): four validation runs (RAG + adapter at 25, 50, 75 and 100 %)
on train items only, the test split judged at the strength with the most right answers net of
declines, the choice kept beside the adapter; the training set leaves the validation part out.
Real SQLite, embedder and a real (random) LoRA file; a scripted model that answers well only at
50 % (the bench's bookkeeping, not the model, is under test)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from adapter_factory import make_lora
from ragtune.core.adapter_strength import load_choice
from ragtune.core.answer_types import Mode, default_strength
from ragtune.core.evaluate.questions import Question, Split
from ragtune.core.finetune.strength import validation_part
from ragtune.core.finetune.workflow import VALIDATION_LABEL
from ragtune.core.generation.chat_model import Message
from ragtune.core.services import Ragtune
from ragtune.settings import Settings
from scripted_model import ScriptedModel

FRUITS = ["apples", "pears", "plums", "cherries", "quinces", "figs", "apricots", "peaches",
          "lemons", "limes", "grapes", "melons", "dates", "kiwis", "mangoes", "papayas"]


SECOND_SOURCE = re.compile(r"^\[2\] [^\n]*?: (?P<text>[^\n]+)$", re.MULTILINE)


class HalfStrengthModel(ScriptedModel):
    """Quotes its first source (the right one) at 50 % strength; at any other strength its second
    source: a figure the passages hold, for another fruit (wrong, and nothing the answer path
    would make again)."""

    def reply(self, messages: Sequence[Message]) -> str:
        right = super().reply(messages).split(" (Adapters")[0]
        if any(a.scale == 0.5 for a in self.adapters):
            return right
        second = SECOND_SOURCE.search(next((m["content"] for m in reversed(messages) if m["role"] == "user"), ""))
        return f"{second['text'].split('.')[0]} [2]." if second else right


@pytest.fixture
def svc(embedder: Any, tmp_path: Path, chat_model_path: Path) -> Iterator[Ragtune]:
    folder = tmp_path / "orchard"
    folder.mkdir()
    for i, fruit in enumerate(FRUITS):
        (folder / f"{fruit}.md").write_text(f"# {fruit}\n\nThe orchard sold {100 + i} crates of {fruit} last autumn.\n")
    model = HalfStrengthModel()
    with Ragtune(db_path=tmp_path / "library.sqlite3", settings=Settings(), embedder=embedder,
                 engine_factory=model.factory) as service:
        service.library.index("orchard", [folder])
        items = [Question(f"How many crates of {fruit} did the orchard sell last autumn?", f"{100 + i} crates",
                          gold_file=f"{fruit}.md") for i, fruit in enumerate(FRUITS)]
        service.evaluation.add_questions("orchard", "Fruit", items)
        yield service


def test_the_strength_is_chosen_on_the_validation_part_never_the_test_split(svc: Ragtune, tmp_path: Path,
                                                                           chat_model_path: Path) -> None:
    train = svc.evaluation.questions("orchard", "Fruit", Split.TRAIN)
    test = svc.evaluation.questions("orchard", "Fruit", Split.TEST)
    validation = validation_part(train)
    assert validation
    assert test
    adapter = make_lora(tmp_path / "fruit.gguf", chat_model_path)
    outcome = svc.finetune.bench("orchard", "Fruit", str(adapter))

    assert outcome.strength is not None
    assert outcome.strength.strength == 0.5
    assert [s.strength for s in outcome.strength.scores] == [0.25, 0.5, 0.75, 1.0]
    runs = svc.evaluation.runs("orchard")
    checked = [svc.evaluation.load_run(r.id) for r in runs if r.split == VALIDATION_LABEL]
    assert len(checked) == 4
    test_ids = {q.id for q in test}
    for record in checked:
        asked = {q.id for q in record.questions}
        assert asked == {q.id for q in validation}
        assert not asked & test_ids  # never the test split
        assert record.info.modes == [Mode.RAG_ADAPTER]
    assert outcome.record is not None
    assert outcome.record.info.split == "test"
    assert [a["strength"] for a in outcome.record.info.config["adapters"]] == [0.5]
    assert "Strength 50%" in outcome.text()
    stored = load_choice(adapter)
    assert stored is not None
    assert stored.strength == 0.5
    assert default_strength(adapter) == 0.5  # the window and --adapter offer it at 50 %


def test_the_training_set_leaves_the_validation_part_out(svc: Ragtune) -> None:
    train = svc.evaluation.questions("orchard", "Fruit", Split.TRAIN)
    validation = {q.question for q in validation_part(train)}
    report = svc.finetune.training_set("orchard", "Fruit")
    trained_on = {ex.messages[-2]["content"] for ex in report.examples}
    assert report.grounded > 0
    assert validation
    assert not any(question in text for question in validation for text in trained_on)
