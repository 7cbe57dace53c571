"""The banner the Fine-tune tab shows when the training extra (``ragtune[train]``: torch,
transformers, peft, accelerate) is not installed: what is missing, how large it is, the command, and
Install…, which runs pip in a ``QProcess`` (the window stays responsive) with its last output line
as progress. When pip succeeds the banner goes away; training needs no restart (it runs in a new
child process). In the bundled app (PyInstaller, ``sys.frozen``) pip cannot add packages, so the
banner says to train from a pip install of Ragtune instead and offers no Install button."""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import sys

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ragtune.core import command_line
from ragtune.core.finetune.train_types import (
    TRAIN_EXTRA_PACKAGES,
    TRAIN_EXTRA_SIZE,
    train_extra_missing,
)
from ragtune.gui.message_parts import wrapping


def extra_requirements() -> list[str]:
    """The ``train`` extra's requirements as pip takes them (``torch>=2.4``...), read from the
    installed package's metadata; the bare names when the metadata is not there."""
    try:
        requires = importlib.metadata.requires("ragtune") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    found = [r.split(";")[0].strip() for r in requires if re.search(r"extra\s*==\s*['\"]train['\"]", r)]
    return found or list(TRAIN_EXTRA_PACKAGES)


FROZEN_NOTE = (
    "Training adapters is not part of the bundled app: it needs torch, transformers, peft and "
    "accelerate (about 3 GB), which a bundle cannot install. Train from a pip install of Ragtune "
    '(pip install "ragtune[train]", then ragtune train or this tab there); the adapter it makes '
    "loads here too (drop the .gguf on the window)."
)


def frozen() -> bool:
    """True in the bundled app (PyInstaller sets ``sys.frozen``)."""
    return bool(getattr(sys, "frozen", False))


def install_command() -> list[str]:
    """``python -m pip install torch>=2.4 ...`` for the Python that runs Ragtune."""
    return [sys.executable, "-m", "pip", "install", *extra_requirements()]


class InstallBanner(QWidget):
    """See the module docstring. ``installed`` fires when pip succeeded and the packages import."""

    installed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.process: QProcess | None = None
        self.command = install_command()
        self.text = wrapping(QLabel())
        self.install_button = QPushButton("Install…")
        self.install_button.setToolTip(command_line.join(self.command))
        self.install_button.clicked.connect(self.install)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.output = wrapping(QLabel())
        self.output.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.install_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.output)
        self.refresh()

    def refresh(self) -> bool:
        """Show the banner when the extra is missing; True when it is installed."""
        importlib.invalidate_caches()
        missing = train_extra_missing()
        self.install_button.setVisible(not frozen())
        self.text.setText(FROZEN_NOTE if missing and frozen() else missing or "")
        self.setVisible(missing is not None)
        return missing is None

    def install(self) -> None:
        if self.process is not None or frozen():
            return
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._output)
        self.process.finished.connect(self._finished)
        self.install_button.setEnabled(False)
        self.progress.setVisible(True)
        self.output.setVisible(True)
        self.output.setText(f"Installing ({TRAIN_EXTRA_SIZE})…")
        self.process.start(self.command[0], self.command[1:])

    def _output(self) -> None:
        if self.process is None:
            return
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            self.output.setText(lines[-1][:200])

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self.process = None
        self.progress.setVisible(False)
        self.install_button.setEnabled(True)
        if code == 0 and self.refresh():
            self.output.setText("Installed: you can train now.")
            self.installed.emit()
        else:
            close_first = (" with Ragtune closed (Windows cannot replace files a running program has loaded)"
                           if command_line.on_windows() else "")
            self.output.setText(f"The install failed (pip exit code {code}); the last line above says why. "
                                f"You can also run it yourself{close_first}: {command_line.join(self.command)}")
