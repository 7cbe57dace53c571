"""A self-check of the first start, seen from outside: with ``RAGTUNE_SELF_CHECK=/path/report.json``
the window, once the first start has indexed the sample library, asks the first suggested question
through the window (its suggestion button, as a user would), writes a JSON report (window shown,
documents indexed, the languages of their text, the answer and its citations, seconds from process
start to each step) and a
picture of the window next to it, then quits (exit code 0 when every step worked, 1 when one failed,
2 on its own time limit, ``RAGTUNE_SELF_CHECK_TIMEOUT`` seconds, 1800 by default).
``RAGTUNE_SELF_CHECK_LINGER`` keeps the window open that many seconds after the report (so a
screenshot of the whole screen can be taken). ``packaging/check_bundle.py`` uses it on the bundled app.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ragtune import __version__
from ragtune.core.answer_types import Answer
from ragtune.core.library_names import SAMPLE_LIBRARY
from ragtune.core.types import IndexReport
from ragtune.gui.chat_input import suggested_questions
from ragtune.gui.first_start import FirstStart
from ragtune.gui.main_window import MainWindow

log = logging.getLogger(__name__)

ENV = "RAGTUNE_SELF_CHECK"
TIMEOUT_ENV = "RAGTUNE_SELF_CHECK_TIMEOUT"
LINGER_ENV = "RAGTUNE_SELF_CHECK_LINGER"
_IMPORTED_AT = time.time()


def process_start_time() -> float:
    """When this process started (epoch seconds): from /proc on Linux, else when this module was
    first imported (a little later than the real start)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, starttime in clock ticks
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return _IMPORTED_AT


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


class SelfCheck(QObject):
    """Watches one first start and reports it to ``report_path``; ``finished(ok)`` fires when the
    report is written. ``quit`` ends the application (tests pass their own)."""

    finished = Signal(bool)

    def __init__(
        self,
        window: MainWindow,
        first_start: FirstStart,
        report_path: Path,
        quit: Callable[[int], None] | None = None,
        timeout_s: float = 1800.0,
        linger_s: float = 0.0,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.path = report_path
        self.quit = quit or QApplication.exit
        self.linger_s = linger_s
        self.started = process_start_time()
        self.report: dict[str, object] = {
            "version": __version__,
            "frozen": bool(getattr(sys, "frozen", False)),
            "process_start": self.started,
            "window_shown": False,
            "errors": [],
        }
        self._done = False
        self._tries = 0
        first_start.models_ready.connect(lambda: self._mark("models_ready"))
        first_start.done.connect(self._first_start_done)
        window.indexer.finished.connect(self._indexed)
        window.chat_view.answer_finished.connect(self._answered)
        QTimer.singleShot(0, self._window_shown)  # the first event loop turn: the window is up
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._timed_out)
        self._deadline.start(int(timeout_s * 1000))

    def _mark(self, step: str) -> None:
        self.report[f"seconds_to_{step}"] = round(time.time() - self.started, 2)

    def _error(self, text: str) -> None:
        errors = self.report["errors"]
        assert isinstance(errors, list)
        errors.append(text)

    def _window_shown(self) -> None:
        self.report["window_shown"] = self.window.isVisible()
        self.report["window_title"] = self.window.windowTitle()
        self._mark("window")

    def _first_start_done(self) -> None:
        # a later start has a library already: nothing to index, ask in the open chat
        if not self.window.indexer.busy() and "seconds_to_indexed" not in self.report:
            self.report["indexed_now"] = False
            self._ask()

    def _indexed(self, library: str, report: IndexReport | None) -> None:
        if library != SAMPLE_LIBRARY or "seconds_to_indexed" in self.report:
            return
        self._mark("indexed")
        self.report["indexed_now"] = True
        if report is None:
            self._error("indexing the sample library failed")
            self._finish()
            return
        self.report["documents_indexed"] = report.added + report.updated + report.unchanged
        self.report["chunks_written"] = report.chunks_written
        self.report["failed_files"] = [f"{f.path}: {f.reason}" for f in report.failed]
        try:  # the language detector's model is a data file the bundle must carry
            self.report["sample_languages"] = self.window.ctx.svc.library.embedders.languages(library).describe()
        except Exception as exc:  # reported, not raised: the check goes on to the answer
            self._error(f"the languages of the sample library could not be named: {exc}")
        self._ask()

    def _ask(self) -> None:
        """Click the first suggested question once the sample chat shows its suggestions."""
        if self._done:
            return
        buttons = [b for b in self.window.chat_view.suggestions.buttons if b.isVisible()]
        if buttons:
            self.report["question"] = buttons[0].text()
            self.report["asked_by"] = "suggestion button"
            self._mark("asked")
            buttons[0].click()
            return
        self._tries += 1
        if self._tries < 40:
            QTimer.singleShot(250, self._ask)
            return
        questions = suggested_questions()
        if not questions:
            self._error("no suggested question to ask")
            self._finish()
            return
        self.report["question"] = questions[0]
        self.report["asked_by"] = "chat view (no suggestion button was shown)"
        self._mark("asked")
        if self.window.chat_view.ask(questions[0]) is None:
            self._error("the chat view did not accept the question")
            self._finish()

    def _answered(self, answer: Answer | None) -> None:
        if self._done or "question" not in self.report:
            return
        self._mark("answered")
        if answer is None:
            self._error("the answer failed")
        else:
            self.report["answer"] = answer.text
            self.report["declined"] = answer.declined
            self.report["citations"] = [
                {"n": c.n, "file": Path(c.path).name, "page": c.page} for c in answer.citations
            ]
            self.report["model"] = answer.model
            self.report["answer_timings"] = asdict(answer.timings)
        self._finish()

    def _timed_out(self) -> None:
        self._error("the self-check ran out of time")
        self._finish(code=2)

    def _finish(self, code: int | None = None) -> None:
        if self._done:
            return
        self._done = True
        self._deadline.stop()
        errors = self.report["errors"]
        ok = not errors and "answer" in self.report
        self.report["ok"] = ok
        self.path.parent.mkdir(parents=True, exist_ok=True)
        picture = self.path.with_suffix(".png")
        if self.window.grab().save(str(picture)):  # a picture is a bonus; the report matters
            self.report["window_picture"] = str(picture)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(self.report, indent=1), encoding="utf-8")
        os.replace(partial, self.path)  # whoever polls for the report never reads half of it
        log.info("self-check report written to %s (ok=%s)", self.path, ok)
        self.finished.emit(ok)
        exit_code = code if code is not None else (0 if ok else 1)
        QTimer.singleShot(int(self.linger_s * 1000), lambda: self.quit(exit_code))


def install_from_env(window: MainWindow, first_start: FirstStart) -> SelfCheck | None:
    """A ``SelfCheck`` when ``RAGTUNE_SELF_CHECK`` names a report file; None otherwise."""
    target = os.environ.get(ENV, "").strip()
    if not target:
        return None
    return SelfCheck(
        window,
        first_start,
        Path(target).expanduser(),
        timeout_s=_env_float(TIMEOUT_ENV, 1800.0),
        linger_s=_env_float(LINGER_ENV, 0.0),
    )
