"""Files and folders removed from inside a library's sources, so that re-scans leave them out.

Removing ``docs/old.txt`` from a library whose source is the folder ``docs`` would not last if only
its document were deleted: the next scan finds the file again. So the removal is recorded here (table
``exclusions``, migration 3) and the indexer skips what it names. Naming the path again when adding
(``ragtune index docs/old.txt``) lifts the exclusion. A source added explicitly inside an excluded
folder wins over the exclusion: the person asked for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import apsw

from ragtune.core.ingest.scan import FileInfo, is_under
from ragtune.core.store.db import transaction


def listed(conn: apsw.Connection, library_id: int) -> list[str]:
    """The excluded paths of one library, sorted."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT path FROM exclusions WHERE library_id = ? ORDER BY path", (library_id,)
        )
    ]


def by_library(conn: apsw.Connection) -> dict[int, list[str]]:
    """Excluded paths of every library, sorted."""
    found: dict[int, list[str]] = {}
    for lib_id, path in conn.execute("SELECT library_id, path FROM exclusions ORDER BY path"):
        found.setdefault(int(lib_id), []).append(str(path))
    return found


def add(conn: apsw.Connection, library_id: int, path: str) -> None:
    """Exclude ``path`` (a file or a folder); exclusions inside it are folded into it."""
    with transaction(conn):
        for old in listed(conn, library_id):
            if old != path and is_under(old, path):
                conn.execute("DELETE FROM exclusions WHERE library_id = ? AND path = ?", (library_id, old))
        conn.execute(
            "INSERT INTO exclusions (library_id, path, created) VALUES (?, ?, ?) "
            "ON CONFLICT (library_id, path) DO NOTHING",
            (library_id, path, time.time()),
        )


def lift(conn: apsw.Connection, library_id: int, path: str) -> bool:
    """Include ``path`` again; True when it was excluded."""
    with transaction(conn):
        row = conn.execute(
            "DELETE FROM exclusions WHERE library_id = ? AND path = ? RETURNING id", (library_id, path)
        ).fetchone()
    return row is not None


def prune(conn: apsw.Connection, library_id: int, sources: Sequence[str]) -> None:
    """Drop exclusions no source reaches any more (their source was removed)."""
    with transaction(conn):
        for path in listed(conn, library_id):
            if not any(is_under(path, s) and path != s for s in sources):
                conn.execute("DELETE FROM exclusions WHERE library_id = ? AND path = ?", (library_id, path))


def is_excluded(path: str, sources: Sequence[str], excluded: Sequence[str]) -> bool:
    """Whether a scanned file stays out: it lies in an excluded path and no source inside that
    excluded path (one added explicitly after the exclusion) reaches it."""
    for ex in excluded:
        if is_under(path, ex) and not any(is_under(path, s) and is_under(s, ex) for s in sources):
            return True
    return False


def keep(files: Iterable[FileInfo], sources: Sequence[str], excluded: Sequence[str]) -> list[FileInfo]:
    """The scanned files that are not excluded."""
    if not excluded:
        return list(files)
    return [f for f in files if not is_excluded(str(f.path), sources, excluded)]
