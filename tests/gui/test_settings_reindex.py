"""A confirmed chunking change in the settings re-indexes every library: from the dialog's OK to
the new chunk count, through the window's index runs (real embedder, real SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from ragtune.gui.main_window import MainWindow
from window_support import make_many_texts

WAIT_MS = 240_000


def test_confirmed_chunk_size_change_reindexes_every_library(
    qtbot: QtBot, panel_service: Any, tmp_path: Path
) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    libraries = {"Ships": make_many_texts(tmp_path / "ships", 2), "Grain": make_many_texts(tmp_path / "grain", 1)}
    for name, folder in libraries.items():
        with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS):
            window.indexer.index(name, [folder])
    before = {name: panel_service.library.stats(name).chunks for name in libraries}

    window.ctx.messages.auto_confirm = True  # "Re-index libraries?" -> Yes
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.chunk_tokens.setValue(panel_service.settings.chunk_tokens // 2)
    reports: dict[str, Any] = {}
    window.indexer.finished.connect(lambda library, report: reports.__setitem__(library, report))
    dialog.accept()
    qtbot.waitUntil(lambda: set(reports) == set(libraries), timeout=WAIT_MS)

    for name, folder in libraries.items():
        report = reports[name]
        assert report is not None
        assert not report.cancelled
        assert report.updated == len(list(folder.iterdir()))  # every document read again
        stats = panel_service.library.stats(name)
        assert stats.chunks > before[name]  # split with the smaller size
        assert not stats.needs_reindex


def test_declined_reindex_leaves_the_library_marked(
    qtbot: QtBot, panel_service: Any, tmp_path: Path
) -> None:
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS):
        window.indexer.index("Ships", [make_many_texts(tmp_path / "ships", 1)])
    # the run's own end (its lane job) comes just after ``finished``: wait for it, so "busy" below
    # can only mean a run the declined dialog started
    qtbot.waitUntil(lambda: not window.indexer.busy(), timeout=WAIT_MS)
    window.ctx.messages.auto_confirm = False
    dialog = window.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.chunk_tokens.setValue(panel_service.settings.chunk_tokens // 2)
    dialog.accept()
    assert not window.indexer.busy()
    stats = panel_service.library.stats("Ships")
    assert stats.needs_reindex
    assert stats.reindex_sentence().startswith("Needs a re-index: 1 document was split")

    # the library panel says so, and its Re-index button does it
    window.library_panel.refresh_libraries(select="Ships")
    notice = window.library_panel.reindex_notice
    qtbot.waitUntil(lambda: notice.label.text().startswith("Needs a re-index"), timeout=10_000)
    assert not notice.isHidden()
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS) as finished:
        notice.button.click()
    assert finished.args[1].updated == 1
    assert not panel_service.library.stats("Ships").needs_reindex
    qtbot.waitUntil(notice.isHidden, timeout=10_000)
