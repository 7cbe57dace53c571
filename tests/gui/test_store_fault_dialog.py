"""A damaged library database in the window: the library panel's first read opens a dialog with the
core's words (what happened, and the command that moves the file aside), not a traceback dialog.
Real library (real embedder), real damaged pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ragtune.core.services import Ragtune
from ragtune.errors import DatabaseDamaged
from ragtune.gui.context import AppContext, ui_settings
from ragtune.gui.indexing import IndexController
from ragtune.gui.library_panel import LibraryPanel
from ragtune.gui.messages import Messages
from ragtune.gui.tasks import Lane
from store_faults_support import damage_pages

WAIT_MS = 120_000


@pytest.fixture
def damaged_db(tmp_path: Path, embedder: Any) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "keeper.txt").write_text("The lighthouse keeper lights the lamp at dusk.\n")
    (docs / "ferries.txt").write_text("Ferries to the island leave every two hours.\n")
    with Ragtune(embedder=embedder) as svc:
        svc.library.index("harbour", [docs])
        path = svc.db_path
    damage_pages(path)
    return path


@pytest.fixture
def ctx(qtbot: QtBot, embedder: Any, damaged_db: Path) -> Iterator[AppContext]:
    window = QMainWindow()
    qtbot.addWidget(window)
    context = AppContext(
        svc=Ragtune(embedder=embedder),
        index_lane=Lane("index"),
        model_lane=Lane("model"),
        reads=Lane("reads", workers=2),
        messages=Messages(window.statusBar(), window),
        settings=ui_settings(),
    )
    yield context
    context.shutdown()
    context.svc.close()


def test_a_damaged_database_opens_a_dialog_with_the_way_out(qtbot: QtBot, ctx: AppContext, damaged_db: Path) -> None:
    with Ragtune(db_path=damaged_db) as svc, pytest.raises(DatabaseDamaged) as expected:
        svc.library.libraries()
    panel = LibraryPanel(ctx, IndexController(ctx))
    with qtbot.waitSignal(ctx.messages.shown, timeout=WAIT_MS) as shown:
        panel.refresh_libraries()  # what the window does when it opens
    assert shown.args == [str(expected.value)]
    [box] = ctx.messages.dialogs
    assert box.windowTitle() == "The library database is damaged"
    assert box.text() == str(expected.value)
    assert "keeps no backup" in box.text()
    assert f"{damaged_db}-wal" in box.text()
