"""Start the GUI: the application object, the service, the window, first-start steps and the
handler that turns an unexpected exception into a dialog instead of a dead window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication

from ragtune import __version__, logging_setup
from ragtune.core.services import Ragtune
from ragtune.errors import RagtuneError
from ragtune.gui.look import icon, stylesheet
from ragtune.gui.messages import Messages

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def make_excepthook(messages: Callable[[], Messages | None]) -> ExceptHook:
    """A ``sys.excepthook`` that logs the error and shows it (with the log path) in a dialog."""

    def hook(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        target = messages()
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if target is None:
            log.error("Unexpected error", exc_info=(kind, exc, tb))
            sys.__excepthook__(kind, exc, tb)
        else:
            target.unexpected(exc)

    return hook


def create_application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["ragtune", *argv])
    app.setApplicationName("Ragtune")
    app.setApplicationDisplayName("Ragtune")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Ragtune")
    app.setDesktopFileName("ragtune")
    app.setWindowIcon(icon("ragtune"))
    app.setStyleSheet(stylesheet())
    return app


def run_gui(argv: list[str]) -> int:
    """Open the window and run the event loop; returns the exit code."""
    logging_setup.configure()
    app = create_application(argv)
    from ragtune.gui.first_start import FirstStart
    from ragtune.gui.main_window import MainWindow

    try:
        svc = Ragtune()
    except RagtuneError as exc:
        log.error("cannot start: %s", exc)
        print(f"ragtune: {exc}", file=sys.stderr)
        if not os.environ.get("RAGTUNE_SELF_CHECK") and app.platformName() != "offscreen":  # no terminal: a window
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Ragtune cannot start", str(exc))
        return 1
    window = MainWindow(svc)
    previous = sys.excepthook
    sys.excepthook = make_excepthook(lambda: window.ctx.messages)
    window.show()
    first_start = FirstStart(window)
    first_start.start()
    from ragtune.gui.self_check import install_from_env

    install_from_env(window, first_start)  # RAGTUNE_SELF_CHECK (packaging/check_bundle.py)
    try:
        return app.exec()
    finally:
        sys.excepthook = previous
        window.close()
        svc.close()
