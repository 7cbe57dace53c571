"""A GGUF file dropped on the window goes to the adapters or the models by what it is, decided by
the core (``svc.models.gguf_kind``): a real adapter file, the real chat model, and a broken file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from adapter_factory import make_lora
from ragtune.gui.main_window import MainWindow
from window_support import drop_paths


def test_a_dropped_adapter_is_checked_as_an_adapter(
    qtbot: QtBot, panel_service: Any, chat_model_path: Path, tmp_path: Path
) -> None:
    lora = make_lora(tmp_path / "dropped-style.gguf", chat_model_path, seed=7)
    assert panel_service.models.gguf_kind(lora) == "adapter"
    assert panel_service.models.gguf_kind(chat_model_path) == "model"
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 10)
    assert panel_service.models.gguf_kind(broken) == "model"  # the model check says what is wrong

    window = MainWindow(panel_service)
    qtbot.addWidget(window)
    added: list[str] = []
    window.model_panel.adapters.adapter_added.connect(added.append)  # the shipped one comes too
    drop_paths(window, [lora])
    qtbot.waitUntil(lambda: str(lora) in added, timeout=120_000)
    assert str(lora) in window.model_panel.adapters.adapter_paths()
    assert window.tabs.currentWidget() is window.model_panel
