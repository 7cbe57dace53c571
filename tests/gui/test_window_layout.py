"""The window at its smallest and at a large size, with a long answer in the chat and the Compare
tab open: every message wraps to its pane (no sideways scrolling), and the Copy button and the
warning about unsupported sentences stay within the visible width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import Answer, Mode, Timings
from ragtune.core.types import Citation
from ragtune.gui.main_window import MainWindow
from ragtune.gui.message_widget import MessageWidget
from window_support import within_width

UNSUPPORTED = "The warranty on the solar garden lamp is 2 to 3 years, depending on where it was bought."
LONG_ANSWER = (
    UNSUPPORTED + " Keep the receipt: the maker asks for proof of purchase before it repairs or "
    "replaces a lamp [2]. The registration form is at https://example.com/support/solar-garden-lamp/"
    "warranty-registration-form-and-conditions-of-use-2024.html [1].\n\n```\nragtune ask --library "
    "'Sample library' 'How long is the warranty on the solar garden lamp?' --json --adapters "
    "/a/very/long/path/to/an/adapter/file/that/does/not/break.gguf:0.8\n```"
)
DECLINE = (
    "I could not find this in the library's documents, so I will not guess. I searched for: “What "
    "is the capital of France?”. The closest passages (sourdough-notes.txt, section 1, "
    "solar-garden-lamp-manual.md, section 3) do not answer it."
)
MODEL = "Qwen2.5-Coder-0.5B-Instruct-a-long-model-file-name-without-spaces-Q5_0"


def _answers(folder: Path) -> tuple[Answer, Answer, Answer]:
    cited = [
        Citation(1, 1, str(folder / "harbor-city-library-lending-policy-and-opening-hours.pdf"), 3, 0, 9, "Members may borrow twelve items."),
        Citation(2, 2, str(folder / "solar-garden-lamp-manual.md"), 5, 0, 9, "The lamp has an 18-month warranty."),
    ]
    timings = Timings(42.5, 1.0, 0.3, 812, 21, 101.3)
    rag = Answer("warranty?", LONG_ANSWER, Mode.RAG, MODEL, citations=cited, timings=timings,
                 unsupported_sentences=[UNSUPPORTED])
    alone = Answer("warranty?", "The warranty on the solar garden lamp is 10 years.", Mode.MODEL, MODEL, timings=timings)
    declined = Answer("capital?", DECLINE, Mode.RAG, MODEL, declined=True, timings=Timings(total_s=0.1))
    return rag, alone, declined


def _settle(qtbot: QtBot) -> None:
    """Deliver what is pending: the resize, the layout requests it posts and the ones those post
    (a few rounds), so the layout is final. Events, not a fixed wait on the clock."""
    for _ in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def _assert_fits(area: QScrollArea, message: MessageWidget, where: str) -> None:
    viewport = area.viewport()
    content = area.widget()
    assert content is not None
    assert content.width() <= viewport.width(), f"{where}: content {content.width()} px in a {viewport.width()} px pane"
    assert area.horizontalScrollBar().maximum() == 0, where
    assert not area.horizontalScrollBar().isVisible(), where
    parts: list[QWidget] = [message.body, message.warning, message.footer, message.copy_button]
    for part in [message, *(p for p in [*parts, *message.chip_buttons()] if p.isVisibleTo(message))]:
        assert within_width(part, viewport), f"{where}: {type(part).__name__} {part.objectName()} is off the pane"


@pytest.mark.parametrize("size", ["minimum", "large"])
def test_long_answers_wrap_with_compare_open(qtbot: QtBot, panel_service: Any, tmp_path: Path, size: str) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.ctx.reads.busy(), timeout=10_000)  # the empty chat is shown
    _settle(qtbot)
    rag, alone, declined = _answers(tmp_path)
    chat = window.chat_view
    for question, answer, note in (("What is the capital of France?", declined, "declined"), ("How long is the warranty? " * 4, rag, "")):
        chat.scroll_area.add("user", question)
        chat.scroll_area.add("assistant").show_answer(answer, note)
    window.show_compare()
    window.compare_view.show_answers([alone, rag])
    target = window.minimumSizeHint().expandedTo(window.minimumSize()) if size == "minimum" else QSize(1900, 1150)
    window.resize(target)
    _settle(qtbot)
    assert window.size() == target

    answer_widget = chat.messages[-1]
    assert answer_widget.warning.isVisible()
    assert UNSUPPORTED[:40] in answer_widget.warning.text().replace("\u200b", "")
    chat.scroll_area.ensureWidgetVisible(answer_widget.warning)
    for message in chat.messages:
        _assert_fits(chat.scroll_area, message, f"chat at {size}")
    for mode, column in window.compare_view.columns.items():
        _assert_fits(column.scroll_area, column.message, f"compare column {mode} at {size}")
    assert window.compare_view.columns["rag"].message.warning.isVisibleTo(window.compare_view)


def test_documents_table_keeps_its_numbers_in_view(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    from ragtune.gui.documents_model import DocRow
    from ragtune.gui.library_parts import MIN_ROWS

    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.ctx.reads.busy(), timeout=10_000)
    _settle(qtbot)
    reason = "could not be read: the file is encrypted and no password was given " * 2
    rows = [DocRow(str(tmp_path / f"quarterly-report-{i}-with-a-long-name.pdf"), "indexed", "", 12, 40, 2_000_000) for i in range(3)]
    rows.append(DocRow(str(tmp_path / "encrypted.pdf"), "failed", reason))
    table = window.library_panel.table
    window.library_panel.model.set_rows(rows)
    window.resize(window.minimumSizeHint().expandedTo(window.minimumSize()))
    _settle(qtbot)
    viewport = table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    for col in (2, 3, 4):  # Pages, Chunks, Size
        right = table.columnViewportPosition(col) + table.columnWidth(col)
        assert table.columnViewportPosition(col) >= 0, f"column {col} is out of view"
        assert right <= viewport, f"column {col} is out of view"
    header = table.horizontalHeader().height()
    assert table.height() >= header + MIN_ROWS * table.verticalHeader().defaultSectionSize()
