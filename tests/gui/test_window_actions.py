"""Shortcuts in tooltips are written as the system writes them (Ctrl+O here, ⌘O on macOS)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from ragtune.gui.chat_list import ChatList
from ragtune.gui.look import key_text


def test_shortcut_text_follows_the_system(qtbot: QtBot) -> None:
    expected = "⌘O" if sys.platform == "darwin" else "Ctrl+O"
    assert key_text("Ctrl+O") == expected
    assert key_text("Ctrl+Shift+T").endswith("T")


def test_a_tooltip_names_the_shortcut_in_the_systems_words(qtbot: QtBot, panel_ctx: Any) -> None:
    chats = ChatList(panel_ctx)
    qtbot.addWidget(chats)
    new = next(b for b in chats.findChildren(QPushButton) if b.text() == "New")
    assert new.toolTip() == f"Start a new chat ({key_text('Ctrl+N')})"
