"""Opening the library database: apsw with sqlite-vec loaded, WAL pragmas, migrations, and
``BEGIN IMMEDIATE`` transactions with SQLite errors turned into errors a person can act on."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import apsw
import sqlite_vec

from ragtune.core.store.migrations import migrate
from ragtune.errors import DiskFullError, StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


def disk_full_error(path: str | Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {path} is full. Free some space and try again; "
        "what was already saved is intact."
    )


#: one connection at a time switches to WAL and migrates (within this process)
_OPEN_LOCK = threading.Lock()


def _db_file(conn: apsw.Connection) -> str:
    try:
        return str(conn.db_filename("main")) or "the library database"
    except apsw.Error:
        return "the library database"


def connect(path: Path) -> apsw.Connection:
    """Open (creating if needed) the library database at ``path``, ready to use."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Could not create the folder for the library database {path}: {exc}") from exc
    conn: apsw.Connection | None = None
    try:
        conn = apsw.Connection(str(path))
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _prepare(conn)
    except apsw.FullError as exc:
        _close_quietly(conn)
        raise disk_full_error(path) from exc
    except (apsw.NotADBError, apsw.CorruptError) as exc:
        _close_quietly(conn)
        raise StoreError(
            f"{path} is not a readable Ragtune library database (it may be damaged): {exc}. "
            "Move it aside to start a new one."
        ) from exc
    except apsw.CantOpenError as exc:
        _close_quietly(conn)
        raise StoreError(
            f"Could not open the library database {path}: check that the folder exists and is writable."
        ) from exc
    except apsw.Error as exc:
        _close_quietly(conn)
        raise StoreError(f"Could not open the library database {path}: {exc}") from exc
    log.debug("Opened %s", path)
    return conn


def _prepare(conn: apsw.Connection) -> None:
    """Switch to WAL and migrate. Connections opened at the same moment (the UI's read lane and the
    index lane at start-up) take turns: switching the journal mode and upgrading a read lock to a
    write lock fail at once with BUSY (SQLite does not wait there), so this retries briefly."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    with _OPEN_LOCK:
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
                migrate(conn)
                return
            except apsw.BusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _close_quietly(conn: apsw.Connection | None) -> None:
    if conn is not None:
        with suppress(apsw.Error):
            conn.close()


@contextmanager
def transaction(conn: apsw.Connection) -> Iterator[apsw.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error. Nested use becomes a savepoint."""
    nested = not conn.getautocommit()
    try:
        conn.execute("SAVEPOINT ragtune_nested" if nested else "BEGIN IMMEDIATE")
    except apsw.FullError as exc:
        raise disk_full_error(_db_file(conn)) from exc
    except apsw.BusyError as exc:
        raise StoreError(
            f"{_db_file(conn)} is busy (another Ragtune is writing to it). Try again in a moment."
        ) from exc
    try:
        yield conn
    except BaseException as exc:
        try:
            if nested:
                conn.execute("ROLLBACK TO ragtune_nested")
                conn.execute("RELEASE ragtune_nested")
            else:
                conn.execute("ROLLBACK")
        except apsw.Error:
            log.exception("Rollback failed")
        if isinstance(exc, apsw.FullError):
            raise disk_full_error(_db_file(conn)) from exc
        raise
    try:
        conn.execute("RELEASE ragtune_nested" if nested else "COMMIT")
    except apsw.FullError as exc:
        if not nested:
            with suppress(apsw.Error):
                conn.execute("ROLLBACK")
        raise disk_full_error(_db_file(conn)) from exc
