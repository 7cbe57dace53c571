"""``Database``: the library database file and one connection to it per thread.

Every part of the service (``Library``, ``Chats``, ``Evaluation``, ``FineTune``) reads and writes
through it; WAL lets readers on any thread run while the index lane writes. A file on read-only
media is opened read-only (``read_only``, with a note for a person); ``close`` closes every
thread's connection.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import apsw

from ragtune import paths
from ragtune.core.store import db, faults


class Database:
    """The library database: ``connection()`` gives this thread's connection (opened on first use)."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.db_path = db_path or paths.database_path()
        self._local = threading.local()
        self._connections: list[apsw.Connection] = []
        self._lock = threading.Lock()
        self.read_only = False  # the file was opened read-only (read-only media)

    def connection(self) -> apsw.Connection:
        """This thread's connection to the library database (opened on first use)."""
        conn: apsw.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = db.connect(self.db_path)
            self.read_only = self.read_only or db.is_read_only(conn)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def read_only_note(self) -> str:
        """What to tell a person when the database was opened read-only; "" otherwise."""
        return faults.read_only_note(self.db_path) if self.read_only else ""

    def close(self) -> None:
        """Close every thread's connection (a later ``connection()`` opens a new one)."""
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(apsw.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
