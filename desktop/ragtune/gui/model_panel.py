"""The model and adapters panel: the current chat model, switching and adding models, and the
LoRA adapters applied to the next answers (on/off, strength, remove).

Model work (loading, adding, checking an adapter) runs on the model lane; the panel only shows what
comes back. Adapters are applied hot by the engine at the next answer: the panel hands the list
to whoever asks (``active_adapters()``) and says when it changes (``adapters_changed``).
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
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import AdapterInfo, AdapterSpec, ModelInfo
from ragtune.core.units import format_size
from ragtune.gui.adapter_list import AdapterRow, SavedAdapter, load_saved, save_list, server_note
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, muted
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

GGUF_FILTER = "GGUF files (*.gguf);;All files (*)"


def model_details(info: ModelInfo) -> str:
    """One line about a model: architecture, size, context length, quantization, origin."""
    parts = [
        info.architecture or "unknown architecture",
        format_size(info.size) if info.size else "",
        f"context {info.context_length:,} tokens" if info.context_length else "",
        info.quantization,
        "embedded default" if info.embedded else "",
    ]
    return " · ".join(p for p in parts if p)


class ModelPanel(QWidget):
    """Current model, model switcher, and the adapters list."""

    adapters_changed = Signal()
    model_loaded = Signal(object)  # ModelInfo
    model_refused = Signal(str)  # the reason, in plain words
    adapter_added = Signal(str)  # path
    adapter_refused = Signal(str)  # the reason, in plain words

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AdapterRow] = []
        self.current: ModelInfo | None = None
        self.known: list[ModelInfo] = []
        self._loading = False
        self._checking: dict[str, tuple[bool, int]] = {}  # path -> (on, percent) being checked
        self._build()
        self.refresh()
        self._restore_adapters()

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
        model_box = QGroupBox("Model")
        model_layout = QVBoxLayout(model_box)
        model_layout.addWidget(self.model_name)
        model_layout.addWidget(self.model_info)
        model_layout.addWidget(self.combo)
        model_layout.addWidget(self.add_model_button)
        model_layout.addWidget(self.state_label)

        self.add_adapter_button = QPushButton(icon("adapter"), "Add adapter…")
        self.add_adapter_button.setToolTip("Add a LoRA adapter (.gguf) made for this model")
        self.add_adapter_button.clicked.connect(self._add_adapter_dialog)
        self.empty_label = muted(QLabel("No adapters. Add a LoRA adapter (.gguf) made for this model."))
        self.empty_label.setWordWrap(True)
        self.server_label = QLabel()
        self.server_label.setWordWrap(True)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        adapter_box = QGroupBox("Adapters")
        adapter_layout = QVBoxLayout(adapter_box)
        adapter_layout.addWidget(self.server_label)
        adapter_layout.addLayout(self.rows_layout)
        adapter_layout.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_adapter_button)
        buttons.addStretch(1)
        adapter_layout.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addWidget(adapter_box)
        layout.addStretch(1)

    # -- the model ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the known models and the current one (read lane: nothing is loaded)."""
        svc = self.ctx.svc
        self.show_engine()
        self.ctx.reads.submit(
            lambda _job: (svc.models(), svc.current_model()),
            on_result=self._show_models,
            on_error=self._models_unreadable,
            name="models",
        )

    def show_engine(self) -> None:
        """Say plainly when adapters depend on a model server rather than local files."""
        note = server_note(self.ctx.svc.settings)
        self.server_label.setText(note)
        self.server_label.setVisible(bool(note))
        self.add_adapter_button.setText("Add adapter (server must have it)…" if note else "Add adapter…")

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
                return svc.load_model(name, progress=job.report)
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
        self._recheck_adapters()

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
            added = svc.add_model(path)
            job.report(f"Loading {added.name}…")
            previous = svc.settings.chat_model
            try:
                return svc.load_model(added.name, progress=job.report)
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

    def _loading_progress(self, payload: object) -> None:
        text = payload if isinstance(payload, str) else getattr(payload, "current", "")
        if text:
            self.state_label.setText(str(text))

    # -- adapters -------------------------------------------------------------------------------
    def active_adapters(self) -> list[AdapterSpec]:
        """The adapters switched on with a strength above 0, in the order they were added."""
        for row in self.rows:
            row.flush()
        return [row.spec() for row in self.rows if row.enabled and row.percent > 0]

    def adapter_paths(self) -> list[str]:
        return [row.path for row in self.rows]

    def _add_adapter_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a LoRA adapter", "", GGUF_FILTER)
        if path:
            self.add_adapter_file(path)

    def add_adapter_file(self, path: str, enabled: bool = True, percent: int = 100) -> Job | None:
        """Check an adapter against the current model (model lane); a valid one gets a row, a wrong
        one is refused with the reason in plain words."""
        path = str(Path(path).expanduser().absolute())
        if path in self.adapter_paths() or path in self._checking:
            self.ctx.messages.notice(f"Adapter {Path(path).name} is already in the list.")
            return None
        self._checking[path] = (enabled, percent)
        svc = self.ctx.svc

        def work(_job: Job) -> tuple[str, AdapterInfo | Exception]:
            try:
                return path, svc.check_adapter(path)
            except Exception as exc:  # AdapterError in plain words; reported with the path
                return path, exc

        # bound-method callbacks: nothing arrives once the panel is gone
        return self.ctx.model_lane.submit(work, on_result=self._adapter_checked, name="check adapter")

    def _adapter_checked(self, value: tuple[str, AdapterInfo | Exception]) -> None:
        path, outcome = value
        enabled, percent = self._checking.pop(path, (True, 100))
        if isinstance(outcome, Exception):
            self.ctx.messages.error(outcome, f"Adapter {Path(path).name} refused")
            self.adapter_refused.emit(str(outcome))
            return
        if path in self.adapter_paths():
            return
        info = outcome
        row = AdapterRow(path, enabled, percent)
        row.setToolTip(f"{path}\n{info.architecture} · alpha {info.alpha:g} · {info.tensors} tensors")
        row.changed.connect(self._rows_changed)
        row.remove_requested.connect(self.remove_adapter)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        self.ctx.messages.notice(f"Adapter {row.name} added; it applies to the next answer.")
        self._rows_changed()
        self.adapter_added.emit(path)

    def remove_adapter(self, row: AdapterRow) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        self.rows_layout.removeWidget(row)
        row.deleteLater()
        self.ctx.messages.notice(f"Adapter {row.name} removed.")
        self._rows_changed()

    def _rows_changed(self) -> None:
        self.empty_label.setVisible(not self.rows)
        save_list(self.ctx.settings, [row.saved() for row in self.rows])
        self.adapters_changed.emit()

    def _restore_adapters(self) -> None:
        """Bring back the saved list; files that vanished or no longer fit are dropped with a notice."""
        self.empty_label.setVisible(True)
        saved = load_saved(self.ctx.settings)
        present: list[SavedAdapter] = []
        for item in saved:
            if Path(item.path).is_file():
                present.append(item)
            else:
                self.ctx.messages.notice(
                    f"Adapter {Path(item.path).name} is gone ({item.path}); removed from the list."
                )
        if len(present) != len(saved):
            save_list(self.ctx.settings, present)
        for item in present:
            self.add_adapter_file(item.path, item.enabled, item.percent)

    def _recheck_adapters(self) -> None:
        """After a model switch: drop adapters that do not fit the new model, saying why."""
        svc = self.ctx.svc
        paths = self.adapter_paths()
        if not paths:
            return

        def work(_job: Job) -> dict[str, str]:
            misfits: dict[str, str] = {}
            for path in paths:
                try:
                    svc.check_adapter(path)
                except Exception as exc:  # AdapterError, or a file that vanished meanwhile
                    misfits[path] = str(exc)
            return misfits

        self.ctx.model_lane.submit(work, on_result=self._drop_misfits, name="recheck adapters")

    def _drop_misfits(self, misfits: dict[str, str]) -> None:
        for row in [r for r in self.rows if r.path in misfits]:
            self.remove_adapter(row)
            self.ctx.messages.notice(f"Adapter {row.name} removed: {misfits[row.path]}")
