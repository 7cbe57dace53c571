"""The Fine-tune tab's training controls, widgets only: the adapter's name, epochs, rank, learning
rate and time budget (defaults from ``TrainOptions``), Train (Ctrl+Shift+T) and Cancel, a progress
bar and one line of status (step, loss, tokens/s, time left). The tab starts and stops the work.
``decline_share_box`` is the training set's share of declines, in percent (default: the core's)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.finetune import train_types
from ragtune.core.finetune import types as set_types
from ragtune.core.finetune.train_types import TrainOptions
from ragtune.gui.look import icon, key_text, muted
from ragtune.gui.message_parts import wrapping

TRAIN_KEY = "Ctrl+Shift+T"


def decline_share_box() -> QDoubleSpinBox:
    """The share of examples whose source is left out, in whole percent, at the core's default."""
    box = QDoubleSpinBox()
    box.setRange(0, 100)
    box.setDecimals(0)
    box.setSuffix(" %")
    box.setValue(round(set_types.DEFAULT_DECLINE_SHARE * 100))
    box.setToolTip("Share of examples whose source is left out: they teach the model to decline")
    return box


def share_of(box: QDoubleSpinBox) -> float:
    """The box's percent as the share ``svc.finetune.training_set`` takes (0 to 1)."""
    return box.value() / 100.0


class TrainOptionsBox(QWidget):
    """See the module docstring. ``train_requested`` and ``cancel_requested`` are for the tab."""

    train_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        defaults = TrainOptions()
        self.name = QLineEdit()
        self.name.setPlaceholderText("adapter name, e.g. contracts-cite")
        self.name.setToolTip("The adapter's file name in the adapters folder (NAME.gguf)")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 50)
        self.epochs.setValue(defaults.epochs)
        self.rank = QSpinBox()
        self.rank.setRange(1, 128)
        self.rank.setValue(defaults.rank)
        self.rank.setToolTip(f"LoRA rank: larger learns more and makes a larger file ({train_types.alpha_text()})")
        self.learning_rate = QDoubleSpinBox()
        self.learning_rate.setDecimals(5)
        self.learning_rate.setRange(0.00001, 0.1)
        self.learning_rate.setSingleStep(0.0001)
        self.learning_rate.setValue(defaults.learning_rate)
        self.max_minutes = QSpinBox()
        self.max_minutes.setRange(0, 24 * 60)
        self.max_minutes.setSpecialValueText("no limit")
        self.max_minutes.setSuffix(" min")
        self.max_minutes.setToolTip("Stop after this long with an adapter of what was trained so far")
        form = QGridLayout()  # two fields a row: the tab stays usable at the window's smallest size
        form.addWidget(QLabel("Adapter name"), 0, 0)
        form.addWidget(self.name, 0, 1, 1, 3)
        for i, (label, field) in enumerate((("Epochs", self.epochs), ("Rank", self.rank),
                                            ("Learning rate", self.learning_rate),
                                            ("Time budget", self.max_minutes))):
            form.addWidget(QLabel(label), 1 + i // 2, 2 * (i % 2))
            form.addWidget(field, 1 + i // 2, 2 * (i % 2) + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        self.train_button = QPushButton(icon("adapter"), "Train")
        self.train_button.setShortcut(QKeySequence(TRAIN_KEY))
        self.train_button.setToolTip(
            f"Train the adapter on the examples above in a background process ({key_text(TRAIN_KEY)}); the chat "
            "keeps working. Then it is judged on the question set's test split."
        )
        self.train_button.clicked.connect(self.train_requested.emit)
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setToolTip("Stop at the next step with a checkpoint; Train with the same "
                                      "settings resumes from it")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.train_button)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = wrapping(muted(QLabel()))
        self.status.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    def options(self) -> TrainOptions:
        """The options as set (TrainError when they do not make sense)."""
        minutes = self.max_minutes.value()
        return TrainOptions(epochs=self.epochs.value(), rank=self.rank.value(),
                            learning_rate=self.learning_rate.value(), max_minutes=float(minutes) or None)

    def set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, 0)  # busy until the first step is timed

    def show_step(self, step: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(step)

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
