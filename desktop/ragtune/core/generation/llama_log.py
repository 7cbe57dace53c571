"""Route llama.cpp's native log lines to Python logging, and keep the last errors for messages.

llama.cpp logs through one process-wide callback. ``install()`` replaces llama-cpp-python's (which
prints to stderr) with one that emits complete lines on the ``ragtune.llama`` logger (llama.cpp's
chatty INFO lines at DEBUG) and remembers recent warnings and errors, so a failed load can say why
("unknown model architecture: 'foo'") instead of only "failed".
"""

from __future__ import annotations

import collections
import ctypes
import logging
import threading
from typing import Any

LOGGER = logging.getLogger("ragtune.llama")

# ggml_log_level in the llama.cpp that llama-cpp-python 0.3.36 vendors: 0 NONE, 1 DEBUG, 2 INFO,
# 3 WARN, 4 ERROR, 5 CONT (continues the previous line). INFO is chatty, so it goes to DEBUG.
_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.DEBUG, 3: logging.WARNING, 4: logging.ERROR}
_lock = threading.Lock()
_pending: list[str] = []
_pending_level = logging.DEBUG
_recent: collections.deque[str] = collections.deque(maxlen=32)
_callback: Any = None  # the ctypes callback object must stay referenced while installed


def _on_log(level: int, text: bytes | None, _user_data: Any) -> None:
    global _pending_level
    try:
        piece = (text or b"").decode("utf-8", "replace")
        with _lock:
            if level != 5:
                _pending_level = _LEVELS.get(level, logging.DEBUG)
            _pending.append(piece)
            if not piece.endswith("\n"):
                return
            line = "".join(_pending).rstrip()
            _pending.clear()
            lvl = _pending_level
            if lvl >= logging.WARNING and line:
                _recent.append(line)
        if line:
            LOGGER.log(lvl, "%s", line)
    except Exception:  # a logging problem must never propagate into native code
        pass


def install() -> None:
    """Install the router once per process (idempotent)."""
    global _callback
    if _callback is not None:
        return
    import llama_cpp

    _callback = llama_cpp.llama_log_callback(_on_log)
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def recent_problems() -> list[str]:
    """Recent warning and error lines from llama.cpp, oldest first."""
    with _lock:
        return list(_recent)


def clear() -> None:
    """Forget remembered problems (call before an operation whose failure you want to explain)."""
    with _lock:
        _recent.clear()


def _strip(line: str) -> str:
    """Drop llama.cpp's ``function_name: `` prefixes."""
    text = line
    while ": " in text and text.split(": ", 1)[0].replace("_", "").isalnum():
        text = text.split(": ", 1)[1]
    return text


def last_error(default: str = "") -> str:
    """The most informative recent problem: the latest line that carries a detail after ``: ``
    (llama.cpp ends a failure with a generic "failed to load model" after the real reason)."""
    with _lock:
        lines = [_strip(line) for line in _recent]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        if ": " in line:
            return line
    return lines[-1] if lines else default
