"""Indexing from the window: jobs on the index lane and their progress.

``svc.library.index`` reports what it does as ``Progress``: the files it will read (``Stage.PLANNED``, by
the indexer's own rules), then files done, chunks and the time left; the window shows each waiting
file as "queued" and the one in work as "indexing".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ragtune.core.types import IndexReport, Progress, Stage
from ragtune.gui.context import AppContext
from ragtune.gui.tasks import Job


class IndexController(QObject):
    """Starts indexing on the index lane and tells the window how it goes."""

    started = Signal(str)  # library
    planned = Signal(str, object)  # library, list[str] of files waiting
    progress = Signal(str, object)  # library, Progress
    finished = Signal(str, object)  # library, IndexReport | None (failed or cancelled early)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._queued_rescans: set[str] = set()
        self.current: str | None = None
        self.last_report: IndexReport | None = None

    def busy(self) -> bool:
        return self.ctx.index_lane.busy()

    def index(self, library: str, paths: Sequence[str | Path] = (), force: bool = False) -> Job | None:
        """Add ``paths`` to ``library`` (created if needed) and bring it up to date. A re-scan of a
        library that already has one waiting is merged into it."""
        extra = [str(p) for p in paths]
        if not extra and not force:
            if library in self._queued_rescans:
                return None
            self._queued_rescans.add(library)

        def run(job: Job) -> IndexReport:
            self._queued_rescans.discard(library)
            return self.ctx.svc.library.index(
                library,
                extra,
                progress=job.report,
                cancel=job.cancel,
                force=force,
            )

        return self.ctx.index_lane.submit(
            run,
            name=f"index {library}",
            on_progress=lambda event: self._on_progress(library, event),
            on_result=lambda report: self._on_done(library, report),
            on_error=lambda exc: self._on_error(library, exc),
        )

    def cancel(self) -> bool:
        """Cancel the running indexing job and any waiting ones."""
        self.ctx.index_lane.cancel_all()
        return True

    def _on_progress(self, library: str, p: Progress) -> None:
        if self.current != library:  # the run's first report
            self.current = library
            self.started.emit(library)
        if p.stage == Stage.PLANNED:
            self.planned.emit(library, list(p.planned))
        elif p.stage == Stage.WAITING:
            # another window or command indexes this library: a busy bar with its message
            self.progress.emit(library, Progress(Stage.SCANNING, 0, 0, current=p.current))
        else:
            self.progress.emit(library, p)

    def _on_done(self, library: str, report: IndexReport) -> None:
        self.current = None
        self.last_report = report
        self.finished.emit(library, report)
        self.ctx.messages.notice(report.summary())

    def _on_error(self, library: str, exc: BaseException) -> None:
        self.current = None
        self.finished.emit(library, None)
        self.ctx.messages.error(exc, f"Indexing {library}")
