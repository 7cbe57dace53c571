"""The library panel shows what the core decided: a vanished source is marked missing (its documents
stay), a file removed from inside a folder is listed as excluded, adding it again brings it back,
and a path that does not exist is refused with a message. Real service and embedder, no chat model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ragtune.core.services import Ragtune
from ragtune.gui.context import AppContext, ui_settings
from ragtune.gui.indexing import IndexController
from ragtune.gui.library_panel import LibraryPanel
from ragtune.gui.messages import Messages
from ragtune.gui.tasks import Lane

WAIT_MS = 120_000


@pytest.fixture
def panel(qtbot: QtBot, embedder: Any) -> Iterator[LibraryPanel]:
    window = QMainWindow()
    qtbot.addWidget(window)
    svc = Ragtune(embedder=embedder)
    ctx = AppContext(
        svc=svc,
        index_lane=Lane("index"),
        model_lane=Lane("model"),
        reads=Lane("reads", workers=2),
        messages=Messages(window.statusBar(), window),
        settings=ui_settings(),
    )
    widget = LibraryPanel(ctx, IndexController(ctx))
    window.setCentralWidget(widget)
    yield widget
    ctx.shutdown()
    svc.close()


def states(panel: LibraryPanel) -> dict[str, str]:
    return {row.name: row.state for row in panel.model.rows}


def test_missing_source_excluded_file_and_refused_path(
    qtbot: QtBot, panel: LibraryPanel, tmp_path: Path
) -> None:
    folder = (tmp_path / "notes").resolve()
    folder.mkdir()
    (folder / "keep.txt").write_text("The harbour opens at six in the morning.\n")
    (folder / "drop.txt").write_text("Ferries to the island leave every two hours.\n")
    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS):
        panel.add_paths([str(folder)])
    qtbot.waitUntil(lambda: states(panel) == {"keep.txt": "indexed", "drop.txt": "indexed"}, timeout=WAIT_MS)

    svc = panel.ctx.svc
    svc.library.remove("My documents", folder / "drop.txt")
    panel.refresh_libraries()
    qtbot.waitUntil(lambda: states(panel) == {"keep.txt": "indexed", "drop.txt": "excluded"}, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS) as rescan:
        panel.rescan()
    assert rescan.args[1].added == 0
    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS) as again:
        panel.add_paths([str(folder / "drop.txt")])  # adding it again includes it again
    assert again.args[1].added == 1
    qtbot.waitUntil(lambda: states(panel) == {"keep.txt": "indexed", "drop.txt": "indexed"}, timeout=WAIT_MS)

    folder.rename(tmp_path / "unplugged")
    panel.refresh_libraries()
    qtbot.waitUntil(
        lambda: panel.source_list.count() == 1 and "(missing)" in panel.source_list.item(0).text(),
        timeout=WAIT_MS,
    )
    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS) as missing:
        panel.rescan()
    assert missing.args[1].removed == 0
    assert "missing" in panel.ctx.messages.last_message
    assert set(states(panel)) == {"keep.txt", "drop.txt"}

    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS):
        panel.add_paths([str(tmp_path / "typo")])
    assert "does not exist" in panel.ctx.messages.last_message
    assert [i.sources for i in svc.library.libraries()] == [(str(folder),)]
