"""The comparison view with the real embedder and the scripted chat model (the view, not the
model, is under test): columns for the modes that apply fill side by side with text, sources and
timings; missing modes are explained; citation chips emit; Stop stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from adapter_factory import make_lora
from ragtune.core.answer_types import (
    AdapterSpec,
    Answer,
    CompareDone,
    CompareSources,
    CompareToken,
    Mode,
    Timings,
)
from ragtune.core.types import Citation
from ragtune.gui.compare_view import CompareView
from scripted_model import ScriptedModel

WAIT_MS = 300_000
LIBRARY = "garden notes"
NOTES = (
    "# Garden notes\n\n"
    "The greenhouse in Ashford was built in 1931 by Margaret Holloway. "
    "Its glass roof is painted white every May to keep the tomatoes cool.\n\n"
    "The pond holds eleven golden carp, fed twice a day with floating pellets.\n"
)


def _index_library(svc: Any, tmp_path: Path) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "garden.md").write_text(NOTES, encoding="utf-8")
    report = svc.library.index(LIBRARY, [str(folder)])
    assert report.added == 1
    assert not report.failed


def test_compare_fills_all_four_columns(
    qtbot: QtBot, panel_ctx: Any, chat_model_path: Path, tmp_path: Path
) -> None:
    svc = panel_ctx.svc
    _index_library(svc, tmp_path)
    lora = make_lora(tmp_path / "style.gguf", chat_model_path, seed=2)
    view = CompareView(panel_ctx, lambda: [AdapterSpec(str(lora), 1.0)], lambda: LIBRARY)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    streamed: list[object] = []

    with qtbot.waitSignal(view.compare_finished, timeout=WAIT_MS):
        job = view.run("Who built the greenhouse in Ashford?")
        assert job is not None
        job.progress.connect(streamed.append)
        assert view.stop_button.isEnabled()
        assert not view.compare_button.isEnabled()

    assert list(view.columns) == [Mode.MODEL, Mode.RAG, Mode.ADAPTER, Mode.RAG_ADAPTER]
    assert not view.why_label.isVisible()
    for mode, column in view.columns.items():
        assert column.text().strip(), mode
        assert "first token" in column.timings(), mode
        assert "tokens/s" in column.timings(), mode
        assert "prompt tokens" in column.timings(), mode
        assert column.answer is not None
        assert column.answer.mode == mode
    assert {type(e) for e in streamed} == {CompareSources, CompareToken, CompareDone}
    rag = view.columns[Mode.RAG].answer
    assert rag is not None
    assert any("garden.md" in h.path for h in rag.sources)
    assert view.columns[Mode.RAG_ADAPTER].answer.adapters == [AdapterSpec(str(lora), 1.0)]  # type: ignore[union-attr]
    assert view.columns[Mode.MODEL].answer.sources == []  # type: ignore[union-attr]
    # equal widths, side by side
    sizes = view.splitter.sizes()
    assert len(sizes) == 4
    assert max(sizes) - min(sizes) <= 2
    assert view.compare_button.isEnabled()
    assert not view.stop_button.isEnabled()


def test_missing_modes_are_explained_and_chips_emit(qtbot: QtBot, panel_ctx: Any) -> None:
    view = CompareView(panel_ctx, lambda: [], lambda: None)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.compare_finished, timeout=WAIT_MS):
        view.run("Say hello.")
    assert list(view.columns) == [Mode.MODEL]
    assert "No library chosen" in view.why_label.text()
    assert "No adapter is switched on" in view.why_label.text()
    assert view.columns[Mode.MODEL].text().strip()

    # a finished column's citation chip, clicked, asks the window to open the source
    column = view.columns[Mode.MODEL]
    cite = Citation(1, 7, "/docs/a.pdf", 3, 0, 10, "some text", "A")
    column.finish(Answer("q", "It is so [1].", Mode.RAG, "m", citations=[cite], timings=Timings()))
    chips = column.message.chip_buttons()
    assert [c.text() for c in chips] == ["[1] a.pdf, p. 3"]
    with qtbot.waitSignal(view.citation_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)
    assert clicked.args == [cite]


def test_stop_cancels_the_comparison(
    qtbot: QtBot, panel_ctx: Any, scripted_model: ScriptedModel
) -> None:
    scripted_model.until_cancelled = True  # a long story: it streams until stopped
    view = CompareView(panel_ctx, lambda: [], lambda: None)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.compare_finished, timeout=WAIT_MS):
        assert view.run("Write a long story about a cat.") is not None
        view.stop()
    column = view.columns[Mode.MODEL]
    answer = column.answer
    assert (answer is not None and answer.cancelled) or "Stopped." in column.message.body.toPlainText()
    assert not view.running()
    assert view.compare_button.isEnabled()


def test_empty_question_starts_nothing(qtbot: QtBot, panel_ctx: Any) -> None:
    view = CompareView(panel_ctx, lambda: [], lambda: None)
    qtbot.addWidget(view)
    assert view.run("   ") is None
    assert view.columns == {}
    assert "Type a question" in panel_ctx.messages.last_message
