"""The Evaluate tab with the real service: the sample library shows its set; a two-mode run on a tiny
set fills the results grid, the verdict and the chart; a citation in the per-question view opens
the cited file in the source viewer; the question editor's add / edit / delete go through the
service; an import with a malformed row shows its line-numbered message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ragtune import paths
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.gui.chat_input import SAMPLE_LIBRARY
from ragtune.gui.eval_results import MEASURES
from ragtune.gui.evaluate_view import PAGE_ANSWERS, EvaluateView
from ragtune.gui.main_window import MainWindow
from ragtune.gui.question_table import ANSWER, PAGE, QUESTION, SPLIT
from ragtune.settings import Settings

WAIT_MS = 300_000
TINY = "Tiny"
LAMP = "solar-garden-lamp-manual.md"
ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months", gold_file=LAMP),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT),
]


@pytest.fixture
def panel_settings() -> Settings:
    return Settings(threads=2, context_size=2048, max_answer_tokens=32, temperature=0.0)


def _choose_set(view: EvaluateView, name: str) -> None:
    index = view.set_combo.findData(name)
    assert index >= 0, [view.set_combo.itemData(i) for i in range(view.set_combo.count())]
    view.set_combo.setCurrentIndex(index)


def test_run_results_and_a_citation_click(qtbot: QtBot, panel_service: Any) -> None:
    svc = panel_service
    svc.library.index(SAMPLE_LIBRARY, [str(paths.sample_library_dir())])
    window = MainWindow(svc)
    qtbot.addWidget(window)
    window.show()
    view = window.evaluate_view
    window.tabs.setCurrentWidget(view)
    window.library_panel.select_library(SAMPLE_LIBRARY)
    qtbot.waitUntil(lambda: view.library == SAMPLE_LIBRARY and view.set_combo.count() >= 1, timeout=30_000)
    assert view.set_name() == "Sample questions"  # the sample library's own set, shown at once
    assert view.bar.run_button.isEnabled()

    svc.evaluation.add_questions(SAMPLE_LIBRARY, TINY, ITEMS, [False, False])
    with qtbot.waitSignal(view.state_loaded, timeout=30_000):
        view.reload(select=TINY)
    _choose_set(view, TINY)
    view.bar.split.setCurrentIndex(view.bar.split.findText("All questions"))
    assert view.bar.modes() == [Mode.MODEL, Mode.RAG]  # no adapter switched on: adapter modes off
    assert not view.bar.mode_boxes[Mode.ADAPTER].isEnabled()
    assert "Ctrl+R" in view.bar.run_button.toolTip()

    with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
        qtbot.mouseClick(view.bar.run_button, Qt.MouseButton.LeftButton)
        assert view.running()
    assert view.record is not None
    assert view.record.info.status == "finished"
    grid = view.results.grid
    assert grid.rowCount() == 2
    assert [grid.verticalHeaderItem(r).text() for r in range(2)] == ["Model alone", "RAG"]
    for row in range(2):
        assert re.match(r"^[01]/1 \(\d+ ?%, \d+ ?%?-\d+ ?%\)$", grid.cell_text(row, 0)), grid.cell_text(row, 0)
        declined = [name for name, _ in MEASURES].index("Declined\n(absent)")
        assert re.match(r"^[01]/1 ", grid.cell_text(row, declined))  # declined the absent question or not
    assert re.match(r"^[01]/1 ", grid.cell_text(1, 1))  # RAG: cited the gold file
    assert view.results.verdict.text().strip()
    assert "recall@1" in view.results.retrieval.text()
    assert view.results.chart.has_data()
    assert view.bar.export_button.isEnabled()
    run_id = view.record.info.id
    qtbot.waitUntil(lambda: view.bar.runs.currentData() == run_id, timeout=30_000)  # the list reloads
    assert f"Run {view.record.info.id}" in view.bar.status.text()

    view.pages.setCurrentIndex(PAGE_ANSWERS)
    lamp_id = next(q.id for q in view.record.questions if q.gold_file == LAMP)
    view.answers.choose(lamp_id)
    assert len(view.answers.boxes) == 2
    rag_box = view.answers.boxes[1]
    chips = rag_box.chip_buttons()
    assert chips, "the RAG answer has no citation"
    assert not view.answers.boxes[0].chip_buttons()  # the model alone cites nothing
    with qtbot.waitSignal(window.source_viewer.shown, timeout=30_000):
        qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.source_viewer
    cited = view.record.result(lamp_id, Mode.RAG)
    assert cited is not None
    assert Path(window.source_viewer.current_path).name == Path(cited.citations[0]["path"]).name


def test_the_table_edits_through_the_service(qtbot: QtBot, panel_ctx: Any) -> None:
    svc = panel_ctx.svc
    svc.library.create_library("Notes")
    svc.evaluation.add_questions("Notes", "Mine", [Question("What colour is the door?", "green")], [True])
    view = EvaluateView(panel_ctx, lambda: [])
    qtbot.addWidget(view)
    view.show()
    view.set_library("Notes")
    assert view.bar.chosen_split() == Split.TEST  # verdicts are meant for the test split
    model = view.table.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=30_000)
    assert model.data(model.index(0, QUESTION)) == "What colour is the door?"

    def stored() -> list[Question]:
        return svc.evaluation.questions("Notes", "Mine")

    model.setData(model.index(0, ANSWER), "dark green")
    qtbot.waitUntil(lambda: stored()[0].answer == "dark green", timeout=30_000)
    qtbot.waitUntil(lambda: model.data(model.index(0, ANSWER)) == "dark green", timeout=30_000)
    model.setData(model.index(0, SPLIT), "train")
    qtbot.waitUntil(lambda: stored()[0].split == Split.TRAIN, timeout=30_000)
    model.setData(model.index(0, PAGE), "two")  # not a number: refused, said plainly
    assert "page must be a number" in panel_ctx.messages.last_message
    assert stored()[0].gold_page == 0

    view.table.add_question("Where is the key?")
    qtbot.waitUntil(lambda: len(stored()) == 2 and model.rowCount() == 2, timeout=30_000)
    view.table.view.selectRow(0)
    view.table.view.setFocus()
    qtbot.keyClick(view.table.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: [q.question for q in stored()] == ["Where is the key?"], timeout=30_000)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=30_000)


def test_import_lists_the_skipped_rows(
    qtbot: QtBot, panel_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = panel_ctx.svc
    svc.library.create_library("Notes")
    source = tmp_path / "mine.jsonl"
    source.write_text('{"question": "What colour is the door?", "answer": "green"}\n{not json\n', encoding="utf-8")
    warnings: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(source), "")))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a, **k: warnings.append(text)))
    view = EvaluateView(panel_ctx, lambda: [])
    qtbot.addWidget(view)
    view.set_library("Notes")
    qtbot.waitUntil(lambda: view.buttons["import"].isEnabled(), timeout=30_000)
    qtbot.mouseClick(view.buttons["import"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(warnings), timeout=30_000)
    assert "Imported 1 question" in warnings[0]
    assert "line 2:" in warnings[0]
    qtbot.waitUntil(lambda: view.set_name() == "mine" and view.table.model.rowCount() == 1, timeout=30_000)
