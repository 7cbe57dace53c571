"""GUI test harness: a real service (real SQLite, the real embedder), real lanes, and a window
whose status bar receives the Messages, so widgets can be tested alone (pytest-qt, offscreen).

The service answers with the scripted chat model (tests/scripted_model.py, fixture
``scripted_model``): the window, not the model, is under test. A test whose subject is the real
model's answer asks for ``real_chat_model`` and gets the real embedded model (llama.cpp) instead.

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
from scripted_model import ScriptedModel

#: short answers keep the tests fast; a small context loads quickly
PANEL_SETTINGS = Settings(threads=2, context_size=2048, max_answer_tokens=16, temperature=0.0)
LANE_WAIT_MS = 180_000


@pytest.fixture
def panel_settings() -> Settings:
    """The settings the panel service starts with (override in a test module if needed)."""
    return PANEL_SETTINGS


@pytest.fixture
def scripted_model() -> ScriptedModel:
    """The chat model the panel service answers with (unless the test asks for the real one):
    a test may set its ``answer``, ``until_cancelled`` or read what it was asked."""
    return ScriptedModel()


@pytest.fixture
def real_chat_model(chat_model_path: Path) -> Path:
    """Ask for it when the real model's answer is the subject: the panel service then answers
    with the real embedded chat model (491 MB, llama.cpp), not the scripted one. Its path."""
    return chat_model_path


@pytest.fixture
def panel_service(
    request: pytest.FixtureRequest,
    ragtune_home: Path,
    embedder: Any,
    chat_model_path: Path,
    panel_settings: Settings,
    scripted_model: ScriptedModel,
) -> Iterator[Any]:
    """A real ``Ragtune`` service in this test's RAGTUNE_HOME, with the session's embedder; it
    answers with ``scripted_model``, or with the real model when the test uses ``real_chat_model``."""
    from ragtune.core.answer_service import default_engine
    from ragtune.core.services import Ragtune

    real = "real_chat_model" in request.fixturenames
    factory = default_engine if real else scripted_model.factory
    svc = Ragtune(settings=panel_settings, embedder=embedder, engine_factory=factory)
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
