"""Long work in the terminal: a progress bar for indexing and model assembly (stderr, redrawn in
place on a TTY), Ctrl+C as a clean cancel, and the guard that keeps control characters from a
document or a file name from reaching the terminal raw. Shared by every ``cli*`` module."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO, cast

from ragtune.core.terminal_text import TerminalStream, one_line
from ragtune.core.types import Progress, Stage
from ragtune.core.units import format_size


def fmt_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    return f"{seconds // 60:02d}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class ProgressBar:
    """Renders Progress updates: a redrawn bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 28) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        final = p.stage == Stage.DONE or (p.total and p.done >= p.total)
        if not final and now - self._last < (0.1 if self.tty else 5.0):
            return
        self._last = now
        line = self.render(p)
        if self.tty:
            self.stream.write("\r" + line[:160].ljust(100))
            self._drawn = True
            if p.stage == Stage.DONE:
                self.stream.write("\n")
                self._drawn = False
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def render(self, p: Progress) -> str:
        if p.stage == Stage.ASSEMBLING:
            filled = int(self.width * p.fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            return f"Preparing {one_line(p.current)}: [{bar}] {format_size(p.done)} of {format_size(p.total)}"
        if p.stage == Stage.DOWNLOADING:
            filled = int(self.width * p.fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            return (
                f"Downloading {one_line(p.current)}: [{bar}] {format_size(p.done)} of {format_size(p.total)}  "
                f"{format_size(int(p.rate))}/s  ETA {fmt_eta(p.eta_s)}"
            )
        if p.stage == Stage.PLANNED:
            return f"{p.total} file(s) to read"
        if p.stage in (Stage.SCANNING, Stage.LOADING, Stage.VERIFYING, Stage.CHECKING):
            current = one_line(p.current)
            return current if p.stage != Stage.VERIFYING else f"Verifying {current} (SHA-256)"
        if p.stage in (Stage.EVALUATING, Stage.GENERATING, Stage.EMBEDDING):  # answers or passages
            filled = int(self.width * p.fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            unit = "answers" if p.stage == Stage.EVALUATING else "passages"
            return f"[{bar}] {p.done}/{p.total} {unit}  ETA {fmt_eta(p.eta_s)}  {one_line(p.current[:50])}"
        filled = int(self.width * p.fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        # a file the parser has been on for a while is named, with the time left before it gives up
        now = (
            f"reading {one_line(p.parsing[-40:])} (gives up in {fmt_eta(p.parse_left_s)})"
            if p.parsing and p.parse_left_s is not None
            else one_line(p.current[-40:])
        )
        return (
            f"[{bar}] {p.done}/{p.total} files  {p.chunks} chunks  "
            f"{p.rate:.1f} files/s  ETA {fmt_eta(p.eta_s)}  {now}"
        )

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


@contextmanager
def cancel_on_ctrl_c() -> Iterator[threading.Event]:
    """First Ctrl+C asks long work to stop cleanly at the next file or batch; a second one aborts."""
    cancel = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\nStopping after the current step (Ctrl+C again to abort)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def guarded_output() -> Iterator[None]:
    """stdout and stderr escape control characters (``TerminalStream``) while the command runs:
    the backstop behind ``for_terminal`` at each place a document's or a file's text is printed."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, TerminalStream(out)), cast(TextIO, TerminalStream(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
