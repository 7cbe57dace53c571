"""The comparison view: one question answered side by side by the model alone, with RAG, with the
adapters, and with both (the modes that apply), each column streaming its answer with citations,
time to first token, tokens/s and prompt size. When the pane is too narrow for the columns side by
side, they are stacked one under the other, so each answer keeps a readable width.

``svc.compare`` runs on the model lane; its ``on_event(event)`` calls (``core.compare``'s
``CompareSources`` / ``CompareToken`` / ``CompareDone``) arrive on the worker thread and are forwarded
to the UI thread through the job's ``report`` (a queued signal), then dispatched by type.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import AdapterSpec, Answer, CompareDone, CompareSources, CompareToken
from ragtune.gui.compare_column import CompareColumn, planned_modes
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, muted
from ragtune.gui.mark_work import Marking
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

FLUSH_MS = 100
#: narrower than this per column, the columns are stacked instead of side by side
COLUMN_MIN_WIDTH = 220


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
        self.marking = Marking(ctx, self, library_provider, lambda: [c.message for c in self.columns.values()])

    def _build(self) -> None:
        self.question = QLineEdit()
        self.question.setPlaceholderText("One question, answered every way that applies…")
        self.question.setMinimumWidth(120)
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
                on_event=job.report,
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

    def _reset_columns(self, modes: Sequence[str]) -> None:
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
            self._arrange()
        return column

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Side by side when each column gets COLUMN_MIN_WIDTH, else one under the other."""
        count = max(self.splitter.count(), 1)
        wide = self.width() >= count * COLUMN_MIN_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self.splitter.setSizes([1000] * count)

    def _event(self, event: object) -> None:
        if isinstance(event, CompareSources):
            self._column(event.mode).set_sources(event.hits)
        elif isinstance(event, CompareToken):
            self._column(event.mode).append(event.text)
        elif isinstance(event, CompareDone):
            self._column(event.mode).finish(event.answer)

    def _flush(self) -> None:
        for column in self.columns.values():
            if not column.finished():
                column.flush()

    def show_answers(self, answers: list[Answer]) -> None:
        """Show finished answers, one column each (a comparison run elsewhere, or saved)."""
        self._reset_columns([a.mode for a in answers])
        for answer in answers:
            self.columns[answer.mode].finish(answer)
            self.marking.attach(self.columns[answer.mode].message, answer.message_id)

    def _done(self, answers: list[Answer]) -> None:
        for answer in answers:
            column = self._column(answer.mode)
            if not column.finished():
                column.finish(answer)
            self.marking.attach(column.message, answer.message_id)
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
