"""Notes from a slow parser to whoever waits for it ("OCR of page 3 of 40").

A parser calls :func:`note` before each slow step. In the parser's child process
(``ragtune.core.ingest.isolation``) the note travels to the parent, which shows it as progress and
restarts the file's time limit, so the limit applies per step (an OCR'd page) rather than to a whole
long scan; elsewhere (a parse in the current process) notes go nowhere.
"""

from __future__ import annotations

from collections.abc import Callable

_listener: Callable[[str], None] | None = None


def set_listener(listener: Callable[[str], None] | None) -> None:
    """Send this process's notes to ``listener`` (None: drop them)."""
    global _listener
    _listener = listener


def note(message: str) -> None:
    """Say what the parser starts now; restarts the time limit when parsing in the child."""
    if _listener is not None:
        _listener(message)
