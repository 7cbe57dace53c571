"""Logging to a rotating file in the log directory (its path is shown with every error).

On Windows a file another process holds open cannot be renamed, and the window and the CLI often
run together: rotating mid-run would fail on every record there. So on Windows the log rotates only
when a process starts (when no other holds it, else it waits for a later start)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from ragtune import paths
from ragtune.errors import HomeFolderError

_configured = False


def configure(level: int = logging.INFO) -> None:
    """Send the ``ragtune`` loggers to ``paths.log_path()``; idempotent."""
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger("ragtune")
    root.setLevel(level)
    try:
        handler: logging.Handler = _handler(paths.log_path(), sys.platform)
    except (OSError, HomeFolderError):  # no log folder: the command still says what is wrong
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


MAX_BYTES, BACKUPS = 2_000_000, 3


def _handler(path: Path, platform: str) -> logging.Handler:
    if platform != "win32":
        return logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    rotate_at_start(path)
    return logging.FileHandler(path, encoding="utf-8")


def rotate_at_start(path: Path) -> bool:
    """Shift ``path`` to ``path.1`` (and so on, ``BACKUPS`` kept) when it has grown past
    ``MAX_BYTES``; False, changing nothing, when it is small or another process holds it."""
    moving = path.with_name(path.name + ".rotating")
    try:
        if path.stat().st_size < MAX_BYTES:
            return False
        os.replace(path, moving)  # first: a log another process holds stops it here, nothing shifted
    except OSError:
        return False
    try:
        for n in range(BACKUPS - 1, 0, -1):
            older = path.with_name(f"{path.name}.{n}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
        os.replace(moving, path.with_name(f"{path.name}.1"))
    except OSError:
        pass  # a backup held open: the old log stays as .rotating, nothing lost
    return True
