"""Widgets that make up a message and keep it inside the pane's width, however narrow the pane:
a text browser as tall as its text that wraps everything (code blocks and long words included),
citation chips and a heading label that elide their text instead of widening the pane.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QSizeF, Qt
from PySide6.QtGui import QResizeEvent, QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QTextBrowser, QToolButton, QWidget

#: the narrowest a chip or an elided label gets before the layout wraps or the pane stops shrinking
MIN_ELIDED_WIDTH = 72


class AutoHeightBrowser(QTextBrowser):
    """A text browser as tall as its text (the conversation scrolls, not each message), wrapped to
    its width: long words break anywhere and code blocks wrap, so it never scrolls sideways."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.document().setDocumentMargin(2)

    def setMarkdown(self, markdown: str) -> None:
        super().setMarkdown(markdown)
        _wrap_code_blocks(self)

    def _fit(self, size: QSizeF) -> None:
        height = int(size.height()) + 2 * self.frameWidth() + 2
        if height != self.height():
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_ELIDED_WIDTH, self.height())


def _wrap_code_blocks(browser: QTextBrowser) -> None:
    """Markdown code blocks are laid out without line breaks; let them wrap like the rest."""
    block = browser.document().begin()
    cursor: QTextCursor | None = None
    while block.isValid():
        fmt = block.blockFormat()
        if fmt.nonBreakableLines():
            fmt.setNonBreakableLines(False)
            cursor = cursor or QTextCursor(browser.document())
            cursor.setPosition(block.position())
            cursor.setBlockFormat(fmt)
        block = block.next()


class ChipButton(QToolButton):
    """A citation chip: its full text when there is room, shortened in the middle (the number and
    the page stay) when the pane is narrower than the text."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = text
        self.setObjectName("chip")
        self.setText(text)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def _padding(self) -> int:
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self._padding() + self.fontMetrics().horizontalAdvance(self.full_text), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), MIN_ELIDED_WIDTH), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        room = self.width() - self._padding()
        text = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideMiddle, room)
        if text != self.text():
            self.setText(text)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when its pane is narrower than its text (a chat title)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self.sizeHint().width(), MIN_ELIDED_WIDTH), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 1))
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


def wrapping(label: QLabel) -> QLabel:
    """Let ``label`` wrap at word boundaries, and anywhere inside a word too long for the pane."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(MIN_ELIDED_WIDTH)
    return label
