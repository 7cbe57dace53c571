"""The "Embedding model" dialog of a library: the embedding models it can use (its own marked, one
recommended for the languages of its text), what each offers, and the switch: confirmed with what it
will do, then downloaded if needed and re-embedded on the index lane with progress and Stop. The
library keeps answering with its old model until the new index is complete; a Stop keeps the work
done, and choosing the model again resumes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.embedder_types import EmbedderOption, EmbedderPlan, LanguageMix, ReembedReport
from ragtune.core.types import Progress, Stage
from ragtune.core.units import format_size
from ragtune.errors import Cancelled
from ragtune.gui.context import AppContext
from ragtune.gui.index_progress import eta_text
from ragtune.gui.look import choice_table, muted
from ragtune.gui.tasks import Job

COLUMNS = ("Model", "Size", "Languages", "SciFact nDCG@10", "For this library")
NOTE = (
    "The embedding model turns passages and questions into vectors for search. Switching embeds "
    "every passage again; the library keeps answering with its current model until that is done. "
    "A model not on this machine is downloaded from huggingface.co first (verified before use)."
)


def languages_line(mix: LanguageMix) -> str:
    if not mix.passages:
        return "Nothing is indexed in this library yet."
    advice = " Mostly not English: a multilingual model is recommended." if mix.mostly_not_english else ""
    return f"Text of this library: {mix.describe()}.{advice}"


def plan_text(plan: EmbedderPlan) -> str:
    """The confirmation's words: what the switch will do."""
    current = f"{plan.current_model} ({plan.current_dim} dimensions)" if plan.current_model else "none yet"
    parts = [f"Switch “{plan.library}” from {current} to {plan.new_name} ({plan.new_dim} dimensions)?"]
    if plan.needs_download:
        parts.append(f"The model (about {format_size(plan.download_bytes)}) is downloaded first.")
    resumed = f" ({plan.resumable} done by an earlier start are kept)" if plan.resumable else ""
    parts.append(f"{plan.passages} passages will be embedded again{resumed}. The library keeps "
                 "answering with its current model until the new index is complete; Stop keeps the work done.")
    return "\n\n".join(parts)


class EmbedderDialog(QDialog):
    """Choose a library's embedding model (see module docstring)."""

    switched = Signal(object)  # ReembedReport of a switch that ended (done, or stopped: .cancelled)

    def __init__(self, ctx: AppContext, library: str, options: list[EmbedderOption], mix: LanguageMix,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library
        self.options = options
        self.job: Job | None = None
        self.setWindowTitle(f"Embedding model of “{library}”")
        self.resize(860, 440)
        self._build(mix)
        self._fill()

    def _build(self, mix: LanguageMix) -> None:
        note = muted(QLabel(NOTE))
        note.setWordWrap(True)
        self.languages = QLabel(languages_line(mix))
        self.languages.setWordWrap(True)
        self.table = choice_table(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.start())
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.use_button = QPushButton("Use for this library…")
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        close = QPushButton("Close")  # Esc too
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.languages)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    @staticmethod
    def _state(option: EmbedderOption) -> str:
        words = []
        if option.current:
            words.append("In use")
        if option.recommended:
            words.append("★ Recommended")
        if option.unfinished:
            words.append(f"Stopped at {option.unfinished[0]} of {option.unfinished[1]}")
        if not option.current:
            words.append("Embedded" if option.entry and option.entry.embedded else
                         "Downloaded" if option.installed else "Download")
        return " · ".join(words)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.options))
        chosen = 0
        for row, option in enumerate(self.options):
            e = option.entry
            cells = (
                option.name,
                format_size(e.size) if e else "",
                e.languages.split(" (")[0] if e else "",
                f"{e.scifact_ndcg10:.3f}" if e and e.scifact_ndcg10 else "—",
                self._state(option),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{option.name}: {e.notes}" if e else option.model_id)
                self.table.setItem(row, col, item)
            if option.recommended or (option.current and not any(o.recommended for o in self.options)):
                chosen = row
        self.table.selectRow(chosen)

    def current_option(self) -> EmbedderOption | None:
        rows = self.table.selectionModel().selectedRows()
        return self.options[rows[0].row()] if rows else None

    def _selected(self) -> None:
        option = self.current_option()
        if option is None:
            return
        e = option.entry
        if e is None:
            self.details.setText(f"<b>{option.model_id}</b>: not in the catalogue.")
        else:
            source = f"{e.repo}" if e.repo else "ships with Ragtune"
            quality = (f"SciFact nDCG@10 {e.scifact_ndcg10:.3f} ({e.scifact_source})" if e.scifact_ndcg10
                       else e.scifact_source)
            self.details.setText(
                f"<b>{e.name}</b> · {e.dimension} dimensions · reads {e.max_tokens:,} tokens · "
                f"{e.languages} · {e.license} · {source}<br>{quality}.<br>{e.notes}"
            )
        dropping = option.current and any(o.unfinished for o in self.options)
        self.use_button.setText("Keep this model" if dropping else "Use for this library…")
        self.use_button.setEnabled(self.job is None and (not option.current or dropping))

    # -- the switch -----------------------------------------------------------------------------
    def start(self) -> None:
        option = self.current_option()
        if option is None or self.job is not None or not self.use_button.isEnabled():
            return
        embedders, library, model = self.ctx.svc.library.embedders, self.library, option.model_id
        try:
            plan = embedders.plan(library, model)
        except Exception as exc:  # a message for the person, whatever the kind
            self.ctx.messages.error(exc, "Embedding model")
            return
        if plan.unchanged:  # the library's own model, with a stopped switch to another
            text = (f"Drop the stopped switch to {plan.unfinished_switch}? “{library}” keeps "
                    f"{plan.new_name}; the passages embedded for the switch are deleted.")
        else:
            text = plan_text(plan)
        if not self.ctx.messages.confirm("Switch the embedding model", text):
            return

        def work(job: Job) -> ReembedReport:
            if plan.needs_download:
                embedders.download(model, progress=job.report, cancel=job.cancel)
            return embedders.change(library, model, progress=job.report, cancel=job.cancel)

        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"Switching to {plan.new_name}…")
        self.stop_button.setEnabled(True)
        self.use_button.setEnabled(False)
        self.job = self.ctx.index_lane.submit(
            work, on_result=self._done, on_error=self._failed, on_progress=self._progress,
            name="switch embedding model",
        )

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.status.setText("Stopping…")

    def _progress(self, payload: object) -> None:
        if not isinstance(payload, Progress):
            return
        if payload.stage in (Stage.DOWNLOADING, Stage.EMBEDDING) and payload.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * payload.done / payload.total))
            what = (f"Downloading: {format_size(payload.done)} of {format_size(payload.total)}"
                    if payload.stage == Stage.DOWNLOADING else f"Embedding: {payload.done} of {payload.total} passages")
            self.status.setText(f"{what} · {eta_text(payload.eta_s)}")
        else:
            self.progress.setRange(0, 0)
            self.status.setText(payload.current if payload.stage != Stage.VERIFYING else "Verifying…")

    def _finish(self) -> None:
        self.job = None
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)

    def _done(self, report: ReembedReport) -> None:
        self._finish()
        if report.dropped_switch:
            self.options = [replace(o, unfinished=None) for o in self.options]
            self._fill()
            self.table.selectRow(next(i for i, o in enumerate(self.options) if o.current))
            self.status.setText(f"The stopped switch to {report.dropped_switch} was dropped.")
            self.switched.emit(report)
            return
        if report.cancelled:
            done = report.resumed_from + report.embedded
            self.status.setText(f"Stopped at {done} of {report.total} passages; the library still uses its "
                                "old model. Choose the model again to resume.")
            self.options = [replace(o, unfinished=(done, report.total) if o.model_id == report.model else None)
                            for o in self.options]
            row = self.table.currentRow()
            self._fill()
            self.table.selectRow(row)
            self.switched.emit(report)
            return
        self.options = [
            replace(o, installed=o.installed or o.model_id == report.model, current=o.model_id == report.model,
                    unfinished=None)
            for o in self.options
        ]
        self._fill()
        self.table.selectRow(next(i for i, o in enumerate(self.options) if o.current))
        self.status.setText(f"“{self.library}” now uses {report.model}: {report.embedded} passages embedded "
                            f"in {report.seconds:.0f} s.")
        self.ctx.messages.notice(f"Library {self.library} now uses the embedding model {report.model}.")
        self.switched.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self._selected()
        if isinstance(exc, Cancelled):
            self.status.setText("Stopped. Choose the model again to resume where it stopped.")
            return
        self.status.setText(str(exc))
        self.ctx.messages.error(exc, "Switching the embedding model")

    def closeEvent(self, event: object) -> None:
        if self.job is not None:
            self.ctx.messages.notice("The switch goes on in the background; the library panel shows when it is done.")
        super().closeEvent(event)  # type: ignore[arg-type]


def open_embedder_dialog(ctx: AppContext, library: str, parent: QWidget,
                         on_open: Callable[[EmbedderDialog], object]) -> Job:
    """Read ``library``'s embedding choices and the languages of its text (reads lane), then show
    them in an ``EmbedderDialog``, handed to ``on_open`` first."""
    embedders = ctx.svc.library.embedders

    def read(job: Job) -> tuple[list[EmbedderOption], LanguageMix]:
        mix = embedders.languages(library)
        return embedders.options(library, mix), mix

    def show(found: tuple[list[EmbedderOption], LanguageMix]) -> None:
        dialog = EmbedderDialog(ctx, library, found[0], found[1], parent)
        on_open(dialog)
        dialog.open()

    return ctx.reads.submit(read, on_result=show, on_error=lambda exc: ctx.messages.error(exc, "Embedding model"),
                            name="embedding models")
