"""Background lanes: worker threads that run callables in order and report back by queued signals.

The window uses five lanes (docs/architecture.md, "Threads"; ``gui/context.py`` holds them):

- the index lane, one worker, the only writer of library data (``svc.library.index``, ``svc.library.remove``...);
- the model lane, one worker that owns every call touching the llama.cpp model (``load_model``,
  ``ask``, ``compare``, ``check_adapter``), because a llama.cpp context is not thread-safe;
- the read lane, two workers for reads and small writes (documents, stats, chats, page text,
  PDF rendering), so a slow query never freezes the window;
- the download lane, one worker for model downloads (network and disk only), so chat and indexing
  go on meanwhile;
- the train lane, one worker that waits on a training child process, so the model lane stays free
  for the chat.

A submitted callable gets its :class:`Job`, whose ``cancel`` event it checks and whose
``report(payload)`` sends progress to the UI thread. The job's signals live in the UI thread, so
every callback runs there (queued connections); nothing long ever runs on the UI thread.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal

from ragtune.errors import Cancelled

log = logging.getLogger(__name__)

_QUEUED = Qt.ConnectionType.QueuedConnection
_ids = itertools.count(1)


class Job(QObject):
    """One unit of background work. Signals are emitted from the worker, delivered in the UI thread."""

    progress = Signal(object)
    result = Signal(object)
    error = Signal(object)
    finished = Signal()

    def __init__(self, fn: Callable[[Job], Any], name: str) -> None:
        super().__init__()
        self.fn = fn
        self.name = name
        self.id = next(_ids)
        self.cancel = threading.Event()
        self.done = False

    def report(self, payload: object) -> None:
        """Send progress to the UI thread (call from the job's function)."""
        self.progress.emit(payload)

    def cancelled(self) -> bool:
        return self.cancel.is_set()


class _Worker(QThread):
    """Takes jobs from the lane's queue and runs them one after the other."""

    def __init__(self, lane: Lane, index: int) -> None:
        super().__init__()
        self.lane = lane
        self.setObjectName(f"ragtune-{lane.name}-{index}")
        self.current: Job | None = None

    def run(self) -> None:
        while True:
            job = self.lane._queue.get()
            if job is None:
                return
            self.current = job
            try:
                if job.cancel.is_set():
                    raise Cancelled()
                value = job.fn(job)
            except BaseException as exc:  # reported to the UI thread, never lost
                if not isinstance(exc, Cancelled):
                    log.info("%s job %r failed: %r", self.lane.name, job.name, exc, exc_info=exc)
                job.error.emit(exc)
            else:
                job.result.emit(value)
            finally:
                self.current = None
                job.finished.emit()


class Lane(QObject):
    """A queue of jobs served by ``workers`` threads (1 = strictly in order)."""

    def __init__(self, name: str, workers: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: dict[int, Job] = {}
        self._workers = [_Worker(self, i) for i in range(workers)]
        for worker in self._workers:
            worker.start()
        self._closed = False

    def submit(
        self,
        fn: Callable[[Job], Any],
        *,
        on_result: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        name: str = "",
    ) -> Job:
        """Queue ``fn(job)``; the callbacks run in the UI thread."""
        job = Job(fn, name or getattr(fn, "__name__", "job"))
        if on_result is not None:
            job.result.connect(on_result, _QUEUED)
        if on_error is not None:
            job.error.connect(on_error, _QUEUED)
        if on_progress is not None:
            job.progress.connect(on_progress, _QUEUED)
        if on_finished is not None:
            job.finished.connect(on_finished, _QUEUED)
        job.finished.connect(lambda j=job: self._finished(j), _QUEUED)
        if self._closed:
            log.info("%s lane closed; dropping job %r", self.name, job.name)
            return job
        self._jobs[job.id] = job
        self._queue.put(job)
        return job

    def _finished(self, job: Job) -> None:
        job.done = True
        self._jobs.pop(job.id, None)

    def busy(self) -> bool:
        """True while a job is queued or running (as seen from the UI thread)."""
        return bool(self._jobs)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def running(self) -> list[Job]:
        return [w.current for w in self._workers if w.current is not None]

    def cancel_current(self) -> bool:
        """Cancel the running job(s); True if there was one."""
        running = self.running()
        for job in running:
            job.cancel.set()
        return bool(running)

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel.set()

    def shutdown(self, wait_ms: int = 15000) -> bool:
        """Cancel everything, stop the workers and wait for them; True if they all stopped."""
        self._closed = True
        self.cancel_all()
        for _ in self._workers:
            self._queue.put(None)
        stopped = True
        for worker in self._workers:
            if not worker.wait(wait_ms):
                log.warning("%s lane worker did not stop within %d ms", self.name, wait_ms)
                stopped = False
        return stopped
