"""The adapters part of the model panel: the LoRA adapters applied to the next answers (on/off,
strength, remove), each checked against the current model before it is listed, and the note that
says when adapters depend on a model server rather than local files.

Checking runs on the model lane; the box only shows what comes back. Adapters are applied hot by
the engine at the next answer: the box hands the list to whoever asks (``active_adapters()``) and
says when it changes (``adapters_changed``). The rows and the saved list are ``gui/adapter_list.py``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import (
    SHIPPED_ADAPTER_STRENGTH,
    AdapterInfo,
    AdapterSpec,
    default_strength,
    shipped_adapter_path,
)
from ragtune.errors import AdapterMismatch
from ragtune.gui.adapter_list import (
    AdapterRow,
    SavedAdapter,
    load_saved,
    load_seen,
    save_list,
    save_seen,
    server_note,
)
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon, muted
from ragtune.gui.tasks import Job

GGUF_FILTER = "GGUF files (*.gguf);;All files (*)"


#: the shipped adapter's strength, as measured (``core.answer_types.SHIPPED_ADAPTER_STRENGTH``)
SHIPPED_PERCENT = round(SHIPPED_ADAPTER_STRENGTH * 100)


class AdapterPanel(QGroupBox):
    """The "Adapters" box of the model panel (see module docstring)."""

    adapters_changed = Signal()
    adapter_added = Signal(str)  # path
    adapter_refused = Signal(str)  # the reason, in plain words

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Adapters", parent)
        self.ctx = ctx
        self.rows: list[AdapterRow] = []
        self._checking: dict[str, tuple[bool, int, bool]] = {}  # path -> (on, percent, keep_misfit)
        self.add_adapter_button = QPushButton(icon("adapter"), "Add adapter…")
        self.add_adapter_button.setToolTip("Add a LoRA adapter (.gguf) made for this model")
        self.add_adapter_button.clicked.connect(self._add_adapter_dialog)
        self.empty_label = muted(QLabel("No adapters. Add a LoRA adapter (.gguf) made for this model."))
        self.empty_label.setWordWrap(True)
        self.server_label = QLabel()
        self.server_label.setWordWrap(True)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.server_label)
        layout.addLayout(self.rows_layout)
        layout.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_adapter_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def show_engine(self) -> None:
        """Say plainly when adapters depend on a model server rather than local files."""
        note = server_note(self.ctx.svc.settings)
        self.server_label.setText(note)
        self.server_label.setVisible(bool(note))
        self.add_adapter_button.setText("Add adapter (server must have it)…" if note else "Add adapter…")

    def active_adapters(self) -> list[AdapterSpec]:
        """The adapters switched on with a strength above 0, in the order they were added."""
        for row in self.rows:
            row.flush()
        return [row.spec() for row in self.rows if row.enabled and row.percent > 0 and not row.misfit]

    def adapter_paths(self) -> list[str]:
        return [row.path for row in self.rows]

    def _add_adapter_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a LoRA adapter", "", GGUF_FILTER)
        if path:
            self.add_adapter_file(path)

    def add_adapter_file(
        self, path: str, enabled: bool = True, percent: int = 100, keep_misfit: bool = False
    ) -> Job | None:
        """Check an adapter against the current model (model lane); a valid one gets a row, a wrong
        one is refused with the reason in plain words (or, with ``keep_misfit``, for an adapter the
        list had before, listed as not applicable to this model)."""
        path = str(Path(path).expanduser().absolute())
        if path in self.adapter_paths() or path in self._checking:
            self.ctx.messages.notice(f"Adapter {Path(path).name} is already in the list.")
            return None
        self._checking[path] = (enabled, percent, keep_misfit)
        svc = self.ctx.svc

        def work(_job: Job) -> tuple[str, AdapterInfo | Exception]:
            try:
                return path, svc.models.check_adapter(path)
            except Exception as exc:  # AdapterError in plain words; reported with the path
                return path, exc

        # bound-method callbacks: nothing arrives once the panel is gone
        return self.ctx.model_lane.submit(work, on_result=self._adapter_checked, name="check adapter")

    def _adapter_checked(self, value: tuple[str, AdapterInfo | Exception]) -> None:
        path, outcome = value
        enabled, percent, keep_misfit = self._checking.pop(path, (True, 100, False))
        if isinstance(outcome, Exception) and not (keep_misfit and isinstance(outcome, AdapterMismatch)):
            self.ctx.messages.error(outcome, f"Adapter {Path(path).name} refused")
            self.adapter_refused.emit(str(outcome))
            return
        if path in self.adapter_paths():
            return
        row = AdapterRow(path, enabled, percent)
        if isinstance(outcome, Exception):
            row.set_misfit(str(outcome))
        else:
            info = outcome
            row.setToolTip(f"{path}\n{info.architecture} · alpha {info.alpha:g} · {info.tensors} tensors")
        row.changed.connect(self._rows_changed)
        row.remove_requested.connect(self.remove_adapter)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        self.ctx.messages.notice(
            f"Adapter {row.name} added; it applies to the next answer." if enabled
            else f"Adapter {row.name} added, switched off: switch it on (Model & adapters) to use it.")
        self._rows_changed()
        self.adapter_added.emit(path)

    def set_strength(self, file_name: str, percent: int) -> bool:
        """Move the listed adapter ``file_name``'s strength to ``percent`` (its bench chose it);
        whether it is listed."""
        for row in self.rows:
            if Path(row.path).name == file_name:
                if row.slider.value() != percent:
                    row.slider.setValue(percent)
                return True
        return False

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

    def restore(self) -> None:
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
            self.add_adapter_file(item.path, item.enabled, item.percent, keep_misfit=True)

    def mark_seen(self, path: str) -> None:
        """``path`` was offered (an adapter trained in the window): once removed, it stays out."""
        save_seen(self.ctx.settings, load_seen(self.ctx.settings) | {path})

    def discover(self) -> None:
        """Offer, once each, the adapters shipped with Ragtune and those trained here (``ragtune
        train``) that the list has never shown: added switched off, so answers stay as they were
        until the person turns one on (a shipped one at the strength it was measured best at). One
        removed from the list is not offered again."""
        seen = load_seen(self.ctx.settings)
        known = [str(p) for p in self.ctx.svc.finetune.adapters()]
        new = [p for p in known if p not in seen and p not in self.adapter_paths()]
        if not new:
            return
        save_seen(self.ctx.settings, seen | set(new))
        for path in new:
            self.add_adapter_file(path, enabled=False, percent=round(default_strength(path) * 100))

    def shipped_path(self) -> str:
        return str(shipped_adapter_path())

    def shipped_on(self) -> bool:
        """Whether the shipped cite-and-decline adapter applies to the next answers."""
        return any(spec.path == self.shipped_path() for spec in self.active_adapters())

    def turn_on_shipped(self) -> Job | None:
        """Switch the shipped adapter on at its measured strength: its row when listed, else it is
        added (checked against the model first, like any adapter)."""
        path = self.shipped_path()
        for row in self.rows:
            if row.path == path:
                row.slider.setValue(SHIPPED_PERCENT)
                row.toggle.setChecked(True)
                row.flush()
                self.ctx.messages.notice(f"Adapter {row.name} switched on; it applies to the next answer.")
                return None
        if path in self._checking:  # being checked (offered at start): listed switched on when it fits
            self._checking[path] = (True, SHIPPED_PERCENT, self._checking[path][2])
            return None
        self.mark_seen(path)
        return self.add_adapter_file(path, enabled=True, percent=SHIPPED_PERCENT)

    def recheck(self) -> None:
        """After a model switch: mark the adapters made for another model as not applicable (kept,
        with their settings, for when that model is back), and those that fit again as usable."""
        svc = self.ctx.svc
        files = self.adapter_paths()
        if not files:
            return

        def work(_job: Job) -> dict[str, str]:
            misfits: dict[str, str] = {}
            for path in files:
                try:
                    svc.models.check_adapter(path)
                except Exception as exc:  # AdapterError, or a file that vanished meanwhile
                    misfits[path] = str(exc)
            return misfits

        self.ctx.model_lane.submit(work, on_result=self._mark_misfits, name="recheck adapters")

    def _mark_misfits(self, misfits: dict[str, str]) -> None:
        for row in self.rows:
            reason = misfits.get(row.path, "")
            if reason and not row.misfit:
                self.ctx.messages.notice(
                    f"Adapter {row.name} does not apply to this model; it stays listed, unused, "
                    "until you switch back to its model."
                )
            row.set_misfit(reason)
        self._rows_changed()
