"""Faults of the library database's file made for tests: damaged pages, and read-only media.

Read-only media: as a normal user the permission bits make the folder read-only; root ignores them,
so as root the command runs in a private mount namespace (``unshare -m``) where the folder is
bind-mounted read-only, which is what a write-protected stick or a read-only file system does
(``EROFS``, also for root).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import apsw

#: the tables every command reads first: damaging them breaks libraries, search, index and doctor
READ_FIRST = ("libraries", "sources", "documents", "chunks")


def checkpoint(db: Path) -> None:
    """Move everything in the WAL into the database file and empty the WAL (no connection left)."""
    conn = apsw.Connection(str(db))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()


def damage_pages(db: Path) -> list[int]:
    """Overwrite whole pages of ``db`` with random bytes, at page boundaries: the root pages of the
    tables in ``READ_FIRST`` and every third page of the middle third of the file. Returns the
    (1-based) page numbers damaged."""
    checkpoint(db)
    conn = apsw.Connection(str(db))
    try:
        page_size = int(conn.execute("PRAGMA page_size").get)
        marks = ",".join("?" * len(READ_FIRST))
        roots = [int(r[0]) for r in conn.execute(
            f"SELECT rootpage FROM sqlite_schema WHERE name IN ({marks})", READ_FIRST)]
    finally:
        conn.close()
    count = db.stat().st_size // page_size
    pages = sorted(set(roots) | set(range(count // 3, 2 * count // 3, 3)))
    noise = random.Random(17)
    with db.open("r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * page_size)
            fh.write(noise.randbytes(page_size))
    return pages


def _set_read_only(folder: Path, read_only: bool) -> None:
    for root, dirs, files in os.walk(folder):
        for name in files:
            os.chmod(Path(root) / name, 0o444 if read_only else 0o644)
        for name in dirs:
            os.chmod(Path(root) / name, 0o555 if read_only else 0o755)
    os.chmod(folder, 0o555 if read_only else 0o755)


def ragtune_read_only(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -m ragtune ARGS`` while ``folder`` (and everything in it) is read-only."""
    command = [sys.executable, "-m", "ragtune", *args]
    if os.geteuid() == 0:
        # root writes through permission bits: a read-only bind mount in a private namespace
        command = ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder), *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=os.environ.copy(), stdin=subprocess.DEVNULL)
    _set_read_only(folder, True)
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=os.environ.copy(), stdin=subprocess.DEVNULL)
    finally:
        _set_read_only(folder, False)

