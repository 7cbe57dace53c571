"""The scrolling column of a chat's messages (with the suggestions while it is empty).

It scrolls up and down only: its messages wrap to the pane's width (see ``message_parts``), so there
is no sideways scroll bar, and ``overflow`` says by how many pixels the content would be wider than
the pane (0 when everything fits; the GUI tests check it at the smallest and a large window).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from ragtune.gui.chat_input import Suggestions
from ragtune.gui.message_widget import MessageWidget


class Conversation(QScrollArea):
    """Messages one under the other, as wide as the pane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages: list[MessageWidget] = []
        self.container = QWidget()
        self.column = QVBoxLayout(self.container)
        self.column.setContentsMargins(8, 8, 8, 8)
        self.column.setSpacing(8)
        self.suggestions = Suggestions()
        self.column.addWidget(self.suggestions)
        self.column.addStretch(1)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(self.container)

    def add(self, role: str, text: str = "") -> MessageWidget:
        """Append a message (the suggestions hide)."""
        widget = MessageWidget(role, text)
        self.column.insertWidget(self.column.count() - 1, widget)
        self.messages.append(widget)
        self.suggestions.setVisible(False)
        return widget

    def clear(self) -> None:
        for m in self.messages:
            m.deleteLater()
        self.messages = []

    def overflow(self) -> int:
        """Pixels by which the content is wider than the visible pane (0: it fits)."""
        return max(0, self.container.width() - self.viewport().width())
