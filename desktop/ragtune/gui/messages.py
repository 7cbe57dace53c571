"""The one place that turns errors and notices into status-bar messages or dialogs, and logs them.

Errors Ragtune expects (``RagtuneError``: a bad file, a wrong adapter, a missing library...) go to
the status bar in plain words (a damaged library database, which stops everything, in a dialog);
unexpected exceptions open a dialog that names the log file, so a failure is never silent. Confirmation questions also go through here, so tests can answer them.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from ragtune import paths
from ragtune.errors import Cancelled, DatabaseDamaged, RagtuneError

log = logging.getLogger(__name__)

NOTICE_MS = 8000
ERROR_MS = 15000

class Messages(QObject):
    """Status-bar notices, error reporting and dialogs for one window."""

    shown = Signal(str)  # every message shown (status bar or dialog), for tests and accessibility

    def __init__(self, status_bar: QStatusBar, parent: QWidget) -> None:
        super().__init__(parent)
        self.status_bar = status_bar
        self.parent_widget = parent
        self.last_message = ""
        self.dialogs: list[QMessageBox] = []
        #: set by tests: answer for confirm() without showing a dialog
        self.auto_confirm: bool | None = None

    def notice(self, text: str, timeout_ms: int = NOTICE_MS) -> None:
        """A short message in the status bar."""
        log.info("notice: %s", text)
        self.last_message = text
        self.status_bar.showMessage(text, timeout_ms)
        self.shown.emit(text)

    def error(self, exc: BaseException, context: str = "") -> None:
        """Report an error: expected ones in the status bar, unexpected ones in a dialog."""
        if isinstance(exc, Cancelled):
            self.notice(f"{context}: cancelled." if context else "Cancelled.")
            return
        if isinstance(exc, DatabaseDamaged):  # nothing works until it is moved aside: a dialog
            log.error("%s", exc)
            self.dialog("The library database is damaged", str(exc))
            return
        if isinstance(exc, RagtuneError):
            text = f"{context}: {exc}" if context else str(exc)
            log.warning("%s", text)
            self.last_message = text
            self.status_bar.showMessage(text, ERROR_MS)
            self.shown.emit(text)
            return
        self.unexpected(exc, context)

    def unexpected(self, exc: BaseException, context: str = "") -> None:
        """A bug: log the traceback and open a dialog naming the log file."""
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("Unexpected error%s:\n%s", f" ({context})" if context else "", tb)
        what = f"{context}: " if context else ""
        self.dialog(
            "Something went wrong",
            f"{what}{type(exc).__name__}: {exc}\n\nRagtune keeps running. The details are in the "
            f"log file:\n{paths.log_path()}",
            detail=tb,
        )

    def dialog(self, title: str, text: str, detail: str = "", warning: bool = True) -> QMessageBox:
        """A non-blocking message box (the window keeps working behind it)."""
        box = QMessageBox(self.parent_widget)
        box.setIcon(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information)
        box.setWindowTitle(title)
        box.setText(text)
        if detail:
            box.setDetailedText(detail)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.finished.connect(lambda _=0, b=box: self._closed(b))
        self.dialogs.append(box)
        self.last_message = text
        box.open()
        self.shown.emit(text)
        return box

    def _closed(self, box: QMessageBox) -> None:
        if box in self.dialogs:
            self.dialogs.remove(box)
        box.deleteLater()

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (blocking); tests set ``auto_confirm`` instead."""
        if self.auto_confirm is not None:
            log.info("confirm (auto %s): %s", self.auto_confirm, text)
            return self.auto_confirm
        answer = QMessageBox.question(
            self.parent_widget,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
