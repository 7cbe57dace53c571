"""The main window as a user drives it: drop a folder, watch it index without freezing the window,
ask a question with RAG, see the cited page in the source viewer. The real embedder, real SQLite,
real PDFs; the scripted chat model answers (the window is under test, not the model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ragtune.core.types import Citation, IndexReport, Progress
from ragtune.gui.main_window import MainWindow
from scripted_model import ScriptedModel
from window_support import StallMeter, drop_paths, make_documents, make_many_texts

WAIT_MS = 240_000


def test_drop_index_ask_and_open_the_cited_page(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    docs = make_documents(tmp_path / "docs")

    # the UI thread keeps handling events while the index lane works (how long it may stall at
    # worst: benchmarks/bench_ui_stall.py)
    meter = StallMeter().start()
    ticks_at_progress: list[int] = []
    window.indexer.progress.connect(lambda _library, _progress: ticks_at_progress.append(meter.ticks))
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as indexed:
        drop_paths(window, [docs])
    meter.stop()
    report = indexed.args[1]
    assert isinstance(report, IndexReport)
    assert not report.cancelled
    assert {Path(f.path).name: f.reason for f in report.failed} == {"broken.pdf": "corrupt"}
    assert len(ticks_at_progress) >= 2
    assert ticks_at_progress[-1] > ticks_at_progress[0], "the window handled no events while indexing"
    qtbot.waitUntil(lambda: window.library_panel.model.rowCount() == 4, timeout=10_000)
    assert window.library_panel.current == "My documents"

    with qtbot.waitSignal(window.chat_view.answer_finished, timeout=WAIT_MS) as answered:
        assert window.chat_view.ask("What is the keeper's cat called?") is not None
    answer = answered.args[0]
    assert answer is not None
    assert answer.mode == "rag"
    assert not answer.declined
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
    from ragtune.core.library_names import SAMPLE_LIBRARY
    from ragtune.gui.first_start import WELCOME_CHAT, FirstStart
    from ragtune.gui.library_parts import SAMPLE_SOURCE_LABEL

    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    first = FirstStart(window)
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as indexed:
        first.start()
    report = indexed.args[1]
    assert indexed.args[0] == SAMPLE_LIBRARY
    assert report.added == 3
    assert not report.failed
    qtbot.waitUntil(lambda: window.library_panel.current == SAMPLE_LIBRARY, timeout=10_000)
    qtbot.waitUntil(lambda: window.chat_list.current is not None, timeout=10_000)
    assert window.chat_list.current is not None
    assert window.chat_list.current.title == WELCOME_CHAT
    # the built-in library is named, not shown as a path inside the installed package
    qtbot.waitUntil(lambda: window.library_panel.source_list.count() == 1, timeout=10_000)
    assert window.library_panel.source_list.item(0).text() == SAMPLE_SOURCE_LABEL
    assert window.windowTitle() == SAMPLE_LIBRARY  # Qt adds "— Ragtune" itself
    # a second start finds the library and does nothing more
    again = FirstStart(window)
    with qtbot.waitSignal(again.done, timeout=WAIT_MS):
        again.start()
    assert not window.indexer.busy()
    assert [lib.name for lib in panel_service.library.libraries()] == [SAMPLE_LIBRARY]


def test_cancel_indexing_and_answering(
    qtbot: QtBot, panel_service: Any, scripted_model: ScriptedModel, tmp_path: Path
) -> None:
    scripted_model.until_cancelled = True  # the long story streams until Esc stops it
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    folder = make_many_texts(tmp_path / "many", 60)
    cancelled: list[bool] = []

    def cancel_on_first_file(_library: str, progress: Progress) -> None:
        if progress.stage == "indexing" and progress.done >= 1 and not cancelled:
            cancelled.append(window.indexer.cancel())

    window.indexer.progress.connect(cancel_on_first_file)
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as indexed:
        window.add_paths([str(folder)])
    report = indexed.args[1]
    assert cancelled
    assert (report is None or (report.cancelled and report.added < 60))
    assert panel_service.library.doctor().ok

    with qtbot.waitSignal(window.chat_view.answer_finished, timeout=WAIT_MS) as answered:
        window.chat_view.rag_toggle.setChecked(False)
        assert window.chat_view.ask("Write a very long story about ships.") is not None
        qtbot.waitUntil(lambda: window.chat_view.token_events > 0, timeout=WAIT_MS)
        qtbot.keyClick(window.chat_view, Qt.Key.Key_Escape)
    answer = answered.args[0]
    assert answer is None or answer.cancelled
    assert not window.chat_view.busy()


def test_restart_keeps_libraries_chats_and_layout(
    qtbot: QtBot, panel_service: Any, embedder: Any, tmp_path: Path
) -> None:
    from ragtune.core.services import Ragtune
    from ragtune.gui.chat_list import ChatList

    panel_service.library.create_library("Contracts")
    chat = panel_service.chats.create_chat("Notice periods", "Contracts", True)
    first = MainWindow(panel_service)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.chat_list.list.count() == 1, timeout=10_000)
    first.splitter.setSizes([300, 420, 380])
    before = first.splitter.sizes()
    first.tabs.setCurrentWidget(first.compare_view)  # the comparison gets the room it needs
    assert first.splitter.sizes()[2] > before[2]
    first.tabs.setCurrentWidget(first.model_panel)  # and gives it back after
    assert first.splitter.sizes() == before
    state = first.splitter.saveState()
    first.close()

    with Ragtune(settings=panel_service.settings, embedder=embedder) as svc:
        second = MainWindow(svc)
        qtbot.addWidget(second)
        second.show()
        qtbot.waitUntil(lambda: second.chat_list.list.count() == 1, timeout=10_000)
        assert isinstance(second.chat_list, ChatList)
        assert [c.title for c in second.chat_list.chats] == [chat.title]
        assert [lib.name for lib in svc.library.libraries()] == ["Contracts"]
        # pane sizes are saved (the small offscreen screen squeezes them again on show)
        assert second.ctx.settings.value("window/main_splitter") == state
        assert second.tabs.currentWidget() is second.model_panel
        second.close()


def test_watched_folder_picks_up_added_and_deleted_files(
    qtbot: QtBot, panel_service: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "first.txt").write_text("The ferry leaves the north pier at nine.\n")
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS):
        window.add_paths([str(folder)])
    qtbot.waitUntil(lambda: str(folder) in window.watcher.watched(), timeout=10_000)

    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as rescanned:
        (folder / "second.md").write_text("# Timetable\n\nThe last ferry returns at six.\n")
    assert rescanned.args[1].added == 1
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as rescanned:
        (folder / "first.txt").unlink()
    assert rescanned.args[1].removed == 1
    assert [Path(d.path).name for d in panel_service.library.documents("My documents")] == ["second.md"]
