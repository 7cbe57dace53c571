"""The Qt binding must not leak or over-release references when it calls our slots: PySide6 6.12.0
decrements the slot's return value (None) once too often, so a window dies after enough clicks.
This pins the binding's behaviour the whole window relies on."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QPushButton
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    value = Signal(object)


def test_slots_keep_reference_counts(qtbot: QtBot) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    button.clicked.connect(lambda: None)
    box = QCheckBox()
    qtbot.addWidget(box)
    box.toggled.connect(lambda on: on)
    emitter = _Emitter()
    emitter.value.connect(lambda v: v)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(500):
        button.click()
        box.toggle()
        emitter.value.emit(False)
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)
