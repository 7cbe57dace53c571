"""The settings dialog: values are saved on OK and kept on Cancel; a chunking change asks before
re-indexing; the data folder and log file are shown."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ragtune import paths
from ragtune import settings as settings_store
from ragtune.gui.settings_dialog import SettingsDialog


@pytest.fixture
def asked(panel_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every confirmation question the dialog asks (answered by ``messages.auto_confirm``)."""
    questions: list[str] = []
    original = panel_ctx.messages.confirm

    def confirm(title: str, text: str) -> bool:
        questions.append(text)
        return bool(original(title, text))

    monkeypatch.setattr(panel_ctx.messages, "confirm", confirm)
    return questions


def _dialog(qtbot: QtBot, ctx: Any) -> SettingsDialog:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def test_shows_current_settings_and_paths(qtbot: QtBot, panel_ctx: Any) -> None:
    s = panel_ctx.svc.settings
    dialog = _dialog(qtbot, panel_ctx)
    assert dialog.threads.value() == s.threads
    assert dialog.context_size.value() == s.context_size
    assert dialog.passages.value() == s.passages
    assert dialog.max_answer_tokens.value() == s.max_answer_tokens
    assert dialog.chunk_tokens.value() == s.chunk_tokens
    assert dialog.temperature.value() == pytest.approx(s.temperature)
    assert dialog.data_folder.text() == str(paths.data_dir())
    assert dialog.data_folder.isReadOnly()
    assert dialog.log_file.text() == str(paths.log_path())
    assert dialog.log_file.isReadOnly()
    assert dialog.values() == s


def test_change_without_reindex_is_saved_without_asking(
    qtbot: QtBot, panel_ctx: Any, asked: list[str]
) -> None:
    dialog = _dialog(qtbot, panel_ctx)
    dialog.threads.setValue(1)
    dialog.passages.setValue(5)
    dialog.temperature.setValue(0.7)
    with qtbot.assertNotEmitted(dialog.reindex_requested):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert asked == []
    assert dialog.result() == dialog.DialogCode.Accepted
    s = panel_ctx.svc.settings
    assert (s.threads, s.passages, s.temperature) == (1, 5, 0.7)
    saved = settings_store.load()
    assert (saved.threads, saved.passages, saved.temperature) == (1, 5, 0.7)


def test_chunk_size_change_asks_then_requests_reindex(
    qtbot: QtBot, panel_ctx: Any, asked: list[str]
) -> None:
    panel_ctx.messages.auto_confirm = True
    dialog = _dialog(qtbot, panel_ctx)
    new_size = panel_ctx.svc.settings.chunk_tokens + 100
    dialog.chunk_tokens.setValue(new_size)
    assert "re-index" in dialog.reindex_hint.text()
    with qtbot.waitSignal(dialog.reindex_requested, timeout=2000):
        dialog.accept()
    assert len(asked) == 1
    assert asked[0].startswith("Chunk size changed: re-index all libraries now?")
    assert panel_ctx.svc.settings.chunk_tokens == new_size
    assert settings_store.load().chunk_tokens == new_size


def test_declined_reindex_saves_but_does_not_reindex(
    qtbot: QtBot, panel_ctx: Any, asked: list[str]
) -> None:
    panel_ctx.messages.auto_confirm = False
    dialog = _dialog(qtbot, panel_ctx)
    dialog.chunk_tokens.setValue(300)
    with qtbot.assertNotEmitted(dialog.reindex_requested):
        dialog.accept()
    assert len(asked) == 1
    assert settings_store.load().chunk_tokens == 300


def test_cancel_changes_nothing(qtbot: QtBot, panel_ctx: Any, asked: list[str]) -> None:
    before = panel_ctx.svc.settings
    dialog = _dialog(qtbot, panel_ctx)
    dialog.chunk_tokens.setValue(before.chunk_tokens + 50)
    dialog.context_size.setValue(1024)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert dialog.result() == dialog.DialogCode.Rejected
    assert asked == []
    assert panel_ctx.svc.settings == before
    assert not settings_store.settings_path().exists()


def test_overlap_not_smaller_than_chunk_is_refused(qtbot: QtBot, panel_ctx: Any) -> None:
    before = panel_ctx.svc.settings
    dialog = _dialog(qtbot, panel_ctx)
    dialog.chunk_tokens.setValue(100)
    dialog.chunk_overlap.setValue(120)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "smaller than the chunk size" in dialog.error_label.text()
    assert panel_ctx.svc.settings == before
