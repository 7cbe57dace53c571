"""Logging to a rotating file in the log directory (its path is shown with every error)."""

from __future__ import annotations

import logging
import logging.handlers

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
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_path(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except (OSError, HomeFolderError):  # no log folder: the command still says what is wrong
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
