"""The list of chats on the side: new (Ctrl+N), rename, delete; kept in the database across restarts.

Reads and the small writes go through the read lane; the list only shows what comes back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import NEW_CHAT_TITLE, ChatInfo
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, key_text
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

class ChatList(QWidget):
    """Chats, newest first. ``chat_selected`` carries the ChatInfo (or None when there is none)."""

    chat_selected = Signal(object)  # ChatInfo | None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chats: list[ChatInfo] = []
        self.current: ChatInfo | None = None
        self._emitted: int | None = -1  # id of the chat last announced by chat_selected
        heading = QLabel("Chats")
        heading.setObjectName("heading")
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._clicked)
        self.list.itemDoubleClicked.connect(lambda _item: self.prompt_rename())
        new = QPushButton(icon("add"), "New")
        new.setToolTip(f"Start a new chat ({key_text('Ctrl+N')})")
        new.clicked.connect(lambda: self.new_chat(None))
        rename = QPushButton("Rename…")
        rename.clicked.connect(self.prompt_rename)
        delete = QPushButton("Delete")
        delete.clicked.connect(self.prompt_delete)
        row = QHBoxLayout()
        for b in (new, rename, delete):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)

    # -- reading --------------------------------------------------------------------------------
    def refresh(self, select: int | None = None) -> Job:
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.chats.list_chats(),
            on_result=lambda chats: self._show(chats, select),
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading chats"),
            name="chats",
        )

    def _show(self, chats: list[ChatInfo], select: int | None) -> None:
        self.chats = sorted(chats, key=lambda c: (c.updated, c.id), reverse=True)  # as svc.chats.list_chats()
        wanted = select if select is not None else (self.current.id if self.current else None)
        self.list.blockSignals(True)
        self.list.clear()
        chosen: ChatInfo | None = None
        for chat in self.chats:
            item = QListWidgetItem(chat.title)
            item.setData(Qt.ItemDataRole.UserRole, chat.id)
            item.setToolTip(f"{chat.title}\nLibrary: {chat.library or '(none)'}")
            self.list.addItem(item)
            if chat.id == wanted:
                self.list.setCurrentItem(item)
                chosen = chat
        if chosen is None and self.chats and wanted is None:
            self.list.setCurrentRow(0)
            chosen = self.chats[0]
        self.list.blockSignals(False)
        self.current = chosen
        chosen_id = chosen.id if chosen else None
        if chosen_id != self._emitted or select is not None:
            self._emit(chosen)

    def _clicked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        chat_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.current = next((c for c in self.chats if c.id == chat_id), None)
        self._emit(self.current)

    def _emit(self, chat: ChatInfo | None) -> None:
        self._emitted = chat.id if chat else None
        self.chat_selected.emit(chat)

    def chat(self, chat_id: int) -> ChatInfo | None:
        return next((c for c in self.chats if c.id == chat_id), None)

    def update_chat(self, chat: ChatInfo) -> None:
        """Keep the listed copy of a chat whose settings changed (its RAG switch), so selecting it
        again shows them."""
        self.chats = [chat if c.id == chat.id else c for c in self.chats]
        if self.current is not None and self.current.id == chat.id:
            self.current = chat

    # -- changes --------------------------------------------------------------------------------
    def new_chat(self, library: str | None, title: str = NEW_CHAT_TITLE, rag: bool = True) -> Job:
        """Create a chat on ``library`` and select it."""
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.chats.create_chat(title, library, rag),
            on_result=lambda chat: self.refresh(select=chat.id),
            on_error=lambda exc: self.ctx.messages.error(exc, "Creating a chat"),
            name="new chat",
        )

    def rename(self, chat_id: int, title: str) -> Job:
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.chats.rename_chat(chat_id, title),
            on_result=lambda _: self.refresh(),
            on_error=lambda exc: self.ctx.messages.error(exc, "Renaming the chat"),
            name="rename chat",
        )

    def delete(self, chat_id: int) -> Job:
        if self.current is not None and self.current.id == chat_id:
            self.current = None
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.chats.delete_chat(chat_id),
            on_result=lambda _: self.refresh(),
            on_error=lambda exc: self.ctx.messages.error(exc, "Deleting the chat"),
            name="delete chat",
        )

    def prompt_rename(self) -> None:
        if self.current is None:
            return
        title, ok = QInputDialog.getText(self, "Rename chat", "Title:", text=self.current.title)
        if ok and title.strip():
            self.rename(self.current.id, " ".join(title.split()))

    def prompt_delete(self) -> None:
        if self.current is None:
            return
        if self.ctx.messages.confirm("Delete chat", f"Delete the chat “{self.current.title}”?"):
            self.delete(self.current.id)
