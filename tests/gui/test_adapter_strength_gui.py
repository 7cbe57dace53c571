"""The adapter rows' strength slider covers exactly the core's strength range, and what a row hands
to the engine passes the same check as the CLI's ``PATH:STRENGTH`` (no model needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from ragtune.core import answer_types
from ragtune.core.answer_types import ADAPTER_STRENGTH_MAX, ADAPTER_STRENGTH_MIN, AdapterSpec
from ragtune.errors import AdapterError
from ragtune.gui.adapter_list import SETTINGS_KEY, AdapterRow, load_saved


def test_slider_range_is_the_core_range(qtbot: QtBot) -> None:
    row = AdapterRow("/loras/style.gguf")
    qtbot.addWidget(row)
    assert row.slider.minimum() == round(ADAPTER_STRENGTH_MIN * 100)
    assert row.slider.maximum() == round(ADAPTER_STRENGTH_MAX * 100)
    row.slider.setValue(10_000)  # as far as it goes
    assert row.spec() == AdapterSpec("/loras/style.gguf", ADAPTER_STRENGTH_MAX)


def test_row_strength_goes_through_the_core_check(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    row = AdapterRow("/loras/style.gguf", percent=150)
    qtbot.addWidget(row)
    monkeypatch.setattr(answer_types, "ADAPTER_STRENGTH_MAX", 1.0)
    with pytest.raises(AdapterError, match=re.escape("style: 1.5 is not a usable strength; give a number from 0 to 1")):
        row.spec()


def test_saved_strengths_are_kept_in_range(tmp_path: Path) -> None:
    settings = QSettings(f"{tmp_path}/ui.ini", QSettings.Format.IniFormat)
    settings.setValue(SETTINGS_KEY, json.dumps([
        {"path": "/a.gguf", "percent": 100_000},
        {"path": "/b.gguf", "percent": -50},
        {"path": "/c.gguf", "percent": 75},
    ]))
    assert [a.percent for a in load_saved(settings)] == [round(ADAPTER_STRENGTH_MAX * 100), 0, 75]
