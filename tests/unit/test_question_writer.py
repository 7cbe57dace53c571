"""The model's part in generated questions (``core.evaluate.question_writer``) and the generator's
flow (``core.evaluate.generate``) with a scripted model: the answer comes from the text, the model
only writes the question and answers it back; passages without a fact are skipped; absent questions
are made from kept ones without the model."""

from __future__ import annotations

from collections.abc import Sequence

from ragtune.core.evaluate import question_writer as qw
from ragtune.core.evaluate.fact_spans import facts_in
from ragtune.core.evaluate.generate import generate_questions
from ragtune.core.evaluate.passage_sample import Passage
from ragtune.core.evaluate.questions import Kind
from ragtune.core.generation.chat_model import Message
from ragtune.core.types import Hit
from scripted_model import ScriptedModel

FLOPS = (
    "Our 152-layer net still has lower complexity than the VGG nets. The VGG-19 model needs 19.6 "
    "billion FLOPs for one forward pass of a 224-pixel image."
)
NO_FACT = "The method is described in this section, and its parts are explained one after the other."
JWT = "Introduction JSON Web Token (JWT) is a compact claims representation format for the web."


class QuizModel(ScriptedModel):
    """Writes a fixed question per answer, and answers questions from the text it is given."""

    def __init__(self, questions: dict[str, str]) -> None:
        super().__init__()
        self.questions = questions

    def reply(self, messages: Sequence[Message]) -> str:
        asked = messages[-1]["content"]
        if messages[0]["content"] == qw.SYSTEM:
            answer = asked.rsplit("Answer: ", 1)[1]
            return f"Question: {self.questions.get(answer, 'No idea')}\nThat is all."
        return "19.6 billion FLOPs" if "FLOPs" in asked else "I do not know"


def test_the_reply_is_parsed_strictly() -> None:
    assert qw.parse_question("Question: How long does it fly?\nMore text") == "How long does it fly?"
    assert qw.parse_question('  "How long does it fly?"') == "How long does it fly?"
    assert qw.parse_question("It flies for 42 minutes.") is None
    assert qw.parse_question("\n\nHow long\ndoes it fly?") is None  # the first line is not a question
    assert qw.short_title("songbird-networks") == ""  # a file name standing in for a title
    assert qw.short_title("A " + "long " * 40 + "title").endswith("…")


def test_the_prompt_keeps_its_examples_first_and_shows_the_fact() -> None:
    fact = facts_in(FLOPS)[0]
    one = qw.messages_for(fact, "Deep Residual Learning for Image Recognition")
    two = qw.messages_for(facts_in("Each unit flies for up to 42 minutes on one battery, as tested.")[0], "")
    assert one[:-1] == two[:-1]  # the same prefix every time: llama.cpp keeps it cached
    assert one[-1]["content"].endswith("Answer: 19.6 billion FLOPs")
    assert "Title: Deep Residual Learning" in one[-1]["content"]
    assert "Title" not in two[-1]["content"]


def test_an_expansion_needs_no_model() -> None:
    model = QuizModel({})
    fact = facts_in(JWT)[0]
    assert qw.write_question(model, fact, "RFC 7519") == "What does JWT stand for?"
    assert model.calls == []


def test_generation_writes_around_the_fact_and_swaps_a_name_for_the_absent_question() -> None:
    passages = [
        Passage(1, "/d/empty.pdf", "Notes", 1, NO_FACT),
        Passage(2, "/d/resnet.pdf", "Deep Residual Learning", 4, FLOPS),
    ]
    model = QuizModel({"19.6 billion FLOPs": "How much compute does one VGG-19 forward pass need?"})

    def search(question: str) -> list[Hit]:
        text = FLOPS if "VGG-19" in question else "Other nets are slower."
        return [Hit(2, 1, "/d/resnet.pdf", "Deep Residual Learning", 4, 0, len(text), text, 0.3)]

    report = generate_questions(model, passages, search, n=1, absent=1)
    assert report.skipped == 1
    assert report.tried == 1
    assert report.kept == 1
    assert report.absent_kept == 1
    assert report.absent_tried == 1
    answerable, absent = report.questions
    assert answerable.question == "How much compute does one VGG-19 forward pass need?"
    assert answerable.answer == "19.6 billion FLOPs"  # taken from the text, not from the model
    assert answerable.alternatives == ("19.6",)
    assert (answerable.gold_file, answerable.gold_page) == ("/d/resnet.pdf", 4)
    assert absent.kind is Kind.ABSENT
    assert absent.question == "How much compute does one VGG-20 forward pass need?"
    assert report.model_calls == 2 == len(model.calls)  # the question, then the answer back
    assert report.facts_tried == report.kept + sum(report.dropped.values())


def test_a_question_the_model_cannot_answer_back_is_dropped_and_shown() -> None:
    passages = [Passage(2, "/d/resnet.pdf", "Deep Residual Learning", 4, FLOPS)]
    model = QuizModel({"19.6 billion FLOPs": "How many FLOPs does the biggest VGG model need per image?"})
    model.reply = lambda messages: (  # type: ignore[method-assign]
        "How many FLOPs does the biggest VGG model need per image?" if messages[0]["content"] == qw.SYSTEM else "15.3 billion"
    )

    def search(question: str) -> list[Hit]:
        return [Hit(2, 1, "/d/resnet.pdf", "Deep Residual Learning", 4, 0, len(FLOPS), FLOPS, 0.3)]

    report = generate_questions(model, passages, search, n=1, absent=0)
    assert report.kept == 0
    assert report.dropped == {"answered otherwise": 1}
    assert report.dropped_pairs == [
        ("How many FLOPs does the biggest VGG model need per image?", "19.6 billion FLOPs", "answered otherwise")
    ]
