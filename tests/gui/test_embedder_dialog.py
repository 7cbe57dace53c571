"""The library's Embedder… dialog: the choices with the library's own marked and one recommended for
its languages, a switch confirmed with what it will do, run with progress on the index lane, a
Stop that keeps the old model in use, and the resume. Real service, real embedded model; the second
model is the embedded one projected to 256 dimensions (tests/projected_embedder.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from projected_embedder import MODEL_ID, ProjectedEmbedder, loader_for
from ragtune.core import reembed
from ragtune.core.embedder_types import EmbedderOption
from ragtune.core.services import Ragtune
from ragtune.gui.context import AppContext, ui_settings
from ragtune.gui.embedder_dialog import EmbedderDialog
from ragtune.gui.indexing import IndexController
from ragtune.gui.library_panel import LibraryPanel
from ragtune.gui.messages import Messages
from ragtune.gui.tasks import Lane

WAIT_MS = 120_000
GERMAN = ("Der Mieter zahlt die Miete jeweils zum dritten Werktag eines Monats auf das Konto des "
          "Vermieters; bei Verzug werden Zinsen fällig.")


@pytest.fixture
def projected(embedder: Any) -> ProjectedEmbedder:
    return ProjectedEmbedder(embedder)


@pytest.fixture
def panel(qtbot: QtBot, embedder: Any, projected: ProjectedEmbedder) -> Iterator[LibraryPanel]:
    window = QMainWindow()
    qtbot.addWidget(window)
    svc = Ragtune(embedder=embedder, embedder_loader=loader_for(projected))
    messages = Messages(window.statusBar(), window)
    messages.auto_confirm = True
    ctx = AppContext(svc=svc, index_lane=Lane("index"), model_lane=Lane("model"),
                     reads=Lane("reads", workers=2), messages=messages, settings=ui_settings())
    widget = LibraryPanel(ctx, IndexController(ctx))
    window.setCentralWidget(widget)
    window.resize(900, 700)
    window.show()
    yield widget
    ctx.shutdown()
    svc.close()


def index_german(qtbot: QtBot, panel: LibraryPanel, folder: Path, count: int = 12) -> None:
    folder.mkdir()
    for i in range(count):
        (folder / f"vertrag{i}.txt").write_text(f"§ {i}. {GERMAN} Absatz {i}.\n", encoding="utf-8")
    with qtbot.waitSignal(panel.indexer.finished, timeout=WAIT_MS):
        panel.add_paths([str(folder)])


def open_dialog(qtbot: QtBot, panel: LibraryPanel) -> EmbedderDialog:
    panel.embedder_dialog = None
    panel.open_embedder_dialog()
    qtbot.waitUntil(lambda: panel.embedder_dialog is not None and panel.embedder_dialog.isVisible(), timeout=WAIT_MS)
    assert panel.embedder_dialog is not None
    return panel.embedder_dialog


def add_projected(dialog: EmbedderDialog) -> None:
    """The test's second model is not in the catalogue: offer it as one more row."""
    dialog.options = [*dialog.options, EmbedderOption(MODEL_ID, "Projected (test)", None, True)]
    dialog._fill()
    dialog.table.selectRow(len(dialog.options) - 1)


def test_the_dialog_recommends_a_multilingual_model_for_german_text(
    qtbot: QtBot, panel: LibraryPanel, tmp_path: Path
) -> None:
    index_german(qtbot, panel, tmp_path / "verträge")
    dialog = open_dialog(qtbot, panel)
    assert "German" in dialog.languages.text()
    assert "multilingual model is recommended" in dialog.languages.text()
    states = {dialog.table.item(r, 0).text(): dialog.table.item(r, 4).text()  # type: ignore[union-attr]
              for r in range(dialog.table.rowCount())}
    assert states["all-MiniLM-L6-v2 (int8 ONNX)"] == "In use"
    assert states["paraphrase-multilingual-MiniLM-L12-v2 (int8 ONNX)"] == "★ Recommended · Download"
    current = dialog.current_option()
    assert current is not None
    assert current.recommended
    assert "about 50 languages" in dialog.details.text()
    assert dialog.use_button.isEnabled()
    dialog.reject()


def test_switch_stop_and_resume_from_the_dialog(
    qtbot: QtBot, panel: LibraryPanel, projected: ProjectedEmbedder, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reembed, "BATCH", 4)
    index_german(qtbot, panel, tmp_path / "verträge")
    library = panel.current
    assert library is not None
    dialog = open_dialog(qtbot, panel)
    add_projected(dialog)

    def stop_after_first_batch(calls: int) -> None:  # on the worker: as Stop does, between batches
        if calls == 1 and dialog.job is not None:
            dialog.job.cancel.set()

    projected.on_call = stop_after_first_batch
    with qtbot.waitSignal(dialog.switched, timeout=WAIT_MS):
        dialog.start()
    assert dialog.job is None
    assert "Stopped at 4 of 12" in dialog.status.text()
    assert "still uses its old model" in dialog.status.text()
    assert dialog.table.item(len(dialog.options) - 1, 4).text().startswith("Stopped at 4 of 12")  # type: ignore[union-attr]
    dialog.table.selectRow(0)  # the library's own model: keeping it would drop the stopped switch
    assert dialog.use_button.text() == "Keep this model"
    assert dialog.use_button.isEnabled()
    dialog.table.selectRow(len(dialog.options) - 1)
    svc = panel.ctx.svc
    assert svc.library.embedder_of(library).model_id != MODEL_ID  # the old model answers
    assert svc.library.search(library, "Wann ist die Miete fällig?")
    qtbot.waitUntil(lambda: "Switching to test/projected-256 stopped at 4 of 12" in panel.counts.text(),
                    timeout=WAIT_MS)
    projected.on_call = None
    with qtbot.waitSignal(dialog.switched, timeout=WAIT_MS):
        dialog.start()  # the same choice again: resumes
    assert projected.passages == 12  # 4 before the Stop, the 8 left after it
    assert svc.library.embedder_of(library).model_id == MODEL_ID
    qtbot.waitUntil(lambda: "embedder projected-256" in panel.counts.text(), timeout=WAIT_MS)
    assert "stopped at" not in panel.counts.text()
    assert "now uses test/projected-256" in dialog.status.text()
    states = [dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())]  # type: ignore[union-attr]
    assert states[-1].startswith("In use")
    assert not dialog.use_button.isEnabled()  # the library's own model is selected
