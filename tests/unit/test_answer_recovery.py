"""The answer path with an answer that says nothing, a figure from nowhere, or a question about a
name no passage mentions (scripted model: the rules are under test, not the model; the real model
runs them in tests/e2e/test_cli_answers.py and benchmarks/bench_evidence.py)."""

from __future__ import annotations

from collections.abc import Sequence

from ragtune.core.answer_checks import AnswerProblem, quotable, unsupported_figures
from ragtune.core.answer_recovery import CAVEAT_OPENING, QUOTE_OPENING, RETRY_HINT, Recovery
from ragtune.core.answering import answer_question
from ragtune.core.evaluate.correctness import is_declined
from ragtune.core.generation.chat_model import Message
from ragtune.core.types import Hit
from ragtune.settings import Settings
from scripted_model import ScriptedModel

PASSAGE = (
    "The study recorded six pairs of zebra finches. In this dataset there were around 2800 calls in each "
    "hour-long session. Birds were kept at 24 degrees."
)
QUESTION = "Roughly how many calls were logged in each one-hour session?"


class Replies(ScriptedModel):
    """Answers the first prompt with the first reply, the next with the next."""

    def __init__(self, *replies: str) -> None:
        super().__init__()
        self.replies = list(replies)

    def reply(self, messages: Sequence[Message]) -> str:
        return self.replies[min(len(self.calls), len(self.replies)) - 1]


def hit(text: str = PASSAGE) -> Hit:
    return Hit(1, 1, "/d/finches.pdf", "Finches", 4, 0, len(text), text, 0.1, 1, 1, 0.7)


def test_an_echo_is_made_again_from_the_evidence_sentence() -> None:
    engine = Replies("Roughly many calls were logged in each one-hour session [1].", "About 2800 calls per session [1].")
    answer = answer_question(engine, QUESTION, [hit()], Settings())
    assert len(engine.calls) == 2
    retry_prompt = engine.calls[1][-1]["content"]
    assert RETRY_HINT in retry_prompt
    assert "2800 calls" in retry_prompt
    assert "24 degrees" not in retry_prompt  # the evidence sentence alone, not the passage
    assert answer.text == "About 2800 calls per session [1]."
    assert answer.revised_from.startswith("Roughly many calls")
    assert any(str(AnswerProblem.ECHO) in note for note in answer.notes)
    assert answer.citations[0].mark.startswith("2800")


def test_when_the_retry_says_nothing_either_the_evidence_is_quoted() -> None:
    echo = "Roughly many calls were logged in each one-hour session [1]."
    answer = answer_question(Replies(echo, echo), QUESTION, [hit()], Settings())
    assert answer.text.startswith(f"{QUOTE_OPENING} \u201cIn this dataset there were around 2800 calls")
    assert "2800" in answer.citations[0].mark
    assert not is_declined(answer.text, answer.declined)


def test_a_figure_no_passage_holds_ends_in_a_caveat_when_no_sentence_answers() -> None:
    question = "What was the average body mass of the female finches?"
    made_up = "The average body mass of the female finches was 15.0 kg [1]."
    answer = answer_question(Replies(made_up, made_up), question, [hit()], Settings())
    assert answer.text.startswith(CAVEAT_OPENING)
    assert is_declined(answer.text, answer.declined)  # the judge counts it as the decline it is
    assert any(str(AnswerProblem.UNSUPPORTED_FIGURE) in note for note in answer.notes)


def test_without_recovery_the_first_answer_stays() -> None:
    echo = "Roughly many calls were logged in each one-hour session [1]."
    answer = answer_question(Replies(echo, "2800 [1]."), QUESTION, [hit()], Settings(), recovery=None)
    assert answer.text == echo
    assert answer.revised_from == ""
    quoted = answer_question(Replies(echo, "2800 [1]."), QUESTION, [hit()], Settings(), recovery=Recovery.QUOTE)
    assert quoted.text.startswith(QUOTE_OPENING)


def test_a_question_about_a_name_no_passage_mentions_is_declined_before_the_model() -> None:
    engine = Replies("They made 3000 calls [1].")
    answer = answer_question(engine, "How many calls did the Bengalese finch pairs make in 2019?", [hit()], Settings())
    assert answer.declined
    assert engine.calls == []
    assert "2019" in answer.text


def test_figures_and_quotable_sentences() -> None:
    assert unsupported_figures("How heavy?", "It weighs 15.0 kg and 51mm [1].", ["51 mm long, 2800 calls"]) == {"15.0"}
    assert quotable(QUESTION, "In this dataset there were around 2800 calls in each hour-long session.")
    assert not quotable(QUESTION, "The study recorded six pairs of zebra finches.")  # no figure asked for
    assert not quotable("How does RFC 7519 define a refresh token?", "RFC 7519 JSON Web Token (JWT) May 2015 9.")


def test_the_judge_reads_the_statement_not_the_quote_appended_to_it() -> None:
    from ragtune.core.evaluate.correctness import evidence_holds, is_correct
    from ragtune.core.evaluate.questions import Question

    item = Question("What top-1 error did the 34-layer net reach?", "25.03%", ("25.03",))
    quoted = 'It reached 10% [1]. The source says: \u201c34 layers 28.54 25.03\u201d'
    assert not is_correct(quoted, item)  # the value is only in the quote: evidence, not the answer
    assert is_correct("It reached 25.03% [1]. The source says: \u201c34 layers 28.54 25.03\u201d", item)
    assert evidence_holds(["34 layers 28.54 25.03"], item)
