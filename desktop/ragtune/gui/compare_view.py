"""The comparison view: one question answered side by side by the model alone, with RAG, with the
adapters, and with both (the modes that apply), each column streaming its answer with citations,
time to first token, tokens/s and prompt size.

``svc.compare`` runs on the model lane; its ``on_event(mode, kind, payload)`` calls arrive on the
worker thread and are forwarded to the UI thread through the job's ``report`` (a queued signal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import (
    MODE_ADAPTER,
    MODE_MODEL,
    MODE_RAG,
    MODE_RAG_ADAPTER,
    AdapterSpec,
    Answer,
)
from ragtune.core.types import Hit
from ragtune.gui.answer_format import MODE_TITLES
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, muted
from ragtune.gui.message_widget import MessageWidget
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

FLUSH_MS = 100
ALL_MODES = (MODE_MODEL, MODE_RAG, MODE_ADAPTER, MODE_RAG_ADAPTER)


def planned_modes(library: str | None, adapters: list[AdapterSpec]) -> tuple[list[str], list[str]]:
    """The modes that apply, and a sentence for each group left out."""
    modes = [MODE_MODEL]
    why: list[str] = []
    if library:
        modes.append(MODE_RAG)
    else:
        why.append("No library chosen, so the RAG columns are left out.")
    if adapters:
        modes.append(MODE_ADAPTER)
        if library:
            modes.append(MODE_RAG_ADAPTER)
    else:
        why.append("No adapter is switched on, so the adapter columns are left out.")
    return modes, why


def answer_note(answer: Answer) -> str:
    """What the footer adds to the timings: prompt size, and whether it was declined or stopped."""
    parts = [f"{answer.timings.prompt_tokens} prompt tokens"] if answer.timings.prompt_tokens else []
    if answer.declined:
        parts.append("declined: nothing relevant found in the library")
    if answer.cancelled:
        parts.append("stopped")
    return " · ".join(parts)


class CompareColumn(QFrame):
    """One mode's answer: a title, then the answer as the chat shows it (sources, text, timings)."""

    def __init__(self, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{MODE_TITLES.get(mode, mode)}</b>")
        self.message = MessageWidget("assistant")
        self.message.body.setMarkdown("*Waiting…*")
        self.answer: Answer | None = None
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.message)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)

    def text(self) -> str:
        """The answer text so far (streamed, or final)."""
        return self.message.text

    def timings(self) -> str:
        """The footer line: time to first token, tokens/s, prompt tokens (empty until done)."""
        return self.message.footer.text()

    def finished(self) -> bool:
        return self.answer is not None

    def set_sources(self, hits: list[Hit]) -> None:
        self.message.set_sources(hits)

    def append(self, piece: str) -> None:
        self.message.append(piece)

    def flush(self) -> None:
        self.message.flush()

    def finish(self, answer: Answer) -> None:
        self.answer = answer
        self.message.finish(
            answer.text,
            answer.citations,
            mode=answer.mode,
            model=answer.model,
            adapters=answer.adapters,
            timings=answer.timings,
            note=answer_note(answer),
            sources=answer.sources,
        )

    def fail(self, text: str) -> None:
        self.message.fail(text)


class CompareView(QWidget):
    """A question box, then one column per mode that applies, filling side by side."""

    citation_clicked = Signal(object)  # Citation
    compare_finished = Signal()

    def __init__(
        self,
        ctx: AppContext,
        adapters_provider: Callable[[], list[AdapterSpec]],
        library_provider: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.adapters_provider = adapters_provider
        self.library_provider = library_provider
        self.columns: dict[str, CompareColumn] = {}
        self.job: Job | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._build()

    def _build(self) -> None:
        self.question = QLineEdit()
        self.question.setPlaceholderText("One question, answered every way that applies…")
        self.question.returnPressed.connect(lambda: self.run(self.question.text()))
        self.compare_button = QPushButton(icon("compare"), "Compare")
        self.compare_button.clicked.connect(lambda: self.run(self.question.text()))
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setToolTip("Stop the comparison (Esc)")
        stop_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        stop_key.activated.connect(self.stop)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.compare_button)
        row.addWidget(self.stop_button)
        self.why_label = muted(QLabel())
        self.why_label.setWordWrap(True)
        self.why_label.setVisible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.hint = muted(QLabel("Ask one question to see each approach's answer, sources and speed."))
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.why_label)
        layout.addWidget(self.hint)
        layout.addWidget(self.splitter, 1)

    # -- running --------------------------------------------------------------------------------
    def running(self) -> bool:
        return self.job is not None

    def run(self, question: str) -> Job | None:
        """Compare the modes that apply on ``question`` (model lane); None if nothing started."""
        question = question.strip()
        if not question:
            self.ctx.messages.notice("Type a question to compare.")
            return None
        if self.job is not None:
            self.ctx.messages.notice("A comparison is running; stop it first.")
            return None
        self.question.setText(question)
        library = self.library_provider()
        adapters = list(self.adapters_provider())
        modes, why = planned_modes(library, adapters)
        self._reset_columns(modes)
        self.why_label.setText(" ".join(why))
        self.why_label.setVisible(bool(why))
        svc = self.ctx.svc

        def work(job: Job) -> list[Answer]:
            return svc.compare(
                question,
                library,
                adapters,
                on_event=lambda mode, kind, payload: job.report((mode, kind, payload)),
                cancel=job.cancel,
            )

        self.job = self.ctx.model_lane.submit(
            work,
            on_progress=self._event,
            on_result=self._done,
            on_error=self._failed,
            on_finished=self._finished,
            name="compare",
        )
        self.compare_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._flush_timer.start()
        return self.job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.ctx.messages.notice("Stopping the comparison…")

    def _reset_columns(self, modes: list[str]) -> None:
        for column in self.columns.values():
            column.setParent(None)
            column.deleteLater()
        self.columns = {}
        for mode in modes:
            self._column(mode)
        self.hint.setVisible(False)

    def _column(self, mode: str) -> CompareColumn:
        column = self.columns.get(mode)
        if column is None:
            column = CompareColumn(mode)
            column.message.citation_clicked.connect(self.citation_clicked.emit)
            self.columns[mode] = column
            self.splitter.addWidget(column)
            self.splitter.setStretchFactor(self.splitter.count() - 1, 1)
            self.splitter.setSizes([1000] * self.splitter.count())  # equal widths
        return column

    def _event(self, event: object) -> None:
        if not isinstance(event, tuple) or len(event) != 3:
            return
        mode, kind, payload = event
        column = self._column(str(mode))
        if kind == "sources" and isinstance(payload, list):
            column.set_sources(payload)
        elif kind == "token" and isinstance(payload, str):
            column.append(payload)
        elif kind == "done" and isinstance(payload, Answer):
            column.finish(payload)

    def _flush(self) -> None:
        for column in self.columns.values():
            if not column.finished():
                column.flush()

    def _done(self, answers: list[Answer]) -> None:
        for answer in answers:
            column = self._column(answer.mode)
            if not column.finished():
                column.finish(answer)
        stopped = self.job is not None and self.job.cancelled()
        for column in self.columns.values():
            if not column.finished():
                column.flush()
                column.fail("Stopped." if stopped else "No answer in this mode.")

    def _failed(self, exc: BaseException) -> None:
        self.ctx.messages.error(exc, "Compare")
        for column in self.columns.values():
            if not column.finished():
                column.flush()
                column.fail("Stopped." if self.job and self.job.cancelled() else "Failed.")

    def _finished(self) -> None:
        self.job = None
        self._flush_timer.stop()
        self.compare_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.compare_finished.emit()
