"""The model panel: the current chat model, switching and adding models, and below it the LoRA
adapters box (``gui/adapter_panel.py``, ``self.adapters``), rechecked after a model switch.

Model work (loading, adding) runs on the model lane; the panel only shows what comes back. The
window reads the adapters for the next answer through ``active_adapters()``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import AdapterSpec, ModelInfo
from ragtune.core.units import format_size
from ragtune.gui.adapter_panel import GGUF_FILTER, AdapterPanel
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, muted
from ragtune.gui.model_catalogue import CatalogueDialog
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)


def model_details(info: ModelInfo) -> str:
    """One line about a model: architecture, size, context length, quantization, origin."""
    parts = [
        info.architecture or "unknown architecture",
        format_size(info.size) if info.size else "",
        f"context {info.context_length:,} tokens" if info.context_length else "",
        info.quantization,
        "embedded default" if info.embedded else "",
        f"runs on {info.runs_on}" if info.runs_on else "",
    ]
    return " · ".join(p for p in parts if p)


class ModelPanel(QWidget):
    """Current model, model switcher, and the adapters box (``self.adapters``)."""

    model_loaded = Signal(object)  # ModelInfo
    model_refused = Signal(str)  # the reason, in plain words

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current: ModelInfo | None = None
        self.known: list[ModelInfo] = []
        self._loading = False
        self.adapters = AdapterPanel(ctx)
        self._build()
        self.refresh()
        self.adapters.restore()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.model_name = QLabel("…")
        bold = QFont(self.model_name.font())
        bold.setBold(True)
        self.model_name.setFont(bold)
        self.model_name.setWordWrap(True)
        self.model_info = muted(QLabel())
        self.model_info.setWordWrap(True)
        self.state_label = muted(QLabel())
        self.combo = QComboBox()
        self.combo.setToolTip("Switch the chat model")
        self.combo.activated.connect(self._combo_chosen)
        self.add_model_button = QPushButton(icon("add"), "Add model…")
        self.add_model_button.setToolTip("Add a GGUF chat model from a file")
        self.add_model_button.clicked.connect(self._add_model_dialog)
        self.download_button = QPushButton(icon("add"), "Download a model…")
        self.download_button.setToolTip(
            "Larger models from the catalogue, with what fits this machine (the only network use)"
        )
        self.download_button.clicked.connect(self.open_catalogue)
        self._catalogue: CatalogueDialog | None = None
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_name)
        model_layout.addWidget(self.model_info)
        model_layout.addWidget(self.combo)
        model_layout.addWidget(self.add_model_button)
        model_layout.addWidget(self.download_button)
        model_layout.addWidget(self.state_label)

        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addWidget(self.adapters)
        layout.addStretch(1)

    # -- the model ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the known models and the current one (read lane: nothing is loaded)."""
        svc = self.ctx.svc
        self.show_engine()
        self.ctx.reads.submit(
            lambda _job: (svc.models.list_models(), svc.models.current_model()),
            on_result=self._show_models,
            on_error=self._models_unreadable,
            name="models",
        )

    def show_engine(self) -> None:
        """Say plainly when adapters depend on a model server rather than local files."""
        self.adapters.show_engine()

    def active_adapters(self) -> list[AdapterSpec]:
        """The adapters for the next answer (``AdapterPanel.active_adapters``)."""
        return self.adapters.active_adapters()

    def add_adapter_file(self, path: str, enabled: bool = True, percent: int = 100) -> Job | None:
        """Check an adapter file and list it (``AdapterPanel.add_adapter_file``)."""
        return self.adapters.add_adapter_file(path, enabled, percent)

    def _models_unreadable(self, exc: BaseException) -> None:
        self.ctx.messages.error(exc, "Reading models")

    def _show_models(self, value: tuple[list[ModelInfo], ModelInfo]) -> None:
        self.known, current = value
        self._show_current(current)

    def _show_current(self, info: ModelInfo) -> None:
        self.current = info
        self.model_name.setText(info.name)
        self.model_info.setText(model_details(info))
        self.model_name.setToolTip(info.path)
        names = [m.name for m in self.known]
        if info.name not in names:
            self.known.append(info)
        self.combo.blockSignals(True)
        self.combo.clear()
        for m in self.known:
            self.combo.addItem(f"{m.name}  ({format_size(m.size)})" if m.size else m.name, m.name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(info.name)))
        self.combo.blockSignals(False)

    def model_names(self) -> list[str]:
        return [str(self.combo.itemData(i)) for i in range(self.combo.count())]

    def _set_loading(self, loading: bool, text: str = "") -> None:
        self._loading = loading
        self.combo.setEnabled(not loading)
        self.add_model_button.setEnabled(not loading)
        self.download_button.setEnabled(not loading)
        self.state_label.setText(text)

    def _combo_chosen(self, index: int) -> None:
        name = str(self.combo.itemData(index))
        if self.current is None or name != self.current.name:
            self.load_model(name)

    def load_model(self, name: str) -> Job:
        """Switch to model ``name`` (a catalogue name or a GGUF path) on the model lane."""
        svc = self.ctx.svc
        self._set_loading(True, f"Loading {name}…")

        def work(job: Job) -> ModelInfo:
            previous = svc.settings.chat_model
            try:
                return svc.models.load_model(name, progress=job.report)
            except BaseException:
                svc.settings = replace(svc.settings, chat_model=previous)  # keep a working model
                raise

        return self.ctx.model_lane.submit(
            work, on_result=self._model_loaded, on_error=self._model_failed, name="load model"
        )

    def _model_loaded(self, info: ModelInfo) -> None:
        self._set_loading(False)
        svc = self.ctx.svc
        svc.update_settings(replace(svc.settings, chat_model="" if info.embedded else info.name))
        self.ctx.messages.notice(f"Model {info.name} loaded.")
        self._show_current(info)
        self.refresh()
        self.model_loaded.emit(info)
        self.adapters.recheck()

    def _model_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self.ctx.messages.error(exc, "Model not loaded")
        self.model_refused.emit(str(exc))
        self.refresh()

    def _add_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a GGUF chat model", "", GGUF_FILTER)
        if path:
            self.add_model_file(path)

    def add_model_file(self, path: str) -> Job:
        """Check and register a GGUF model file, then switch to it; a bad file is refused with the
        reason (status bar and ``model_refused``)."""
        svc = self.ctx.svc
        self._set_loading(True, f"Checking {Path(path).name}…")

        def work(job: Job) -> ModelInfo:
            added = svc.models.add_model(path)
            job.report(f"Loading {added.name}…")
            previous = svc.settings.chat_model
            try:
                return svc.models.load_model(added.name, progress=job.report)
            except BaseException:
                svc.settings = replace(svc.settings, chat_model=previous)
                raise

        return self.ctx.model_lane.submit(
            work,
            on_result=self._model_loaded,
            on_error=self._model_failed,
            on_progress=self._loading_progress,
            name="add model",
        )

    def open_catalogue(self) -> CatalogueDialog:
        """The download dialog (one per panel: a download in progress survives closing it)."""
        again = self._catalogue is not None and self._catalogue.isVisible()
        svc = self.ctx.svc
        fits, installed, machine = svc.models.catalogue(), {m.name for m in svc.models.list_models()}, svc.models.machine()
        if self._catalogue is None:
            self._catalogue = CatalogueDialog(self.ctx, fits, installed, machine, self)
            self._catalogue.downloaded.connect(self._downloaded)
        else:
            self._catalogue.reload(fits, installed, machine)
        self._catalogue.show()
        if again:
            self._catalogue.raise_()
        return self._catalogue

    def _downloaded(self, info: ModelInfo) -> None:
        self.refresh()
        if not self._loading and self.ctx.messages.confirm(
            "Model downloaded", f"{info.name} is ready. Switch the chat to it now? Chats, libraries "
            "and adapters stay as they are."
        ):
            self.load_model(info.name)

    def _loading_progress(self, payload: object) -> None:
        text = payload if isinstance(payload, str) else getattr(payload, "current", "")
        if text:
            self.state_label.setText(str(text))
