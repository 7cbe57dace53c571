"""The window says which documents carried hidden text (issue 17, section 1): the library's counts
line and the document's state and tooltip. Real service, real embedder, a real PDF dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hidden_text_factory import fact_sheet_pdf
from ragtune.gui.main_window import MainWindow
from window_support import drop_paths

WAIT_MS = 120_000


def test_a_document_with_hidden_text_says_so(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    folder = tmp_path / "harbour"
    folder.mkdir()
    fact_sheet_pdf(folder / "white.pdf", color=(1, 1, 1))
    (folder / "plain.md").write_text("# Pier\n\nThe pier café opens at 7:00.\n", encoding="utf-8")
    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    window.show()
    panel = window.library_panel
    with qtbot.waitSignal(window.indexer.finished, timeout=WAIT_MS):
        drop_paths(window, [folder])
    # the table and the counts are filled together, after the run, from the service
    qtbot.waitUntil(lambda: panel.stats is not None and panel.stats.documents == 2, timeout=WAIT_MS)

    assert "Hidden text left out: 1 span in 1 document" in panel.counts.text()
    white = panel.model.row_for("white.pdf")
    plain = panel.model.row_for("plain.md")
    assert white is not None
    assert plain is not None
    assert white.state_text == "indexed, hidden text left out"
    assert plain.state_text == "indexed"
    row = panel.model.rows.index(white)
    tooltip = str(panel.model.data(panel.model.index(row, 1), Qt.ItemDataRole.ToolTipRole))
    assert "Hidden text left out: 1 span, not indexed (text a person cannot see" in tooltip
    shown = panel.model.data(panel.model.index(row, 1), Qt.ItemDataRole.DisplayRole)
    assert shown == "indexed, hidden text left out"
