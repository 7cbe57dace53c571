"""The model and adapters panel with the real embedded model and real LoRA adapter files: adapters
are validated before they are listed, their switch and slider change the next answer without a
model reload, the list survives a restart, and wrong adapters or models are refused with a reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from adapter_factory import make_lora
from ragtune.core.answer_types import AdapterSpec
from ragtune.gui.adapter_list import SavedAdapter, load_saved, save_list
from ragtune.gui.context import ui_settings
from ragtune.gui.model_panel import ModelPanel

WAIT_MS = 180_000
QUESTION = "Name one colour of the sky."


def _panel(qtbot: QtBot, ctx: Any) -> ModelPanel:
    panel = ModelPanel(ctx)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.current is not None, timeout=WAIT_MS)
    return panel


def test_shows_the_embedded_model(qtbot: QtBot, panel_ctx: Any) -> None:
    panel = _panel(qtbot, panel_ctx)
    assert panel.current is not None
    assert panel.current.embedded
    assert panel.model_name.text() == panel.current.name
    details = panel.model_info.text()
    assert "qwen2" in details
    assert "context" in details
    assert "embedded default" in details
    assert "MB" in details
    assert panel.current.name in panel.model_names()
    assert panel.active_adapters() == []


def test_adapter_switch_and_slider_change_next_answer_without_reload(
    qtbot: QtBot,
    panel_ctx: Any,
    run_on_lane: Callable[..., Any],
    real_chat_model: Path,
    tmp_path: Path,
) -> None:
    """The real model: that a LoRA changes its next answer, hot, is the subject."""
    svc = panel_ctx.svc
    panel = _panel(qtbot, panel_ctx)

    def ask() -> str:
        specs = panel.active_adapters()  # read in the UI thread, used on the model lane
        answer = run_on_lane(
            panel_ctx.model_lane, lambda _job: svc.ask(QUESTION, rag=False, adapters=specs)
        )
        assert answer.adapters == specs
        return str(answer.text)

    base = ask()
    engine = svc.models.engine
    assert engine is not None
    assert base

    lora = make_lora(tmp_path / "sky-style.gguf", real_chat_model, seed=3)
    with qtbot.waitSignal(panel.adapters.adapter_added, timeout=WAIT_MS):
        panel.add_adapter_file(str(lora))
    assert len(panel.adapters.rows) == 1
    row = panel.adapters.rows[0]
    assert row.name == "sky-style"
    assert row.toggle.isChecked()
    assert (row.slider.minimum(), row.slider.maximum(), row.slider.value()) == (0, 200, 100)
    assert row.value_label.text() == "100 %"
    assert panel.active_adapters() == [AdapterSpec(str(lora), 1.0)]

    with_adapter = ask()
    assert with_adapter != base

    with qtbot.waitSignal(panel.adapters.adapters_changed, timeout=2000):
        row.toggle.setChecked(False)
    assert panel.active_adapters() == []
    assert not row.slider.isEnabled()
    assert ask() == base  # off again: the model answers as before

    row.toggle.setChecked(True)
    with qtbot.waitSignal(panel.adapters.adapters_changed, timeout=2000):  # debounced
        row.slider.setValue(200)
    assert row.value_label.text() == "200 %"
    assert panel.active_adapters() == [AdapterSpec(str(lora), 2.0)]
    stronger = ask()
    assert stronger != with_adapter

    # applied hot: the same engine and the same llama.cpp model object all along
    assert svc.models.engine is engine
    saved = load_saved(ui_settings())
    assert saved == [SavedAdapter(str(lora), True, 200)]


def test_adapter_list_is_restored_and_vanished_files_dropped(
    qtbot: QtBot, panel_ctx: Any, chat_model_path: Path, tmp_path: Path
) -> None:
    lora = make_lora(tmp_path / "kept.gguf", chat_model_path, seed=4)
    gone = tmp_path / "gone.gguf"
    save_list(panel_ctx.settings, [SavedAdapter(str(lora), False, 150), SavedAdapter(str(gone))])
    shown: list[str] = []
    panel_ctx.messages.shown.connect(shown.append)

    panel = ModelPanel(panel_ctx)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: len(panel.adapters.rows) == 1, timeout=WAIT_MS)
    row = panel.adapters.rows[0]
    assert row.path == str(lora)
    assert not row.enabled
    assert row.percent == 150
    assert panel.active_adapters() == []
    assert any("gone.gguf is gone" in text for text in shown)
    assert [a.path for a in load_saved(panel_ctx.settings)] == [str(lora)]

    with qtbot.waitSignal(panel.adapters.adapters_changed, timeout=2000):
        row.remove_button.click()
    assert panel.adapters.rows == []
    assert load_saved(panel_ctx.settings) == []


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"architecture": "llama"}, "was made for llama, the loaded model is qwen2"),
        ({"wrong_shape": True}, "columns"),
    ],
)
def test_wrong_adapter_is_refused_with_its_reason(
    qtbot: QtBot,
    panel_ctx: Any,
    chat_model_path: Path,
    tmp_path: Path,
    options: dict[str, Any],
    reason: str,
) -> None:
    panel = _panel(qtbot, panel_ctx)
    bad = make_lora(tmp_path / "bad.gguf", chat_model_path, layers=[0], **options)
    with qtbot.waitSignal(panel.adapters.adapter_refused, timeout=WAIT_MS) as refused:
        panel.add_adapter_file(str(bad))
    assert reason in refused.args[0]
    status = panel_ctx.messages.last_message
    assert "bad.gguf refused" in status
    assert reason in status
    assert panel.adapters.rows == []
    assert panel.active_adapters() == []
    assert load_saved(panel_ctx.settings) == []


def test_a_model_file_is_not_an_adapter(qtbot: QtBot, panel_ctx: Any, chat_model_path: Path) -> None:
    panel = _panel(qtbot, panel_ctx)
    with qtbot.waitSignal(panel.adapters.adapter_refused, timeout=WAIT_MS) as refused:
        panel.add_adapter_file(str(chat_model_path))
    assert "not a LoRA adapter" in refused.args[0]
    assert panel.adapters.rows == []


def test_corrupt_model_is_refused(qtbot: QtBot, panel_ctx: Any, tmp_path: Path) -> None:
    panel = _panel(qtbot, panel_ctx)
    before = panel.model_names()
    broken = tmp_path / "broken-model.gguf"
    broken.write_bytes(b"GGUF\x03\x00\x00\x00" + bytes(range(256)) * 8)
    with qtbot.waitSignal(panel.model_refused, timeout=WAIT_MS) as refused:
        panel.add_model_file(str(broken))
    assert refused.args[0]
    assert panel_ctx.messages.last_message.startswith("Model not loaded: ")
    assert [m.name for m in panel_ctx.svc.models.list_models()] == before
    qtbot.waitUntil(lambda: panel.model_names() == before, timeout=WAIT_MS)
    assert panel.combo.isEnabled()
    assert panel.state_label.text() == ""
    assert panel_ctx.svc.settings.chat_model == ""  # still the embedded default
