"""The evidence under an answer: each citation's sentence with the fact marked, visible without a
click, wrapping in a narrow pane, escaped (a document's words are data), and a click on [n] opening
the cited page (issue 19)."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import Answer, Mode
from ragtune.core.types import Citation
from ragtune.gui.answer_format import evidence_html
from ragtune.gui.message_widget import MessageWidget

SENTENCE = "An ensemble of these <b>residual</b> nets achieves 3.57% error on the ImageNet test set."


def citation(mark: str = "3.57%") -> Citation:
    start = SENTENCE.index(mark) if mark else -1
    return Citation(1, 7, "/papers/resnet.pdf", 2, 400, 400 + len(SENTENCE), SENTENCE, "ResNet", False, 120,
                    start, start + len(mark) if mark else -1)


def test_the_evidence_sentence_shows_under_the_answer_with_its_fact_marked(qtbot: QtBot) -> None:
    widget = MessageWidget("assistant")
    qtbot.addWidget(widget)
    widget.resize(260, 400)  # narrow: the evidence wraps, the pane does not widen
    widget.show()
    widget.show_answer(Answer("How low was the ensemble's error?", "It reached 3.57% error [1].", Mode.RAG, "m",
                              citations=[citation()]))
    assert widget.evidence.isVisible()
    shown = widget.evidence.toPlainText().replace("\u200b", "")
    assert "<b>residual</b>" in shown  # the document's markup is shown as written, never rendered
    assert "3.57%" in shown
    assert "resnet.pdf, p. 2" in shown
    html = widget.evidence.toHtml()
    assert "font-weight" in html  # the marked span is emphasised
    assert widget.width() <= 260
    with qtbot.waitSignal(widget.citation_clicked) as clicked:
        widget.evidence.anchorClicked.emit(QUrl("cite:1"))
    assert clicked.args[0].page == 2


def test_no_evidence_block_without_citations(qtbot: QtBot) -> None:
    widget = MessageWidget("assistant")
    qtbot.addWidget(widget)
    widget.show()
    widget.show_answer(Answer("q", "I could not find this.", Mode.RAG, "m", declined=True))
    assert not widget.evidence.isVisible()


def test_the_mark_is_placed_by_its_offsets_and_old_answers_show_no_evidence(qtbot: QtBot) -> None:
    sentence = "In 2012 the model had 12 layers."
    at = sentence.rindex("12")
    marked = Citation(1, 7, "/d/a.pdf", 1, 0, len(sentence), sentence, "", False, 0, at, at + 2)
    html = evidence_html([marked], "#ffff00")
    assert "In 2012 the model had <span" in html  # the second "12", where the offsets say
    saved_before = Citation(2, 8, "/d/a.pdf", 2, 0, 10, "Whole chunk text", "")  # no evidence fields
    assert evidence_html([saved_before]) == ""
    widget = MessageWidget("assistant")
    qtbot.addWidget(widget)
    widget.show()
    widget.show_answer(Answer("q", "An answer [2].", Mode.RAG, "m", citations=[saved_before]))
    assert not widget.evidence.isVisible()
