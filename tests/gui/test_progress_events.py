"""Lane jobs report typed events, and the widgets that started them act on each kind."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ragtune.core.answer_types import AdapterSpec, Answer, ChatInfo, Mode, chat_title
from ragtune.core.types import Hit, Progress, Stage
from ragtune.gui import progress_events as events
from ragtune.gui.chat_view import ChatView
from ragtune.gui.chat_work import ask_in_chat
from ragtune.gui.context import AppContext, ui_settings
from ragtune.gui.indexing import IndexController
from ragtune.gui.messages import Messages
from ragtune.gui.tasks import Lane


class FakeAnswers:
    """The service call ``ask_in_chat`` makes, naming a new chat and answering with two pieces."""

    def ask_in_chat(
        self,
        question: str,
        chat_id: int | None,
        library: str | None,
        rag: bool = True,
        adapters: Sequence[AdapterSpec] = (),
        on_chat: Callable[[ChatInfo], None] | None = None,
        on_model: Callable[[Progress], None] | None = None,
        on_sources: Callable[[list[Hit]], None] | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Answer:
        assert on_chat is not None
        assert on_model is not None
        assert on_sources is not None
        assert on_token is not None
        assert chat_id is None
        on_chat(ChatInfo(7, chat_title(question), library, rag, 0.0, 0.0))
        on_model(Progress(Stage.LOADING, 0, 1, current="model"))
        on_model(Progress(Stage.LOADING, 1, 1, current="model"))
        on_sources([])
        for piece in ("Hel", "lo."):
            on_token(piece)
        return Answer(question, "Hello.", Mode.MODEL, "fake")


@pytest.fixture
def fake_ctx(qtbot: QtBot) -> Iterator[AppContext]:
    window = QMainWindow()
    qtbot.addWidget(window)
    ctx = AppContext(
        svc=FakeAnswers(),  # type: ignore[arg-type]
        index_lane=Lane("index"),
        model_lane=Lane("model"),
        reads=Lane("reads", workers=2),
        messages=Messages(window.statusBar(), window),
        settings=ui_settings(),
    )
    yield ctx
    ctx.shutdown()


def test_chat_view_acts_on_each_event_of_an_answer(qtbot: QtBot, fake_ctx: AppContext) -> None:
    view = ChatView(fake_ctx, lambda: [], lambda: None)
    qtbot.addWidget(view)
    view.rag_toggle.setChecked(False)  # no library: the model alone
    with qtbot.waitSignal(view.chat_created, timeout=10_000) as created, qtbot.waitSignal(
        view.answer_finished, timeout=10_000
    ):
        assert view.ask("  Say hello,\nplease ") is not None
    assert created.args == [7]  # ChatNamed
    assert view.chat is not None
    assert view.chat.title == "Say hello, please"
    assert view.token_events == 2  # two TokenStreamed
    assert fake_ctx.messages.last_message == "Model ready."  # ModelLoading, done
    assert view.messages[-1].text == "Hello."


class RecordingJob:
    """What ``ask_in_chat`` needs of a Job: ``report`` and ``cancel``."""

    def __init__(self) -> None:
        self.reports: list[object] = []
        self.cancel = threading.Event()

    def report(self, payload: object) -> None:
        self.reports.append(payload)


def test_ask_in_chat_reports_typed_events(fake_ctx: AppContext) -> None:
    job = RecordingJob()
    answer = ask_in_chat(fake_ctx, job, "Hi?", None, None, False, [])  # type: ignore[arg-type]
    assert answer.text == "Hello."
    assert [type(r) for r in job.reports] == [
        events.ChatNamed,
        events.ModelLoading,
        events.ModelLoading,
        events.SourcesFound,
        events.TokenStreamed,
        events.TokenStreamed,
    ]
    assert "".join(r.piece for r in job.reports if isinstance(r, events.TokenStreamed)) == "Hello."


def test_index_controller_plans_then_reports_progress(
    qtbot: QtBot, panel_ctx: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nAlpha facts.\n")
    (folder / "b.md").write_text("# B\n\nBeta facts.\n")
    controller = IndexController(panel_ctx)
    planned: list[object] = []
    progress: list[Progress] = []
    controller.planned.connect(lambda library, files: planned.append(files))
    controller.progress.connect(lambda library, p: progress.append(p))
    with qtbot.waitSignal(controller.finished, timeout=60_000) as finished:
        assert controller.index("Docs", [str(folder)]) is not None
    assert finished.args[1] is not None
    assert finished.args[1].added == 2
    assert planned == [[str((folder / "a.md").resolve()), str((folder / "b.md").resolve())]]
    assert progress
    assert all(isinstance(p, Progress) for p in progress)
    assert progress[-1].stage == Stage.DONE
