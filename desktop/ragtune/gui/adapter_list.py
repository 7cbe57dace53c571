"""The adapters part of the model panel: one row per LoRA adapter (on/off, strength, remove), and
the list saved in the UI settings so it comes back at the next start.

Rows only hold what the user chose; validation happens on the model lane (``svc.models.check_adapter``)
before a row is added, and the engine applies the set hot at the next answer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import (
    ADAPTER_STRENGTH_MAX,
    ADAPTER_STRENGTH_MIN,
    AdapterSpec,
    check_strength,
)
from ragtune.core.engine_profile import EngineKind
from ragtune.gui.look import muted
from ragtune.settings import Settings

log = logging.getLogger(__name__)

SETTINGS_KEY = "adapters/list"
#: adapter files the list has offered once (shipped or trained here): never offered again
SEEN_KEY = "adapters/seen"
# the slider is in percent and covers exactly the strengths the core accepts (0..200 % = 0.0..2.0)
SLIDER_MIN = round(ADAPTER_STRENGTH_MIN * 100)
SLIDER_MAX = round(ADAPTER_STRENGTH_MAX * 100)
DEBOUNCE_MS = 250


SERVER_NOTE = (
    "Answers come from a model server ({url}). Adapters apply only if that server supports them: "
    "a llama-server started with these adapters loaded (--lora), matched by file name. Other "
    "servers refuse them; switch to the built-in model in Settings to use a local adapter file."
)


def server_note(settings: Settings) -> str:
    """What the adapters box says when the engine is a server; "" for the built-in model."""
    if settings.engine == EngineKind.LOCAL:
        return ""
    return SERVER_NOTE.format(url=settings.engine_url or "no address set")


@dataclass(frozen=True)
class SavedAdapter:
    """One adapter as the UI settings keep it."""

    path: str
    enabled: bool = True
    percent: int = 100


def load_saved(settings: QSettings) -> list[SavedAdapter]:
    """The saved adapter list; an unreadable entry is skipped (and logged), never fatal."""
    raw = settings.value(SETTINGS_KEY, "")
    if not raw:
        return []
    try:
        items = json.loads(str(raw))
    except ValueError as exc:
        log.warning("ignoring unreadable saved adapter list: %s", exc)
        return []
    saved: list[SavedAdapter] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            continue
        percent = item.get("percent", 100)
        saved.append(
            SavedAdapter(
                path=item["path"],
                enabled=bool(item.get("enabled", True)),
                percent=max(SLIDER_MIN, min(SLIDER_MAX, int(percent))) if isinstance(percent, int) else 100,
            )
        )
    return saved


def save_list(settings: QSettings, adapters: list[SavedAdapter]) -> None:
    value = [{"path": a.path, "enabled": a.enabled, "percent": a.percent} for a in adapters]
    settings.setValue(SETTINGS_KEY, json.dumps(value))
    settings.sync()


def load_seen(settings: QSettings) -> set[str]:
    try:
        items = json.loads(str(settings.value(SEEN_KEY, "") or "[]"))
    except ValueError:
        return set()
    return {str(i) for i in items} if isinstance(items, list) else set()


def save_seen(settings: QSettings, seen: set[str]) -> None:
    settings.setValue(SEEN_KEY, json.dumps(sorted(seen)))
    settings.sync()


class AdapterRow(QWidget):
    """One adapter: its name, an on/off switch, a strength slider and a remove button."""

    changed = Signal()  # on/off at once; the slider after it rests for DEBOUNCE_MS
    remove_requested = Signal(object)  # this row

    def __init__(
        self, path: str, enabled: bool = True, percent: int = 100, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.name = Path(path).stem
        self.toggle = QCheckBox(self.name)
        self.toggle.setChecked(enabled)
        self.toggle.setToolTip(f"{path}\nApply this adapter to the next answers")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(SLIDER_MIN, SLIDER_MAX)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(25)
        self.slider.setValue(percent)
        self.slider.setToolTip("Strength: 100 % applies the adapter as it was trained")
        self.value_label = muted(QLabel())
        self.value_label.setMinimumWidth(42)
        #: why the adapter does not apply to the current model ("" when it does)
        self.misfit = ""
        self.misfit_label = muted(QLabel())
        self.misfit_label.setWordWrap(True)
        self.misfit_label.setVisible(False)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(f"Remove {self.name}")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed.emit)
        self.toggle.toggled.connect(self._toggled)
        self.slider.valueChanged.connect(self._slid)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.toggle, 1)
        top.addWidget(self.remove_button)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(18, 0, 0, 0)
        bottom.addWidget(self.slider, 1)
        bottom.addWidget(self.value_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.misfit_label)
        self._show_value()

    # -- state ----------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.toggle.isChecked()

    @property
    def percent(self) -> int:
        return self.slider.value()

    @property
    def scale(self) -> float:
        return self.slider.value() / 100.0

    def spec(self) -> AdapterSpec:
        """What the engine gets; the strength passes the core's check like the CLI's."""
        return AdapterSpec(self.path, check_strength(self.scale, self.name))

    def saved(self) -> SavedAdapter:
        return SavedAdapter(self.path, self.enabled, self.percent)

    def flush(self) -> None:
        """Emit a pending debounced change now (tests, and before an answer starts)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    # -- slots ----------------------------------------------------------------------------------
    def _toggled(self, _on: bool) -> None:
        self._show_value()
        self._debounce.stop()
        self.changed.emit()

    def _slid(self, _value: int) -> None:
        self._show_value()
        self._debounce.start()

    def set_misfit(self, reason: str) -> None:
        """Mark the adapter as not applicable to the current model (``reason``), or applicable
        again (""): a misfit stays listed with its settings but is never applied."""
        self.misfit = reason
        self.toggle.setEnabled(not reason)
        self.misfit_label.setText(f"Not applicable to the current model: {reason}" if reason else "")
        self.misfit_label.setVisible(bool(reason))
        self._show_value()

    def _show_value(self) -> None:
        self.slider.setEnabled(self.enabled and not self.misfit)
        self.value_label.setText(f"{self.percent} %")
