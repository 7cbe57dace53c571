"""Standard streams that can take any text, on every system, before anything is printed.

- A windowed app on Windows (the bundle's ``ragtune.exe``, ``pythonw``) has no console:
  ``sys.stdout`` and ``sys.stderr`` are None, and the first ``print`` (or a library writing a
  warning) raises. They are pointed at the null device instead; the log file keeps what matters.
- On Windows a stream that is not a console (a redirect to a file, a pipe, Git Bash) encodes in the
  ANSI code page (cp1252), which cannot write "★", "⚠", quotation marks or an answer in Greek: the
  CLI would stop with UnicodeEncodeError. Such streams are switched to UTF-8 (a console already
  takes Unicode through the wide-character API, and is left as it is).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, TextIO


def usable_streams(platform: str | None = None) -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` safe to print to (see the module docstring)."""
    for name in ("stdout", "stderr"):
        stream: Any = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115  # lives as long as the process
        elif (platform or sys.platform) == "win32":
            setattr(sys, name, utf8_unless_console(stream))


def utf8_unless_console(stream: TextIO) -> TextIO:
    """``stream`` writing UTF-8 (undecodable characters escaped) unless it is a console."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        if not stream.isatty() and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")  # type: ignore[attr-defined]
    return stream
