"""``ragtune serve`` reads the last user message as the question; earlier turns are noted, never
sent to the model (desktop/ragtune/server.py, README "Serve your library")."""

from __future__ import annotations

import pytest

from ragtune.server import ApiError, ChatMessage, history_note, question_of


def _messages(*pairs: tuple[str, object]) -> list[ChatMessage]:
    return [ChatMessage.model_validate({"role": r, "content": c}) for r, c in pairs]


def test_one_question_has_no_note() -> None:
    messages = _messages(("system", "Be brief."), ("user", "What is the notice period?"))
    assert question_of(messages) == "What is the notice period?"
    assert history_note(messages) is None


def test_earlier_turns_are_counted_in_the_note() -> None:
    messages = _messages(
        ("user", "Who signed it?"),
        ("assistant", "Ann [1]"),
        ("user", [{"type": "text", "text": "And the notice period?"}]),
        ("user", "   "),  # empty: not the question, not a turn that carried anything new
    )
    assert question_of(messages) == "And the notice period?"
    note = history_note(messages)
    assert note is not None
    assert "3 other message(s)" in note


def test_no_user_text_is_a_400() -> None:
    with pytest.raises(ApiError, match="No user message"):
        question_of(_messages(("assistant", "hello")))
