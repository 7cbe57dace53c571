"""One indexing run per library at a time, across processes (two windows, a window and a command).

Without it, two ``ragtune index docs -l lib`` started together both plan against the same database,
both embed every new chunk and both report them added. The lock is an exclusive OS lock on a small
file next to the database (``library.sqlite3.locks/library-<id>.lock``): ``flock`` on POSIX, one
locked byte on Windows. The OS drops it when its process ends, even on ``kill -9``, so a crash never
leaves a library locked. It belongs to the open file, not the process or thread, so two services in
one process exclude each other too. A second run waits (saying so through ``progress``, and checking
``cancel``), then plans against the now up-to-date database.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ragtune.core.types import Progress, ProgressCallback, Stage
from ragtune.errors import LibraryBusy, StoreError

log = logging.getLogger(__name__)

POLL_S = 0.2


def lock_path(db_path: Path, library_id: int) -> Path:
    return db_path.parent / f"{db_path.name}.locks" / f"library-{library_id}.lock"


def _try_lock(fh: BinaryIO) -> bool:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fh: BinaryIO) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextmanager
def library_lock(
    db_path: Path,
    library_id: int,
    library: str,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    wait: bool = True,
) -> Iterator[bool]:
    """Hold the indexing lock of one library; yields True when held. When another run holds it:
    wait for it (yielding False, without the lock, if ``cancel`` is set meanwhile) or, with
    ``wait=False``, raise :class:`LibraryBusy`."""
    path = lock_path(db_path, library_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = path.open("a+b")
    except OSError as exc:
        raise StoreError(f"Could not create the lock file {path}: {exc}") from exc
    try:
        if not _try_lock(fh):
            if not wait:
                raise LibraryBusy(
                    f"Library {library!r} is being indexed by another Ragtune (a window or a "
                    "command). Try again when it has finished."
                )
            message = f"Waiting for another indexing run on library {library!r} to finish…"
            log.info("%s", message)
            if progress is not None:
                progress(Progress(Stage.WAITING, 0, 0, current=message))
            while not _try_lock(fh):
                if cancel is not None and cancel.is_set():
                    yield False
                    return
                time.sleep(POLL_S)
            log.info("Got the indexing lock of library %r", library)
        try:
            yield True
        finally:
            _unlock(fh)
    finally:
        fh.close()
