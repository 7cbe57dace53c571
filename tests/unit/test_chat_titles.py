"""One rule names chats after their first question (the window, ``ask`` and ``compare`` use it)."""

from __future__ import annotations

from ragtune.core.answer_types import TITLE_CHARS, chat_title


def test_short_question_is_its_own_title_on_one_line() -> None:
    assert chat_title("  What is\nthe notice   period? ") == "What is the notice period?"


def test_long_question_is_cut_to_the_limit_with_an_ellipsis() -> None:
    title = chat_title("word " * 40)
    assert len(title) == TITLE_CHARS
    assert title.endswith("…")


def test_prefix_comes_before_the_question() -> None:
    assert chat_title("Which rate?", "Compare: ") == "Compare: Which rate?"
