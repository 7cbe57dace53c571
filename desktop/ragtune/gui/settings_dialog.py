"""The settings dialog (Ctrl+,): threads, context size, passages, temperature, answer length,
chunking and the engine (``gui/engine_settings.py``: built-in model or an OpenAI-compatible server). A change that needs a re-index says so and asks first; the data folder and log file are
shown so a user can find them.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ragtune import paths
from ragtune.gui.context import AppContext
from ragtune.gui.engine_settings import EngineSection
from ragtune.gui.look import muted
from ragtune.settings import Settings

REINDEX_QUESTION = (
    "Chunk size changed: re-index all libraries now?\n\n"
    "Re-indexing splits every document again; it can take a while on a large library. "
    "If you choose No, the new size applies the next time a library is re-indexed."
)


def _spin(low: int, high: int, value: int, step: int = 1, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(max(low, min(high, value)))
    if suffix:
        box.setSuffix(suffix)
    return box


def _read_only(text: str) -> QLineEdit:
    line = QLineEdit(text)
    line.setReadOnly(True)
    line.setCursorPosition(0)
    return line


class SettingsDialog(QDialog):
    """Edits ``ctx.svc.settings``; saved with ``svc.update_settings`` on OK."""

    reindex_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Ragtune settings")
        s = ctx.svc.settings
        cores = os.cpu_count() or 2
        self.threads = _spin(1, max(64, cores), s.threads)
        self.threads.setToolTip(f"CPU threads for the model (this computer has {cores})")
        self.context_size = _spin(512, 131072, s.context_size, 512, " tokens")
        self.context_size.setToolTip("How much text the model reads at once; larger uses more memory")
        self.gpu_layers = _spin(-1, 999, s.gpu_layers)
        self.gpu_layers.setSpecialValueText("Automatic")
        self.gpu_layers.setToolTip(
            "Model layers put on the GPU: Automatic = all that fit in its free memory, 0 = CPU only"
            + ("" if ctx.svc.models.machine().gpus else " (no GPU found: models run on the CPU)")
        )
        self.passages = _spin(1, 20, s.passages)
        self.passages.setToolTip("Passages from the library put in each question")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setDecimals(2)
        self.temperature.setValue(s.temperature)
        self.temperature.setToolTip("0 = always the most likely words; higher = more varied answers")
        self.max_answer_tokens = _spin(16, 8192, s.max_answer_tokens, 16, " tokens")
        self.chunk_tokens = _spin(64, 2048, s.chunk_tokens, 10, " tokens")
        self.chunk_tokens.setToolTip("Passage size when indexing; changing it needs a re-index")
        self.chunk_overlap = _spin(0, 512, s.chunk_overlap, 5, " tokens")
        self.chunk_overlap.setToolTip("Overlap between passages; changing it needs a re-index")
        self.reindex_hint = muted(QLabel())
        self.chunk_tokens.valueChanged.connect(self._update_hint)
        self.chunk_overlap.valueChanged.connect(self._update_hint)

        form = QFormLayout()
        form.addRow("Threads", self.threads)
        form.addRow("Context size", self.context_size)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("Passages per question", self.passages)
        form.addRow("Temperature", self.temperature)
        form.addRow("Longest answer", self.max_answer_tokens)
        form.addRow("Chunk size", self.chunk_tokens)
        form.addRow("Chunk overlap", self.chunk_overlap)
        form.addRow("", self.reindex_hint)
        self.data_folder = _read_only(str(paths.data_dir()))
        self.log_file = _read_only(str(paths.log_path()))
        form.addRow("Data folder", self.data_folder)
        form.addRow("Log file", self.log_file)

        self.engine = EngineSection(ctx)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.engine)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._update_hint()

    def values(self) -> Settings:
        """The settings as the dialog shows them now."""
        return self.engine.apply(replace(
            self.ctx.svc.settings,
            threads=self.threads.value(),
            context_size=self.context_size.value(),
            gpu_layers=self.gpu_layers.value(),
            passages=self.passages.value(),
            temperature=round(self.temperature.value(), 2),
            max_answer_tokens=self.max_answer_tokens.value(),
            chunk_tokens=self.chunk_tokens.value(),
            chunk_overlap=self.chunk_overlap.value(),
        ))

    def _update_hint(self) -> None:
        needs = self.ctx.svc.settings.needs_reindex(self.values())
        self.reindex_hint.setText("Changing the chunking needs a re-index." if needs else "")

    def _refuse(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)

    def accept(self) -> None:
        new = self.values()
        if new.chunk_overlap >= new.chunk_tokens:
            self._refuse("The chunk overlap must be smaller than the chunk size.")
            return
        problem = self.engine.problem()
        if problem:
            self._refuse(problem)
            return
        try:
            self.engine.store_key()
        except Exception as exc:  # any keyring backend's failure: say it, keep the dialog open
            self._refuse(f"The API key could not be kept in the system keyring: {exc}")
            return
        old = self.ctx.svc.settings
        reindex = False
        if old.needs_reindex(new):
            reindex = self.ctx.messages.confirm("Re-index libraries?", REINDEX_QUESTION)
        if new != old:
            self.ctx.svc.update_settings(new)
            self.ctx.messages.notice("Settings saved.")
        super().accept()
        if reindex:
            self.reindex_requested.emit()
