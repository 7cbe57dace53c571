"""The Fine-tune tab with the real service (issue 10): build a training set from a question set's
train split (no test-split question in it), edit an answer, delete an example, export the JSONL,
then train a short run in the child process while the chat model keeps answering on the model
lane; the adapter appears in the adapters list and the bench's verdict follows. Without the
training extra, the banner says what to install and Install… runs the command with its output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from ragtune import paths
from ragtune.core.evaluate.questions import Kind, Question, Split
from ragtune.gui import finetune_install
from ragtune.gui.chat_input import SAMPLE_LIBRARY
from ragtune.gui.finetune_examples import ANSWER
from ragtune.gui.finetune_view import FineTuneView
from ragtune.gui.main_window import MainWindow
from ragtune.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
WAIT_MS = 900_000
LAMP = "solar-garden-lamp-manual.md"
POLICY = "harbor-city-library-lending-policy.pdf"
TINY = "Tiny"
TEST_QUESTION = "What is the late fee for an adult item?"
ITEMS = [
    Question("How long is the warranty on the solar garden lamp?", "18 months", gold_file=LAMP, split=Split.TRAIN),
    Question("How many days can I borrow a DVD?", "7 days", gold_file=POLICY, split=Split.TRAIN),
    Question("How long can books be borrowed from the library?", "21 days", gold_file=POLICY, split=Split.TRAIN),
    Question("Who won the 1966 football World Cup?", kind=Kind.ABSENT, split=Split.TRAIN),
    Question("Who painted the Mona Lisa?", kind=Kind.ABSENT, split=Split.TRAIN),
    Question(TEST_QUESTION, "25 cents per day", gold_file=POLICY, split=Split.TEST),
]


@pytest.fixture
def panel_settings() -> Settings:
    return Settings(threads=2, context_size=2048, max_answer_tokens=16, temperature=0.0)


def _item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def _choose(view: FineTuneView, name: str) -> None:
    index = view.set_combo.findData(name)
    assert index >= 0, [view.set_combo.itemData(i) for i in range(view.set_combo.count())]
    view.set_combo.setCurrentIndex(index)


def test_build_edit_export_train_and_judge(qtbot: QtBot, panel_service: Any, tmp_path: Path) -> None:
    svc = panel_service
    svc.library.index(SAMPLE_LIBRARY, [str(paths.sample_library_dir())])
    svc.evaluation.add_questions(SAMPLE_LIBRARY, TINY, ITEMS, [True] * len(ITEMS))
    window = MainWindow(svc)
    qtbot.addWidget(window)
    window.ctx.messages.auto_confirm = True  # closing while a job runs asks first
    window.show()
    view = window.finetune_view
    window.tabs.setCurrentWidget(view)
    window.library_panel.select_library(SAMPLE_LIBRARY)
    qtbot.waitUntil(lambda: view.library == SAMPLE_LIBRARY and view.set_combo.findData(TINY) >= 0, timeout=60_000)
    _choose(view, TINY)
    # the core's advice for the embedded model: the trainer loads qwen2, and it fits this machine
    qtbot.waitUntil(lambda: "The trainer can load" in view.fit_label.text(), timeout=60_000)
    assert "(qwen2, 0.6B parameters)" in view.fit_label.text()  # the GGUF holds the tied output too
    assert "this machine's" in view.fit_label.text()  # fits or not: this machine's RAM decides
    assert view.options.name.text() == "sample-library-cite"
    assert not view.options.train_button.isEnabled()  # nothing to train on yet
    assert "Ctrl+Shift+T" in view.options.train_button.toolTip()

    view.decline_share.setValue(40)  # the two absent items are the declines (issue 20: the share counts them)
    qtbot.mouseClick(view.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.report is not None, timeout=WAIT_MS)
    table = view.examples.table
    n = table.rowCount()
    assert n == len(view.examples.examples) >= 4
    assert "examples:" in view.report_label.text()
    shown = " ".join(_item(table, r, 1).text() for r in range(n))
    assert TEST_QUESTION not in shown  # the split leak, as the person sees it
    assert all(TEST_QUESTION not in m["content"] for ex in view.examples.examples for m in ex.messages)

    table.selectRow(0)
    assert "[system]" in view.examples.preview.toPlainText()
    _item(table, 0, ANSWER).setText("Edited answer [1].")
    assert view.examples.examples[0].messages[-1]["content"] == "Edited answer [1]."
    table.selectRow(n - 1)
    assert view.examples.delete_selected() == 1
    assert table.rowCount() == n - 1

    out = tmp_path / "set.jsonl"
    job = view.export(str(out))
    qtbot.waitUntil(lambda: job.done, timeout=30_000)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n - 1
    assert rows[0]["messages"][-1]["content"] == "Edited answer [1]."

    view.options.epochs.setValue(1)
    view.options.name.setText("gui-cite")
    assert view.options.train_button.isEnabled()
    with qtbot.waitSignal(view.adapter_trained, timeout=WAIT_MS) as trained:
        qtbot.mouseClick(view.options.train_button, Qt.MouseButton.LeftButton)
        assert view.busy()
        assert view.options.cancel_button.isEnabled()
        # the chat keeps working while the child trains: the model lane is free
        answer: list[Any] = []
        view.ctx.model_lane.submit(lambda job: svc.ask("Say hi.", rag=False), on_result=answer.append)
        qtbot.waitUntil(lambda: bool(answer), timeout=WAIT_MS)
        assert view.busy()
    adapter = Path(trained.args[0])
    assert adapter == paths.adapters_dir() / "gui-cite.gguf"
    assert adapter.is_file()
    assert "Adapter gui-cite trained" in view.verdict.text()
    qtbot.waitUntil(lambda: str(adapter) in window.model_panel.adapters.adapter_paths(), timeout=60_000)
    with qtbot.waitSignal(view.bench_finished, timeout=WAIT_MS) as benched:
        pass
    record = benched.args[0]
    assert record is not None
    assert record.info.split == "test"
    assert len(record.results) == 4  # one test question, four modes
    assert "RAG + adapter" in view.verdict.text()
    qtbot.waitUntil(lambda: not view.busy(), timeout=30_000)
    window.close()


def test_missing_extra_banner_and_install(qtbot: QtBot, panel_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    state = {"missing": True}
    message = 'Training needs the optional packages torch (not installed). Install them with: pip install "ragtune[train]"'
    monkeypatch.setattr(finetune_install, "train_extra_missing", lambda: message if state["missing"] else None)
    view = FineTuneView(panel_ctx)
    qtbot.addWidget(view)
    view.show()
    assert view.banner.isVisible()
    assert 'pip install "ragtune[train]"' in view.banner.text.text()
    assert "torch" in " ".join(finetune_install.install_command())
    assert finetune_install.install_command()[:4] == [sys.executable, "-m", "pip", "install"]

    view.banner.command = [sys.executable, "-c", "import sys; print('pip says no'); sys.exit(1)"]
    qtbot.mouseClick(view.banner.install_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.banner.process is None, timeout=60_000)
    assert "The install failed (pip exit code 1)" in view.banner.output.text()
    assert view.banner.isVisible()

    view.banner.command = [sys.executable, "-c", "print('Successfully installed torch')"]
    state["missing"] = False
    with qtbot.waitSignal(view.banner.installed, timeout=60_000):
        qtbot.mouseClick(view.banner.install_button, Qt.MouseButton.LeftButton)
    assert not view.banner.isVisible()
    assert "Installed" in view.banner.output.text()


def test_shipped_and_cli_trained_adapters_are_offered_once(
    qtbot: QtBot, panel_service: Any, chat_model_path: Path
) -> None:
    """A new window lists the shipped adapter and one made by `ragtune train`, switched off (the
    answers stay as they were); one removed from the list is not offered again."""
    from adapter_factory import make_lora

    trained = make_lora(paths.adapters_dir() / "from-cli.gguf", chat_model_path, seed=5)
    shipped = sorted(paths.shipped_adapters_dir().glob("*.gguf"))
    assert shipped, "the shipped adapter is missing from resources/adapters"
    expected = {str(p) for p in [*shipped, trained]}

    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    panel = window.model_panel.adapters
    qtbot.waitUntil(lambda: set(panel.adapter_paths()) == expected, timeout=120_000)
    assert panel.active_adapters() == []  # offered switched off
    assert {r.path: r.percent for r in panel.rows} == {**{str(p): 50 for p in shipped}, str(trained): 100}
    row = next(r for r in panel.rows if r.path == str(trained))
    panel.remove_adapter(row)
    window.close()

    again = MainWindow(panel_service)
    qtbot.addWidget(again)
    # the start submits every check at once (restore and discover run in the window's __init__)
    qtbot.waitUntil(
        lambda: not again.ctx.model_lane.busy()
        and set(again.model_panel.adapters.adapter_paths()) == {str(p) for p in shipped},
        timeout=120_000,
    )
    assert str(trained) not in again.model_panel.adapters.adapter_paths()  # removed: not offered again
    again.close()
