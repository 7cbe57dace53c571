"""Helpers for the main-window tests: small real documents, real drop events, a UI-stall meter."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QMimeData, QObject, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

CAT_FACT = "The keeper's cat is called Marmalade and she sleeps beside the great lamp every night."
TOMATO_FACT = "The blue tomatoes in the walled garden ripen in late September."


def make_pdf(path: Path, pages: Sequence[str]) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(72, 72, 520, 770), text, fontsize=11)
    doc.save(str(path))
    doc.close()
    return path


def make_documents(folder: Path) -> Path:
    """A folder with a 3-page PDF, a Markdown file, a text file and a garbage PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    make_pdf(
        folder / "lighthouse.pdf",
        [
            "The Harbour Lighthouse. The lighthouse stands on the northern rocks of the bay. "
            "It was built of granite in 1868 and its light can be seen for twenty miles.",
            "Life at the lighthouse. " + CAT_FACT + " The keeper climbs one hundred and "
            "twelve steps to reach the lantern room.",
            "Storms. In winter the waves break over the gallery and the keeper records the "
            "wind speed in a logbook every three hours.",
        ],
    )
    (folder / "garden.md").write_text(
        "# The walled garden\n\nThe garden lies behind the old rectory.\n\n## Vegetables\n\n"
        + TOMATO_FACT
        + " They are watered with rain collected in stone cisterns.\n",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text(
        "Visitor notes. The tea room opens at ten o'clock and closes at five.\n", encoding="utf-8"
    )
    (folder / "broken.pdf").write_bytes(b"this is not a pdf at all \x00\x01\x02" * 50)
    return folder


def make_many_texts(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = " ".join(
            f"Record {i} line {j}: the ship number {i * 31 + j} carried grain and timber."
            for j in range(60)
        )
        (folder / f"record_{i:03d}.txt").write_text(body, encoding="utf-8")
    return folder


def drop_paths(target: QWidget, paths: Sequence[Path | str]) -> None:
    """Send a real drag-enter and drop with file URLs to ``target``, as the desktop would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    actions = Qt.DropAction.CopyAction
    buttons = Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(50, 50), actions, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted(), "the window refused the drag"
    drop = QDropEvent(QPointF(50, 50), actions, mime, buttons, mods)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted(), "the window refused the drop"


class StallMeter(QObject):
    """A 10 ms timer on the UI thread; ``max_gap_ms`` is the longest time between two ticks,
    that is the longest the UI thread was busy (the window could not repaint or react)."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.max_gap_ms = 0.0
        self.ticks = 0
        self._clock = QElapsedTimer()
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> StallMeter:
        self._clock.start()
        self._last = self._clock.nsecsElapsed() / 1e6
        self._timer.start()
        return self

    def stop(self) -> float:
        self._timer.stop()
        return self.max_gap_ms

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed() / 1e6
        self.ticks += 1
        self.max_gap_ms = max(self.max_gap_ms, now - self._last - self.interval_ms)
        self._last = now


def wait_until(predicate: object, timeout_s: float) -> None:
    """Spin the event loop until ``predicate()`` is true (for scripts without qtbot)."""
    deadline = time.monotonic() + timeout_s
    app = QApplication.instance()
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        assert app is not None
        app.processEvents()
        time.sleep(0.005)


def right_edge_in(widget: QWidget, ancestor: QWidget) -> tuple[int, int]:
    """``widget``'s left and right edges in ``ancestor``'s coordinates."""
    left = widget.mapTo(ancestor, widget.rect().topLeft()).x()
    return left, left + widget.width()


def within_width(widget: QWidget, ancestor: QWidget) -> bool:
    """Whether ``widget`` lies horizontally inside ``ancestor`` (a scroll area's visible viewport)."""
    left, right = right_edge_in(widget, ancestor)
    return left >= 0 and right <= ancestor.width()
