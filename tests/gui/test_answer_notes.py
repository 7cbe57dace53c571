"""An answer a server cut off, or one the history could not take, says so under the answer."""

from __future__ import annotations

from ragtune.core.answer_types import Answer, Mode
from ragtune.gui import chat_work, compare_column


def test_a_cut_off_answer_says_why() -> None:
    answer = Answer("q", "The orchard harvested", Mode.RAG, "remote", error="the server closed the stream")
    assert chat_work.answer_note(answer) == "cut off: the server closed the stream"
    assert "cut off: the server closed the stream" in compare_column.answer_note(answer)
    assert chat_work.answer_note(Answer("q", "Fine.", Mode.RAG, "m")) == ""


def test_an_answer_the_history_could_not_take_stays_and_says_so() -> None:
    busy = "This answer was not saved to the history: the database is busy."
    answer = Answer("q", "The bell rings at dawn.", Mode.RAG, "m", history_error=busy)
    assert chat_work.answer_note(answer) == "not saved to the history"
    stopped = Answer("q", "The bell", Mode.RAG, "m", cancelled=True, history_error=busy)
    assert chat_work.answer_note(stopped) == "stopped; not saved to the history"
