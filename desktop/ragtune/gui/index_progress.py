"""The indexing progress row: a bar (files), a line with chunks, the time left and the file in work,
and a Cancel button.

Progress arrives when a file is done, which can be minutes apart when a file is slow; so the line is
redrawn every second from the last report: the time left counts down, and a file the parser has been
busy with for a while is named with the time before its time limit makes the parser give up on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ragtune.core.types import Progress, Stage
from ragtune.core.units import duration_text
from ragtune.gui.look import icon, muted

TICK_MS = 1000


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    if seconds < 1:
        return "almost done"
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def progress_line(p: Progress, elapsed: float) -> str:
    """The line under the bar, ``elapsed`` seconds after ``p`` was reported."""
    parts = [f"{p.chunks} chunks"]
    if p.parsing:
        left = (p.parse_left_s or 0.0) - elapsed
        if left > 0:
            parts.append(f"reading {p.parsing}… (gives up in {duration_text(left)})")
        else:
            parts.append(f"reading {p.parsing}… time limit reached, skipping it")
        return " · ".join(parts)
    parts.append(eta_text(None if p.eta_s is None else p.eta_s - elapsed))
    if p.current:
        parts.append(f"last done: {p.current}")
    return " · ".join(parts)


class IndexProgress(QWidget):
    """Hidden while idle; shows files done of total, chunks written, the time left and a slow file."""

    cancel_requested = Signal()

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.last: Progress | None = None
        self._received = 0.0
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = muted(QLabel())
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setToolTip("Stop indexing; what is already indexed stays.")
        self.cancel_button.clicked.connect(self._cancel)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
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
        self.last = None
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.label.setText(f"Scanning the sources of {library}…")
        self.cancel_button.setEnabled(True)
        self.show()

    def update_progress(self, p: Progress) -> None:
        if p.stage == Stage.SCANNING:
            self.bar.setRange(0, 0)
            self.label.setText(p.current or "Scanning…")
            return
        if p.stage == Stage.DONE:
            self.finish()
            return
        if p.stage != Stage.INDEXING:
            self.label.setText(p.current)
            return
        self.bar.setRange(0, max(p.total, 1))
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done} / {p.total} files")
        self.last = p
        self._received = self.clock()
        self.tick()
        if not self.timer.isActive():
            self.timer.start()

    def tick(self) -> None:
        """Redraw the line from the last report (the countdowns move on between reports)."""
        if self.last is not None and self.cancel_button.isEnabled():
            self.label.setText(progress_line(self.last, self.clock() - self._received))

    def finish(self) -> None:
        self.timer.stop()
        self.last = None
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.hide()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")
        self.cancel_requested.emit()
