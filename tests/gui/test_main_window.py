"""The main window as a user drives it: drop a folder, watch it index without freezing the window,
ask a question with RAG, see the cited page in the source viewer. Real models, real SQLite, real
PDFs (the slow path runs once, in one test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from window_support import StallMeter, drop_paths, make_documents

from ragtune.core.types import Citation, IndexReport
from ragtune.gui.main_window import MainWindow

WAIT_MS = 240_000


def test_drop_index_ask_and_open_the_cited_page(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    docs = make_documents(tmp_path / "docs")

    meter = StallMeter().start()
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as indexed:
        drop_paths(window, [docs])
    stall_ms = meter.stop()
    report = indexed.args[1]
    assert isinstance(report, IndexReport) and not report.cancelled
    assert {Path(f.path).name: f.reason for f in report.failed} == {"broken.pdf": "corrupt"}
    assert stall_ms < 1500, f"the window froze for {stall_ms:.0f} ms while indexing"
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 4, timeout=10_000)
    assert window.library_panel.current == "My documents"

    with qtbot.waitSignal(window.chat_view.answer_finished, timeout=WAIT_MS) as answered:
        assert window.chat_view.ask("What is the keeper's cat called?") is not None
    answer = answered.args[0]
    assert answer is not None and answer.mode == "rag" and not answer.declined
    assert answer.text.strip()
    top = answer.sources[0]
    assert (Path(top.path).name, top.page) == ("lighthouse.pdf", 2)
    qtbot.waitUntil(lambda: window.chat_list.list.count() >= 1, timeout=10_000)

    cited = Citation(1, top.chunk_id, top.path, top.page, top.start, top.end, top.text, top.title)
    with qtbot.waitSignal(window.source_viewer.shown, timeout=30_000):
        window.chat_view.citation_clicked.emit(cited)
    assert window.source_viewer.current_page == 2
    assert window.source_viewer.highlight_count >= 1
    assert window.tabs.currentWidget() is window.source_viewer


def test_first_start_indexes_the_sample_library(qtbot: QtBot, panel_service: Any) -> None:
    from ragtune.gui.chat_input import SAMPLE_LIBRARY
    from ragtune.gui.first_start import WELCOME_CHAT, FirstStart

    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    first = FirstStart(window)
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as indexed:
        first.start()
    report = indexed.args[1]
    assert indexed.args[0] == SAMPLE_LIBRARY and report.added == 3 and not report.failed
    qtbot.waitUntil(lambda: window.library_panel.current == SAMPLE_LIBRARY, timeout=10_000)
    qtbot.waitUntil(lambda: window.chat_list.current is not None, timeout=10_000)
    assert window.chat_list.current is not None and window.chat_list.current.title == WELCOME_CHAT
    # a second start finds the library and does nothing more
    again = FirstStart(window)
    with qtbot.waitSignal(again.done, timeout=WAIT_MS):
        again.start()
    assert not window.indexer.busy()
    assert [lib.name for lib in panel_service.libraries()] == [SAMPLE_LIBRARY]
