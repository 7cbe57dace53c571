"""GUI test harness: a real service (real embedded models), real lanes, and a window whose status
bar receives the Messages, so widgets can be tested alone (pytest-qt, offscreen).

Fixtures for the model panel, compare view and settings dialog are named ``panel_*`` and
``run_on_lane``; other GUI fixtures may live beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ragtune.gui.tasks import Job, Lane
from ragtune.settings import Settings

#: short answers keep the tests fast; a small context loads quickly
PANEL_SETTINGS = Settings(threads=2, context_size=2048, max_answer_tokens=16, temperature=0.0)
LANE_WAIT_MS = 180_000


@pytest.fixture
def panel_settings() -> Settings:
    """The settings the panel service starts with (override in a test module if needed)."""
    return PANEL_SETTINGS


@pytest.fixture
def panel_service(
    ragtune_home: Path, embedder: Any, chat_model_path: Path, panel_settings: Settings
) -> Iterator[Any]:
    """A real ``Ragtune`` service in this test's RAGTUNE_HOME, with the session's embedder."""
    from ragtune.core.services import Ragtune

    svc = Ragtune(settings=panel_settings, embedder=embedder)
    yield svc
    svc.close()


@pytest.fixture
def panel_window(qtbot: QtBot) -> QMainWindow:
    """A bare main window: its status bar shows the Messages; tests may put a widget in it."""
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def panel_ctx(panel_window: QMainWindow, panel_service: Any) -> Iterator[Any]:
    """An ``AppContext`` with real lanes and the window's status bar for its Messages."""
    from ragtune.gui.context import AppContext, ui_settings
    from ragtune.gui.messages import Messages

    messages = Messages(panel_window.statusBar(), panel_window)
    ctx = AppContext(
        svc=panel_service,
        index_lane=Lane("index"),
        model_lane=Lane("model"),
        reads=Lane("reads", workers=2),
        messages=messages,
        settings=ui_settings(),
    )
    yield ctx
    ctx.shutdown()


@pytest.fixture
def run_on_lane(qtbot: QtBot) -> Callable[..., Any]:
    """``run_on_lane(lane, fn)``: run ``fn(job)`` on a lane, wait, return its value (or raise)."""

    def run(lane: Lane, fn: Callable[[Job], Any], timeout_ms: int = LANE_WAIT_MS) -> Any:
        box: dict[str, Any] = {}
        job = lane.submit(
            fn,
            on_result=lambda value: box.__setitem__("value", value),
            on_error=lambda exc: box.__setitem__("error", exc),
        )
        qtbot.waitUntil(lambda: job.done, timeout=timeout_ms)
        if "error" in box:
            raise box["error"]
        return box.get("value")

    return run
