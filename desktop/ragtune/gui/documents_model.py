"""The documents table of a library: name, state (indexed / indexing / queued / failed and why),
pages, chunks, size. Rows come from ``svc.library.documents`` plus the files an indexing run still has to do.
A document that carried hidden text says so in its state ("indexed, hidden text left out") and its
tooltip ("Hidden text left out: 3 spans, not indexed ..."), in the core's words (``DocumentInfo``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from ragtune.core.types import DocumentInfo
from ragtune.core.units import format_size
from ragtune.errors import plain_reason

COLUMNS = ("Document", "State", "Pages", "Chunks", "Size")
EXCLUDED_HINT = "removed from the library; re-scans leave it out. Add it again to include it."

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class DocRow:
    path: str
    state: str  # "indexed", "indexing", "queued", "failed", "excluded"
    reason: str = ""  # plain words when failed
    pages: int = 0
    chunks: int = 0
    size: int = 0
    #: "hidden text left out" when the parser left text a person cannot see out, else ""
    hidden_mark: str = ""
    #: the tooltip's sentence about it ("Hidden text left out: 3 spans, not indexed (...)")
    hidden_details: str = ""

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def state_text(self) -> str:
        if self.state == "failed":
            return f"failed: {self.reason}"
        return f"{self.state}, {self.hidden_mark}" if self.hidden_mark else self.state

    @property
    def details(self) -> str:
        """The tooltip: the full path, the state, and what hidden text was left out."""
        lines = [self.path, self.reason if self.state == "excluded" else self.state_text]
        if self.hidden_details:
            lines.append(self.hidden_details)
        return "\n".join(lines)


def build_rows(
    documents: list[DocumentInfo], waiting: list[str], excluded: Sequence[str] = ()
) -> list[DocRow]:
    """Stored documents, then waiting files not stored yet (the first of those is "indexing"),
    then what was removed from inside the sources ("excluded": re-scans leave it out)."""
    rows: list[DocRow] = []
    stored = set()
    for d in documents:
        stored.add(d.path)
        state = d.status if d.status in ("indexed", "failed", "queued", "indexing") else "indexed"
        reason = plain_reason(d.error) if state == "failed" else ""
        mark, details = (d.hidden_mark(), d.hidden_details()) if state == "indexed" else ("", "")
        rows.append(DocRow(d.path, state, reason, d.pages, d.chunks, d.size, mark, details))
    first = True
    for path in waiting:
        if path in stored:
            continue
        rows.append(DocRow(path, "indexing" if first else "queued"))
        first = False
    rows.extend(DocRow(path, "excluded", EXCLUDED_HINT) for path in excluded)
    return rows


class DocumentsModel(QAbstractTableModel):
    """Rows of :class:`DocRow`, replaced as a whole on refresh (a few thousand rows at most)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocRow] = []

    def set_rows(self, rows: list[DocRow]) -> None:
        if rows == self.rows:
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_for(self, name_or_path: str) -> DocRow | None:
        for row in self.rows:
            if name_or_path in (row.path, row.name):
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.name
            if col == 1:
                return row.state_text
            if row.state != "indexed":
                return ""
            return (row.pages, row.chunks, format_size(row.size))[col - 2] if col > 1 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.details
        if role == Qt.ItemDataRole.ForegroundRole and col == 1 and row.state != "indexed":
            palette = QApplication.palette()
            if row.state == "failed":
                return QBrush(QColor("#ff8a80") if _dark(palette) else QColor("#b3261e"))
            return QBrush(palette.color(QPalette.ColorRole.Link))
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128
