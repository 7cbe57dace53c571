"""The settings dialog's Engine section: the server profile is saved to the settings, the API key to
the keyring and never to the settings file, plain http to another host is warned about inline,
"Test connection" reports an unreachable server without blocking the window, and the model panel
says plainly that adapters depend on the server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from pytestqt.qtbot import QtBot

from ragtune import settings as settings_store
from ragtune.core.engine_profile import KEYRING_SERVICE, EngineKind, api_key, normalize_url
from ragtune.gui.engine_settings import SERVER_TEXT
from ragtune.gui.model_panel import ModelPanel
from ragtune.gui.settings_dialog import SettingsDialog

SECRET = "sk-test-never-in-the-file-7731"
WAIT_MS = 30_000


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this test only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("RAGTUNE_API_KEY", raising=False)
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def _dialog(qtbot: QtBot, ctx: Any) -> SettingsDialog:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def _closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_profile_saved_and_key_only_in_keyring(
    qtbot: QtBot, panel_ctx: Any, memory_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, panel_ctx)
    section = dialog.engine
    assert section.kind.currentText() != SERVER_TEXT
    assert not section.url.isEnabled()
    section.kind.setCurrentIndex(section.kind.findText(SERVER_TEXT))
    assert section.url.isEnabled()
    section.url.setText("https://models.example.org/v1")
    section.model.setText("qwen-chat")
    section.key.setText(SECRET)
    assert section.key.echoMode() == section.key.EchoMode.Password
    section.connect_timeout.setValue(3.0)
    section.read_timeout.setValue(90.0)
    section.context.setValue(8192)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == dialog.DialogCode.Accepted

    saved = settings_store.load()
    assert (saved.engine, saved.engine_url, saved.engine_model) == (
        "openai", "https://models.example.org/v1", "qwen-chat"
    )
    assert (saved.engine_connect_timeout_s, saved.engine_read_timeout_s) == (3.0, 90.0)
    assert saved.engine_context_size == 8192
    assert panel_ctx.svc.settings == saved
    text = settings_store.settings_path().read_text(encoding="utf-8")
    assert SECRET not in text
    url = normalize_url("https://models.example.org/v1")
    assert memory_keyring.passwords == {(KEYRING_SERVICE, url): SECRET}
    assert api_key("https://models.example.org/v1") == SECRET


def test_server_without_url_is_refused(qtbot: QtBot, panel_ctx: Any, memory_keyring: MemoryKeyring) -> None:
    before = panel_ctx.svc.settings
    dialog = _dialog(qtbot, panel_ctx)
    dialog.engine.kind.setCurrentIndex(dialog.engine.kind.findText(SERVER_TEXT))
    dialog.engine.key.setText(SECRET)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "base URL" in dialog.error_label.text()
    assert panel_ctx.svc.settings == before
    assert memory_keyring.passwords == {}


def test_plain_http_to_another_host_warned_inline(qtbot: QtBot, panel_ctx: Any) -> None:
    dialog = _dialog(qtbot, panel_ctx)
    section = dialog.engine
    section.kind.setCurrentIndex(section.kind.findText(SERVER_TEXT))
    section.url.setText("http://192.168.1.20:8080/v1")
    assert "plain http" in section.warning.text()
    assert not section.warning.isHidden()
    section.url.setText("http://127.0.0.1:8080/v1")
    assert section.warning.text() == ""
    assert section.warning.isHidden()
    section.url.setText("https://models.example.org")
    assert section.warning.isHidden()


def test_connection_to_unreachable_port_reported_in_background(
    qtbot: QtBot, panel_ctx: Any, memory_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, panel_ctx)
    section = dialog.engine
    section.kind.setCurrentIndex(section.kind.findText(SERVER_TEXT))
    section.url.setText(f"http://127.0.0.1:{_closed_port()}")
    section.connect_timeout.setValue(2.0)
    section.test_button.click()
    # the click returned at once: the lane does the network work, the window keeps running
    assert section.testing is not None
    assert not section.test_button.isEnabled()
    qtbot.waitUntil(lambda: section.test_result.text().startswith("Not connected"), timeout=WAIT_MS)
    assert "cannot reach the model server" in section.test_result.text()
    assert section.test_button.isEnabled()
    assert settings_store.settings_path().exists() is False  # testing saves nothing


def test_model_panel_says_adapters_depend_on_the_server(qtbot: QtBot, panel_ctx: Any) -> None:
    panel = ModelPanel(panel_ctx)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.current is not None, timeout=180_000)
    assert panel.adapters.server_label.isHidden()
    panel_ctx.svc.settings = replace(
        panel_ctx.svc.settings, engine=EngineKind.OPENAI, engine_url="http://127.0.0.1:8080/v1"
    )
    panel.show_engine()
    assert not panel.adapters.server_label.isHidden()
    note = panel.adapters.server_label.text()
    assert "only if that server supports them" in note
    assert "llama-server" in note
    assert "127.0.0.1:8080" in note
    panel_ctx.svc.settings = replace(panel_ctx.svc.settings, engine=EngineKind.LOCAL)
    panel.show_engine()
    assert panel.adapters.server_label.isHidden()
