"""The indexing progress line between reports: the time left counts down, and a file the parser is
stuck on is named with a countdown to its time limit, instead of a stale "about 13 s left"."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ragtune.core.types import Progress, Stage
from ragtune.gui.index_progress import IndexProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_countdowns_move_between_reports(qtbot: QtBot) -> None:
    clock = FakeClock()
    row = IndexProgress(clock=clock)
    qtbot.addWidget(row)
    row.start("Reports")
    row.update_progress(Progress(Stage.INDEXING, 4, 11, 120, 0.3, 13.0, "encrypted.pdf"))
    assert row.bar.format() == "4 / 11 files"
    assert row.label.text() == "120 chunks · about 13 s left · last done: encrypted.pdf"
    assert row.timer.isActive()

    clock.now += 5
    row.tick()
    assert "about 8 s left" in row.label.text()

    # the parser has been busy with one file for a while: it is named, with its time limit
    row.update_progress(Progress(Stage.INDEXING, 4, 11, 120, 0.3, 13.0, "encrypted.pdf", "scan-1998.pdf", 118.4))
    assert row.label.text() == "120 chunks · reading scan-1998.pdf… (gives up in 1 min 58 s)"
    assert "encrypted.pdf" not in row.label.text()
    assert "left" not in row.label.text()
    clock.now += 60
    row.tick()
    assert "gives up in 58 s" in row.label.text()
    clock.now += 60
    row.tick()
    assert "time limit reached" in row.label.text()

    row.update_progress(Progress(Stage.INDEXING, 5, 11, 120, 0.1, 40.0, "scan-1998.pdf"))
    assert row.label.text() == "120 chunks · about 40 s left · last done: scan-1998.pdf"
    row.update_progress(Progress(Stage.DONE, 11, 11, 300, current="Done"))
    assert not row.timer.isActive()
    assert row.isHidden()
