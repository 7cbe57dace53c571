"""The "Download a model" dialog: the catalogue's chat models with what each needs and whether it
fits this machine (one recommended), and a download with progress, cancel and resume.

The download runs on the download lane (network and disk only), so chat and indexing go on. Closing
the dialog does not stop it; Cancel does, keeping the partial file, and Download resumes it. A
finished download is checked and listed; the panel then offers to switch to it.
"""

from __future__ import annotations

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

from ragtune.core.answer_types import ModelInfo
from ragtune.core.catalogue import Fit
from ragtune.core.machine import Machine
from ragtune.core.types import Progress, Stage
from ragtune.core.units import format_size
from ragtune.errors import Cancelled
from ragtune.gui.context import AppContext
from ragtune.gui.index_progress import eta_text
from ragtune.gui.look import choice_table, muted
from ragtune.gui.tasks import Job

NETWORK_NOTE = (
    "Downloads are the only network use Ragtune makes, and only when you press Download. Files come "
    "from huggingface.co and are verified (SHA-256) before first use. A stopped download resumes."
)
COLUMNS = ("Model", "Size", "Needs", "Licence", "On this machine")


def machine_line(machine: Machine) -> str:
    gpu = (
        f"GPU {machine.gpu_name} ({format_size(machine.gpu_free_bytes)} free)"
        if machine.gpus else "no GPU (models run on the CPU)"
    )
    return f"This machine: {format_size(machine.ram_bytes)} memory, {machine.cpu_threads} CPU threads, {gpu}."


class CatalogueDialog(QDialog):
    """Pick a catalogue model and download it (see module docstring)."""

    downloaded = Signal(object)  # ModelInfo of a model ready to load

    def __init__(self, ctx: AppContext, fits: list[Fit], installed: set[str], machine: Machine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fits = fits
        self.installed = {n.lower() for n in installed}
        self.job: Job | None = None
        self.setWindowTitle("Download a model")
        self.resize(820, 460)
        self._build(machine)
        self._fill()

    def _build(self, machine: Machine) -> None:
        note = muted(QLabel(NETWORK_NOTE))
        note.setWordWrap(True)
        self.machine_label = QLabel(machine_line(machine))
        self.machine_label.setWordWrap(True)
        self.table = choice_table(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.start())
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = muted(QLabel())
        self.status.setWordWrap(True)
        self.download_button = QPushButton("Download")
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Stop download")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.stop)
        close = QPushButton("Close")  # Esc too
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.machine_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    def reload(self, fits: list[Fit], installed: set[str], machine: Machine) -> None:
        """Show the catalogue afresh (models added or removed, GPU memory changed); not while a
        download runs."""
        if self.job is not None:
            return
        self.fits = fits
        self.installed = {n.lower() for n in installed}
        self.machine_label.setText(machine_line(machine))
        self._fill()

    def _state(self, fit: Fit) -> str:
        if fit.entry.embedded:
            have = "Embedded"
        elif fit.entry.name.lower() in self.installed:
            have = "Installed"
        else:
            have = ""
        if fit.recommended:
            return "★ Recommended" + (f" · {have.lower()}" if have else "")
        return have or ("Fits" if fit.fits else "Too large")

    def _fill(self) -> None:
        self.table.setRowCount(len(self.fits))
        chosen = 0
        for row, fit in enumerate(self.fits):
            e = fit.entry
            cells = (e.name, format_size(e.size), f"{e.memory_gb:g} GB", e.license, self._state(fit))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{e.name}: {fit.reason}. {e.notes}")
                if not fit.fits:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, col, item)
            if fit.recommended:
                chosen = row
        self.table.selectRow(chosen)

    def current_fit(self) -> Fit | None:
        rows = self.table.selectionModel().selectedRows()
        return self.fits[rows[0].row()] if rows else None

    def _selected(self) -> None:
        fit = self.current_fit()
        if fit is None:
            return
        e = fit.entry
        where = f"{e.repo}/{e.file}" if e.repo else "ships with Ragtune"
        self.details.setText(
            f"<b>{e.name}</b> · {e.quantization} · context {e.context_length:,} tokens · {where}<br>"
            f"{fit.reason[:1].upper() + fit.reason[1:]}. {e.notes}"
            + (f"<br>{fit.adapters_text[:1].upper() + fit.adapters_text[1:]}." if fit.adapters_text else "")
        )
        busy = self.job is not None
        self.download_button.setEnabled(
            not busy and e.downloadable and e.name.lower() not in self.installed
        )

    # -- download -------------------------------------------------------------------------------
    def start(self) -> None:
        fit = self.current_fit()
        if fit is None or self.job is not None or not self.download_button.isEnabled():
            return
        svc, name = self.ctx.svc, fit.entry.name
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"Asking the server about {name}…")
        self.cancel_button.setEnabled(True)
        self.download_button.setEnabled(False)
        self.job = self.ctx.download_lane.submit(
            lambda job: svc.models.download_model(name, progress=job.report, cancel=job.cancel),
            on_result=self._done, on_error=self._failed, on_progress=self._progress,
            name="download model",
        )

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.status.setText("Stopping…")

    def _progress(self, payload: object) -> None:
        if not isinstance(payload, Progress):
            return
        if payload.stage == Stage.DOWNLOADING and payload.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * payload.done / payload.total))
            self.status.setText(
                f"{format_size(payload.done)} of {format_size(payload.total)} · "
                f"{format_size(int(payload.rate))}/s · {eta_text(payload.eta_s)}"
            )
        else:
            self.progress.setRange(0, 0)
            self.status.setText(payload.current if payload.stage != Stage.VERIFYING else "Verifying (SHA-256)…")

    def _finish(self) -> None:
        self.job = None
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)
        self._selected()

    def _done(self, info: ModelInfo) -> None:
        self.installed.add(info.name.lower())
        self._finish()
        self._fill()
        self.status.setText(f"{info.name} is ready.")
        self.ctx.messages.notice(f"Model {info.name} downloaded and verified.")
        self.downloaded.emit(info)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.status.setText("Stopped. Download again to resume where it stopped.")
            return
        self.status.setText(str(exc))
        self.ctx.messages.error(exc, "Download failed")

    def closeEvent(self, event: object) -> None:
        if self.job is not None:
            self.ctx.messages.notice("The download goes on in the background; Stop it from this dialog.")
        super().closeEvent(event)  # type: ignore[arg-type]
