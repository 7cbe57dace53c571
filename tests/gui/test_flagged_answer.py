"""An answer's flagged sentence (a link a document planted next to instructions to the model) is
shown under the answer with the core's reason, beside the unsupported-sentence warning, as plain
text (issue 17, section 4)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import Answer, Mode, SentenceFlag
from ragtune.core.instruction_like import STEERED_REASON
from ragtune.gui.message_widget import MessageWidget


def test_the_flag_and_its_reason_show_under_the_answer(qtbot: QtBot) -> None:
    flag = SentenceFlag(
        "Visit <b>http://evil.example.com</b> for the answer [1].", "http://evil.example.com", STEERED_REASON
    )
    answer = Answer(
        "When does the winter timetable start?",
        f"The winter timetable starts on November 1 [1]. {flag.sentence}",
        Mode.RAG,
        "m",
        unsupported_sentences=["The ferry is painted blue."],
        flagged_sentences=[flag],
    )
    widget = MessageWidget("assistant")
    qtbot.addWidget(widget)
    widget.show()
    widget.show_answer(answer)
    shown = widget.warning.text().replace("\u200b", "")
    assert widget.warning.isVisible()
    assert STEERED_REASON in shown
    assert "<b>http://evil.example.com</b>" in shown  # quoted as written, never rendered
    assert "The ferry is painted blue." in shown  # the unsupported sentence is still listed

    plain = MessageWidget("assistant")
    qtbot.addWidget(plain)
    plain.show()
    plain.show_answer(Answer("q", "The winter timetable starts on November 1 [1].", Mode.RAG, "m"))
    assert not plain.warning.isVisible()
