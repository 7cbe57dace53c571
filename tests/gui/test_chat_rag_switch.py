"""A chat's RAG switch is kept on its row in the database, and only there."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from ragtune.gui.chat_view import ChatView


def test_rag_switch_is_stored_on_the_chat_row(qtbot: QtBot, panel_ctx: Any) -> None:
    svc = panel_ctx.svc
    first = svc.chats.create_chat("First", None, rag=True)
    second = svc.chats.create_chat("Second", None, rag=True)
    view = ChatView(panel_ctx, lambda: [], lambda: None)
    qtbot.addWidget(view)
    changed: list[Any] = []
    view.chat_changed.connect(changed.append)
    view.set_chat(first)
    assert view.rag()
    view.rag_toggle.setChecked(False)
    view.rag_toggle.setChecked(True)
    view.rag_toggle.setChecked(False)  # quick toggles: the last one is what is stored
    qtbot.waitUntil(lambda: not panel_ctx.reads.busy(), timeout=10_000)
    assert {c.id: c.rag for c in svc.chats.list_chats()} == {first.id: False, second.id: True}
    assert changed[-1].id == first.id
    assert changed[-1].rag is False
    assert view.chat is not None
    assert not view.chat.rag
    assert not [k for k in panel_ctx.settings.allKeys() if "rag" in k]  # not in the UI settings
    view.set_chat(second)
    assert view.rag()
    view.set_chat(next(c for c in svc.chats.list_chats() if c.id == first.id))
    assert not view.rag()
