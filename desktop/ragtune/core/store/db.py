"""Opening the library database: apsw with sqlite-vec loaded, WAL pragmas, migrations, and
``BEGIN IMMEDIATE`` transactions with SQLite errors turned into errors a person can act on."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import apsw
import sqlite_vec

from ragtune.core.store.faults import (
    DAMAGE_ERRORS,
    damaged_error,
    disk_full_error,
    read_only_error,
)
from ragtune.core.store.migrations import migrate
from ragtune.errors import StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

#: one connection at a time switches to WAL and migrates (within this process)
_OPEN_LOCK = threading.Lock()


def _db_file(conn: apsw.Connection) -> str:
    try:
        return str(conn.db_filename("main")) or "the library database"
    except apsw.Error:
        return "the library database"


def _writable(path: Path) -> bool:
    """Whether SQLite can write ``path`` and create its ``-wal`` / ``-shm`` files beside it (not on
    read-only media, not write-protected)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def connect(path: Path) -> apsw.Connection:
    """Open (creating if needed) the library database at ``path``, ready to use. A database that
    cannot be written (read-only media, a write-protected file) is opened read-only
    (:func:`is_read_only`): it can be searched, and every write is refused with ReadOnlyLibrary."""
    if path.is_file() and not _writable(path):
        return _connect_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Could not create the folder for the library database {path}: {exc}") from exc
    conn: apsw.Connection | None = None
    try:
        conn = apsw.Connection(str(path))
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        _load_vec(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _prepare(conn)
    except (apsw.ReadOnlyError, apsw.CantOpenError) as exc:
        _close_quietly(conn)
        if path.is_file():  # write access refused below the permission bits: read it as it is
            log.info("Opening %s read-only: %s", path, exc)
            return _connect_read_only(path)
        raise StoreError(
            f"Could not open the library database {path}: check that the folder exists and is writable."
        ) from exc
    except BaseException as exc:
        _close_quietly(conn)
        raise _open_error(path, exc) from exc
    log.debug("Opened %s", path)
    return conn


def _open_error(path: Path, exc: BaseException) -> BaseException:
    if isinstance(exc, apsw.FullError):
        return disk_full_error(path)
    if isinstance(exc, DAMAGE_ERRORS):
        return damaged_error(path, exc)
    if isinstance(exc, apsw.Error):
        return StoreError(f"Could not open the library database {path}: {exc}")
    return exc


def _load_vec(conn: apsw.Connection) -> None:
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.enable_load_extension(False)


def _connect_read_only(path: Path) -> apsw.Connection:
    """Open ``path`` read-only. ``mode=ro`` reads the WAL when its ``-wal``/``-shm`` files are there
    (or can be made); on read-only media without them, ``immutable=1`` tells SQLite that nobody
    writes the file, so it needs no ``-shm`` at all."""
    flags = apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
    last: BaseException | None = None
    for query in ("mode=ro", "immutable=1"):
        conn: apsw.Connection | None = None
        try:
            conn = apsw.Connection(f"file:{quote(str(path))}?{query}", flags=flags)
            conn.set_busy_timeout(BUSY_TIMEOUT_MS)
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
            _load_vec(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)  # a current schema needs nothing; an older one cannot be upgraded here
        except (apsw.CantOpenError, apsw.ReadOnlyError) as exc:
            _close_quietly(conn)
            last = exc
            continue
        except BaseException as exc:
            _close_quietly(conn)
            raise _open_error(path, exc) from exc
        log.warning("Opened %s read-only (%s): it cannot be updated", path, query)
        return conn
    if isinstance(last, apsw.ReadOnlyError):  # the schema needs an upgrade, which writes
        raise StoreError(
            f"The library database {path} was made by an older Ragtune and must be upgraded, "
            "which needs write access, but it is on read-only media (or write-protected). Copy it "
            "to a writable folder to open it."
        ) from last
    raise StoreError(
        f"Could not open the library database {path} even read-only: {last}. Check that the file "
        "can be read."
    ) from last


def is_read_only(conn: apsw.Connection) -> bool:
    """Whether ``conn`` was opened read-only (read-only media, a write-protected file)."""
    try:
        return bool(conn.readonly("main"))
    except apsw.Error:
        return False


def require_writable(conn: apsw.Connection) -> None:
    """Refuse (ReadOnlyLibrary) before any work when the database was opened read-only."""
    if is_read_only(conn):
        raise read_only_error(_db_file(conn))


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
def snapshot(conn: apsw.Connection) -> Iterator[apsw.Connection]:
    """Reads that see one state of the database (a deferred read transaction; WAL keeps it while
    writers go on). Inside another transaction, that one's state."""
    if not conn.getautocommit():
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        with suppress(apsw.Error):
            conn.execute("COMMIT")


@contextmanager
def transaction(conn: apsw.Connection) -> Iterator[apsw.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error. Nested use becomes a savepoint."""
    require_writable(conn)
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
