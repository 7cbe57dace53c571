"""The source viewer: the cited page of a document with the cited passage highlighted.

A PDF page is rendered by ``svc.library.render_page`` on the read lane and painted here with the
passage's rectangles; any other document shows the page text as indexed (``svc.library.page_text``) with
the passage selected and scrolled into view. "Open in system viewer" hands the file to the desktop.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import Citation
from ragtune.core.types import RenderedPage
from ragtune.gui.answer_format import place
from ragtune.gui.context import AppContext
from ragtune.gui.look import highlight_colour, muted
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

ZOOM = 1.5


def locate(text: str, start: int, end: int, passage: str) -> tuple[int, int] | None:
    """Where the passage is in the page text: the stored offsets when they still match, else the
    passage (or its first words) searched for; None when it is not there."""
    if 0 <= start < end <= len(text) and " ".join(text[start:end].split()) == " ".join(
        passage.split()
    ):
        return start, end
    flat = passage.strip()
    for probe in (flat, flat[:120], flat[:40]):
        if probe:
            at = text.find(probe)
            if at >= 0:
                return at, at + len(flat if probe == flat else probe)
    if 0 <= start < end <= len(text):
        return start, end
    return None


class SourceViewer(QWidget):
    """Shows one citation at a time; ``shown`` fires when its page is on screen."""

    shown = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.citation: Citation | None = None
        self.current_page = 0
        self.current_path = ""
        self.highlight_count = 0
        self._seq = 0
        self.title = QLabel("Click a citation [n] in an answer to see it here.")
        self.title.setWordWrap(True)
        self.title.setObjectName("heading")
        self.open_button = QPushButton("Open in system viewer")
        self.open_button.setToolTip("Open the document in the application your system uses for it")
        self.open_button.clicked.connect(self.open_external)
        self.open_button.setEnabled(False)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.scroll_area)
        self.stack.addWidget(self.text)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)

    def show_citation(self, citation: Citation) -> Job:
        """Load the cited page (on the read lane) and highlight the passage."""
        self.citation = citation
        self.current_path = citation.path
        self.current_page = citation.page
        self.highlight_count = 0
        self._seq += 1
        seq = self._seq
        self.title.setText(f"[{citation.n}] {place(citation.path, citation.page, citation.ocr)}")
        self.title.setToolTip(citation.path)
        self.open_button.setEnabled(True)
        self.status.setText("Loading the page…")
        if Path(citation.path).suffix.lower() == ".pdf":
            return self.ctx.reads.submit(
                lambda job: self.ctx.svc.library.render_page(
                    citation.path, citation.page, citation.text, ZOOM, citation.ocr
                ),
                on_result=lambda page: self._show_pdf(seq, page),
                on_error=lambda exc: self._failed(seq, exc),
                name="render page",
            )
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.library.page_text(citation.path, citation.page),
            on_result=lambda text: self._show_text(seq, text),
            on_error=lambda exc: self._failed(seq, exc),
            name="page text",
        )

    # -- PDF ------------------------------------------------------------------------------------
    def _show_pdf(self, seq: int, page: RenderedPage) -> None:
        if seq != self._seq:
            return
        pixmap = QPixmap()
        pixmap.loadFromData(page.png, "PNG")
        painter = QPainter(pixmap)
        colour = highlight_colour(80)
        outline = highlight_colour(200)
        painter.setPen(outline)
        for x0, y0, x1, y1 in page.highlights:
            rect = QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(-1, -1, 1, 1)
            painter.fillRect(rect, colour)
            painter.drawRect(rect)
        painter.end()
        width = self.scroll_area.viewport().width() - 4
        factor = 1.0
        if 0 < width < pixmap.width():  # fit the page to the pane's width
            factor = width / pixmap.width()
            pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pixmap)
        self.image.resize(pixmap.size())
        self.stack.setCurrentWidget(self.scroll_area)
        self.highlight_count = len(page.highlights)
        self.current_page = page.page_number
        self.status.setText(
            f"Page {page.page_number} of {page.page_count}"
            + (" · text read by OCR" if page.ocr else "")
            + ("" if page.highlights else " · the passage could not be located on the page")
        )
        if page.highlights:
            top = min(h[1] for h in page.highlights) * factor
            bottom = max(h[3] for h in page.highlights) * factor
            x = int(min(h[0] for h in page.highlights) * factor)
            self.scroll_area.ensureVisible(x, int((top + bottom) / 2), 20, int((bottom - top) / 2) + 40)
        self.shown.emit()

    # -- text -----------------------------------------------------------------------------------
    def _show_text(self, seq: int, text: str) -> None:
        if seq != self._seq or self.citation is None:
            return
        c = self.citation
        self.text.setPlainText(text)
        self.stack.setCurrentWidget(self.text)
        span = locate(text, c.start, c.end, c.text)
        if span is None:
            self.highlight_count = 0
            self.status.setText(f"Section {c.page} · the passage could not be located")
            self.text.setExtraSelections([])
            self.shown.emit()
            return
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(highlight_colour(110))
        selection.format = fmt
        selection.cursor = cursor
        self.text.setExtraSelections([selection])
        self.highlight_count = 1
        # Show the passage's end first, then its start, so the start sits in view.
        end_cursor = QTextCursor(self.text.document())
        end_cursor.setPosition(span[1])
        self.text.setTextCursor(end_cursor)
        self.text.ensureCursorVisible()
        start_cursor = QTextCursor(self.text.document())
        start_cursor.setPosition(span[0])
        self.text.setTextCursor(start_cursor)
        self.text.ensureCursorVisible()
        self.status.setText(f"Section {c.page} · passage highlighted")
        self.shown.emit()

    def _failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._seq:
            return
        self.highlight_count = 0
        self.status.setText(f"Cannot show this page: {exc}")
        self.ctx.messages.error(exc, "Showing the source")
        self.shown.emit()

    def open_external(self) -> bool:
        if not self.current_path:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(self.current_path))
