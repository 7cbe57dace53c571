"""An answer a server cut off says so under the answer, in the chat and in Compare."""

from __future__ import annotations

from ragtune.core.answer_types import Answer, Mode
from ragtune.gui import chat_work, compare_column


def test_a_cut_off_answer_says_why() -> None:
    answer = Answer("q", "The orchard harvested", Mode.RAG, "remote", error="the server closed the stream")
    assert chat_work.answer_note(answer) == "cut off: the server closed the stream"
    assert "cut off: the server closed the stream" in compare_column.answer_note(answer)
    assert chat_work.answer_note(Answer("q", "Fine.", Mode.RAG, "m")) == ""
