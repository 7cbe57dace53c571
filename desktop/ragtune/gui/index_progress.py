"""The indexing progress row: a bar (files), a line with chunks and ETA, and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ragtune.core.types import Progress
from ragtune.gui.look import icon, muted


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


class IndexProgress(QWidget):
    """Hidden while idle; shows files done of total, chunks written and the time left."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = muted(QLabel())
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setToolTip("Stop indexing; what is already indexed stays.")
        self.cancel_button.clicked.connect(self._cancel)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.label)
        self.hide()

    def start(self, library: str) -> None:
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.label.setText(f"Scanning the sources of {library}…")
        self.cancel_button.setEnabled(True)
        self.show()

    def update_progress(self, p: Progress) -> None:
        if p.stage == "scanning":
            self.bar.setRange(0, 0)
            self.label.setText(p.current or "Scanning…")
            return
        if p.stage == "done":
            self.finish()
            return
        self.bar.setRange(0, max(p.total, 1))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done} / {p.total} files")
        current = f" · {p.current}" if p.current else ""
        self.label.setText(f"{p.chunks} chunks · {eta_text(p.eta_s)}{current}")

    def finish(self) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.hide()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")
        self.cancel_requested.emit()
