"""First start: assemble the embedded models (with a progress dialog), then, when there is no
library yet, index the sample library and open a chat on it with its suggested questions.

The window is already on screen; the models are assembled on the model lane (so a question asked
meanwhile waits behind them), the sample library on the index lane. On later starts
``ensure_models`` only checks its stamps and the dialog never appears.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from ragtune import paths
from ragtune.core.answer_types import ChatInfo
from ragtune.core.library_names import SAMPLE_LIBRARY
from ragtune.core.types import Progress
from ragtune.core.units import format_size
from ragtune.gui.main_window import MainWindow
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

WELCOME_CHAT = "Getting started"
DIALOG_DELAY_MS = 600


class FirstStart(QObject):
    """Runs the first-start steps for a window; ``done`` fires when the sample library is queued
    (or was not needed)."""

    done = Signal()
    models_ready = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.dialog: QProgressDialog | None = None

    def start(self) -> Job:
        dialog = QProgressDialog(
            "Preparing the built-in models (first start only)…", "", 0, 0, self.window
        )
        dialog.setWindowTitle("Ragtune — first start")
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(DIALOG_DELAY_MS)  # shown only if it takes a while
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.dialog = dialog
        return self.ctx.model_lane.submit(
            lambda job: self.ctx.svc.models.ensure_models(progress=job.report),
            on_progress=self._progress,
            on_result=lambda _: self._models_ready(),
            on_error=self._models_failed,
            name="ensure models",
        )

    def _progress(self, p: object) -> None:
        # a local reference: setValue() on a modal dialog runs events, which may close it and clear
        # self.dialog (the models became ready meanwhile)
        dialog = self.dialog
        if dialog is None or not isinstance(p, Progress):
            return
        mb = f" ({format_size(p.done)} of {format_size(p.total)})" if p.total > 1_000_000 else ""
        dialog.setLabelText(f"{p.current or 'Preparing the built-in models'}{mb}")
        if p.total > 0:
            dialog.setRange(0, 1000)
            dialog.setValue(int(1000 * p.fraction))

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _models_ready(self) -> None:
        self._close_dialog()
        self.models_ready.emit()
        self.ctx.reads.submit(
            lambda job: self.ctx.svc.library.libraries(),
            on_result=self._maybe_sample,
            on_error=lambda exc: self._fail(exc, "Reading libraries"),
            name="first start libraries",
        )

    def _models_failed(self, exc: BaseException) -> None:
        self._close_dialog()
        self._fail(exc, "Preparing the built-in models")

    def _fail(self, exc: BaseException, context: str) -> None:
        self.ctx.messages.error(exc, context)
        self.done.emit()

    def _maybe_sample(self, libraries: list[object]) -> None:
        sample = paths.sample_library_dir()
        if libraries or not sample.is_dir():
            self.done.emit()
            return
        svc = self.ctx.svc

        def create(job: Job) -> ChatInfo:
            svc.library.create_library(SAMPLE_LIBRARY)
            return svc.chats.create_chat(WELCOME_CHAT, SAMPLE_LIBRARY, rag=True)

        self.ctx.index_lane.submit(
            create,
            on_result=self._sample_created,
            on_error=lambda exc: self._fail(exc, "Creating the sample library"),
            name="sample library",
        )

    def _sample_created(self, chat: ChatInfo) -> None:
        self.window.library_panel.refresh_libraries(select=SAMPLE_LIBRARY)
        self.window.chat_list.refresh(select=chat.id)
        self.window.indexer.index(SAMPLE_LIBRARY, [str(paths.sample_library_dir())])
        self.ctx.messages.notice("Indexing the sample library — try a suggested question.")
        self.done.emit()
