"""Icons and the style sheet from ``resources/``, and small helpers for palette-friendly colours."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QColor, QIcon, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableWidget,
    QWidget,
)

from ragtune import paths

log = logging.getLogger(__name__)


@cache
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as an icon (an empty icon when the file is missing)."""
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        log.warning("icon %s not found at %s", name, path)
        return QIcon()
    return QIcon(str(path))


def stylesheet() -> str:
    """The application's style sheet (palette roles only, so it follows light and dark)."""
    path = paths.resources_dir() / "styles" / "ragtune.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("style sheet %s unreadable: %s", path, exc)
        return ""


def highlight_colour(alpha: int = 90) -> QColor:
    """The palette's highlight colour, translucent, for marking a cited passage."""
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    colour = QColor(palette.color(QPalette.ColorRole.Highlight))
    colour.setAlpha(alpha)
    return colour


def mark_colour() -> str:
    """The colour that marks the fact in an evidence sentence: the palette's highlight, softened
    over its base (an opaque ``#rrggbb``, which Qt's rich text reads in light and dark themes)."""
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    high = palette.color(QPalette.ColorRole.Highlight)
    base = palette.color(QPalette.ColorRole.Base)
    mixed = QColor(
        (high.red() * 2 + base.red() * 3) // 5,
        (high.green() * 2 + base.green() * 3) // 5,
        (high.blue() * 2 + base.blue() * 3) // 5,
    )
    return mixed.name()


def muted(label: QLabel) -> QLabel:
    """Give a label the palette's secondary text colour."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def key_text(sequence: str) -> str:
    """A shortcut as this system writes it, for tooltips and hints: "Ctrl+O" on Linux and Windows,
    "⌘O" on macOS (where Qt maps Ctrl to the Command key)."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def choice_table(columns: tuple[str, ...]) -> QTableWidget:
    """A read-only table to pick one row from: whole rows selected, the first column stretched,
    the others as wide as their contents (the model catalogue, the embedding models)."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, len(columns)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    return table
