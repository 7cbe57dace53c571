"""Pieces of the library panel: the documents table, whose Pages, Chunks and Size columns stay in
view however long a file name or a failure reason is, how a source is named in the list (the
built-in sample library by name rather than by its place inside the installed package), and the
"needs a re-index" notice with its button (after a chunking change the person said No to).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from ragtune import paths
from ragtune.core.types import LibraryStats

SAMPLE_SOURCE_LABEL = "Sample library (built in)"
#: the State column gets at most this share of the table's width (a long failure reason is elided)
STATE_SHARE = 0.35
#: rows the table keeps on screen however small the window gets
MIN_ROWS = 4


def source_label(source: str) -> str:
    """The text the sources list shows for ``source`` (its tooltip keeps the real path)."""
    try:
        if Path(source).resolve() == paths.sample_library_dir().resolve():
            return SAMPLE_SOURCE_LABEL
    except OSError:
        pass
    return source


class DocumentsTable(QTableView):
    """The documents of a library: the name takes the width that is left, State at most a third,
    the numbers their contents' width, so nothing scrolls sideways; full texts are in tooltips."""

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the name's end (suffix)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        for col in (2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self.fit_state_column)
        model.layoutChanged.connect(self.fit_state_column)

    def fit_state_column(self) -> None:
        """State as wide as its longest visible text, up to STATE_SHARE of the table."""
        header = self.horizontalHeader()
        wanted = max(self.sizeHintForColumn(1), header.sectionSizeHint(1))
        room = int(self.viewport().width() * STATE_SHARE)
        self.setColumnWidth(1, max(min(wanted, room), header.sectionSizeHint(1)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_state_column()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        rows = self.horizontalHeader().height() + MIN_ROWS * self.verticalHeader().defaultSectionSize()
        return QSize(hint.width(), max(hint.height(), rows + 2 * self.frameWidth()))


class ReindexNotice(QWidget):
    """The core's "Needs a re-index: …" sentence and a Re-index button; hidden when not needed."""

    requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton("Re-index")
        self.button.setToolTip("Read, split and embed every document of this library again")
        self.button.clicked.connect(self.requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.hide()

    def show_for(self, stats: LibraryStats | None) -> None:
        sentence = stats.reindex_sentence() if stats is not None else ""
        self.label.setText(f"{sentence}." if sentence else "")
        self.setVisible(bool(sentence))
