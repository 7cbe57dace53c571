"""The Evaluate tab's run controls, widgets only: the modes to run (the adapter modes only when
adapters are switched on in the model panel), the split, Run (Ctrl+R) and Cancel, a progress bar
with the answers done and the time left, the past runs of the library and Export run….

The tab (``evaluate_view``) starts and stops the work; this bar only shows it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Split
from ragtune.core.evaluate.run_types import RunInfo
from ragtune.core.types import Progress
from ragtune.gui.eval_work import progress_text, run_title
from ragtune.gui.flow_layout import FlowLayout
from ragtune.gui.look import icon, key_text, muted
from ragtune.gui.message_parts import wrapping

RUN_KEY = "Ctrl+R"
SPLITS: tuple[tuple[str, str], ...] = (
    ("Test split", Split.TEST.value),
    ("Train split", Split.TRAIN.value),
    ("All questions", ""),
)


class RunBar(QWidget):
    """See the module docstring. ``run_requested``, ``cancel_requested``, ``export_requested`` and
    ``past_run_chosen(run_id)`` are for the tab."""

    run_requested = Signal()
    cancel_requested = Signal()
    export_requested = Signal()
    past_run_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_boxes: dict[Mode, QCheckBox] = {}
        modes_box = QWidget()
        modes = FlowLayout(modes_box, spacing=10)
        for mode in Mode:
            box = QCheckBox(mode.label)
            box.setChecked(not mode.uses_adapters)
            self.mode_boxes[mode] = box
            modes.addWidget(box)
        self.split = QComboBox()
        for label, split in SPLITS:
            self.split.addItem(label, split)
        self.split.setToolTip("Verdicts are meant for the test split: nothing from it reaches training data.")
        self.run_button = QPushButton(icon("evaluate"), "Run")
        self.run_button.setShortcut(QKeySequence(RUN_KEY))
        self.run_button.setToolTip(
            f"Answer the chosen split's questions in each chosen mode and judge them ({key_text(RUN_KEY)}). "
            "An interrupted run with the same settings resumes where it stopped."
        )
        self.run_button.clicked.connect(self.run_requested.emit)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setToolTip("Stop after the current answer; Run resumes it later")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.status = wrapping(muted(QLabel()))
        self.status.setVisible(False)
        self.runs = QComboBox()
        self.runs.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.runs.setMinimumContentsLength(16)
        self.runs.setToolTip("Show the results of an earlier run")
        self.runs.activated.connect(self._run_chosen)
        self.export_button = QPushButton("Export run…")
        self.export_button.setToolTip("Save the shown run as an HTML report (with the chart), CSV or JSON")
        self.export_button.clicked.connect(self.export_requested.emit)
        self.export_button.setEnabled(False)
        controls = QHBoxLayout()
        controls.addWidget(self.split)
        controls.addStretch(1)
        controls.addWidget(self.run_button)
        controls.addWidget(self.cancel_button)
        past = QHBoxLayout()
        past.addWidget(self.runs, 1)
        past.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(modes_box)
        layout.addLayout(controls)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(past)

    # -- choices ------------------------------------------------------------------------------
    def modes(self) -> list[Mode]:
        return [m for m, box in self.mode_boxes.items() if box.isChecked() and box.isEnabled()]

    def chosen_split(self) -> Split | None:
        value = str(self.split.currentData() or "")  # a Split held by Qt comes back as its str
        return Split(value) if value else None

    def set_adapters_available(self, available: bool) -> None:
        """Enable the adapter modes only when adapters are switched on in the model panel."""
        for mode, box in self.mode_boxes.items():
            if mode.uses_adapters:
                box.setEnabled(available)
                box.setToolTip(
                    "" if available else "Switch an adapter on in the Model & adapters tab to run this mode."
                )

    # -- running ------------------------------------------------------------------------------
    def set_running(self, running: bool, what: str = "") -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)  # busy until the first report
            self.show_status(what)

    def show_progress(self, p: Progress, what: str = "answers") -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
            self.progress.setFormat(f"{p.done}/{p.total}")
        self.show_status(progress_text(p, what))

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # -- past runs ----------------------------------------------------------------------------
    def set_runs(self, runs: list[RunInfo], current: int | None) -> None:
        self.runs.blockSignals(True)
        self.runs.clear()
        if not runs:
            self.runs.addItem("No runs yet", None)
        for info in runs:
            self.runs.addItem(run_title(info), info.id)
            self.runs.setItemData(self.runs.count() - 1, run_title(info), Qt.ItemDataRole.ToolTipRole)
        index = self.runs.findData(current) if current is not None else -1
        self.runs.setCurrentIndex(max(index, 0))
        self.runs.setEnabled(bool(runs))
        self.runs.blockSignals(False)

    def _run_chosen(self, index: int) -> None:
        run_id = self.runs.itemData(index)
        if isinstance(run_id, int):
            self.past_run_chosen.emit(run_id)
