"""Run one function on untrusted input in a child process, with a time limit and a memory cap.

A hostile or broken file (a GGUF model or adapter, a chat template) can make a reader allocate
gigabytes, loop for minutes or crash in native code. ``run_isolated`` runs ``function(*args)`` in a
spawned child instead, so none of that reaches the caller's process:

- the child caps its own address space (``RLIMIT_AS`` where the platform has it, see
  ``limit_memory``), so a runaway allocation becomes a ``MemoryError`` there;
- the child stops itself after ``timeout_s`` (``SIGALRM`` where the platform has it, see
  ``time_limit``), and the parent kills it when it has not answered ``STARTUP_S`` seconds later
  (a hang in native code, where no signal handler runs);
- the result, or the child's own ``RagtuneError``, comes back over a pipe; a time-out, a memory
  error or a crash becomes one plain sentence, raised as the caller's error class.

``function`` must be importable by name (a module-level function) and its arguments picklable.
The model check (``generation.models``), the adapter check (``generation.adapters``) and the chat
template check (``generation.chat_tokens``) run here. The child is a ``core.child_process``
``ChildProcess``, like the parser pool's and the trainer's.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ragtune.core.child_process import ChildProcess, exit_words
from ragtune.errors import RagtuneError

T = TypeVar("T")

#: seconds the parent allows on top of ``timeout_s`` for the child to start (spawn, imports) and
#: to notice its own time limit before it is killed
STARTUP_S = 30.0
#: seconds between asking a child to stop and killing it
GRACE_S = 2.0


class TimeLimitExceeded(BaseException):
    """Raised inside ``time_limit``'s block when its time is up (a BaseException, so that code
    catching ``Exception`` in the block does not swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float, message: str) -> Iterator[None]:
    """Raise ``TimeLimitExceeded(message)`` in the block after ``seconds`` (Python code only; a
    no-op outside the main thread or where ``SIGALRM`` does not exist). An outer limit keeps
    running: an inner one is cut to what is left of it, and it is set again afterwards."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    import time

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise TimeLimitExceeded(message)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 0.001))


def _is_memory_error(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or getattr(exc, "errno", None) == errno.ENOMEM


def _child_main(conn: Connection, function: Callable[..., Any], args: tuple[Any, ...], timeout_s: float) -> None:
    """In the child (memory capped, Ctrl+C ignored: ``ChildProcess``): run ``function`` under the
    time limit, send back one outcome."""
    logging.getLogger().handlers.clear()  # the parent reports the outcome; keep stderr clean
    logging.getLogger().addHandler(logging.NullHandler())
    outcome: tuple[str, Any]
    try:
        with time_limit(timeout_s, ""):
            outcome = ("ok", function(*args))
    except TimeLimitExceeded as exc:
        outcome = ("timeout", str(exc))
    except RagtuneError as exc:  # sent without its traceback, which holds what filled the memory
        outcome = ("error", exc.with_traceback(None))
        exc.__cause__ = exc.__context__ = None
    except BaseException as exc:  # untrusted input: anything else is reported, never guessed at
        outcome = ("memory", "") if _is_memory_error(exc) else ("crash", f"{type(exc).__name__}: {exc}"[:300])
    gc.collect()  # free what the failed work held before sending needs memory
    try:
        conn.send(outcome)
    except BaseException as exc:  # an unpicklable error, or a result too large to hand over
        with contextlib.suppress(BaseException):
            conn.send(("memory", "") if _is_memory_error(exc) else ("crash", str(outcome[1])[:300]))
    finally:
        conn.close()


def run_isolated(
    function: Callable[..., T],
    *args: Any,
    what: str,
    error: type[RagtuneError] = RagtuneError,
    hint: str = "",
    timeout_s: float = 30.0,
    memory_mb: int = 1024,
) -> T:
    """``function(*args)`` run in a child process (see module docstring). ``what`` names the work
    for messages ("checking model.gguf"), ``hint`` ends them ("the file is corrupt"); a time-out,
    memory error or crash raises ``error``, and a ``RagtuneError`` raised in the child is raised
    here as it was."""
    child = ChildProcess(_child_main, (function, args, timeout_s), name="ragtune-check", memory_mb=memory_mb)
    receiver = child.start()
    tail = f": {hint}" if hint else ""
    received = False  # left without an outcome (a time-out, Ctrl+C): the child is killed at once
    try:
        if not receiver.poll(timeout_s + STARTUP_S):
            raise error(f"{what} took longer than {timeout_s:g} s and was stopped{tail}")
        try:
            status, payload = receiver.recv()
            received = True
        except (EOFError, OSError):
            child.join(GRACE_S)
            raise error(f"{what} crashed (the checker {exit_words(child.exitcode)}){tail}") from None
    finally:
        child.stop(GRACE_S, kill=not received)
    if status == "ok":
        return payload
    if status == "error" and isinstance(payload, RagtuneError):
        raise payload
    if status == "timeout":
        raise error(payload or f"{what} took longer than {timeout_s:g} s and was stopped{tail}")
    if status == "memory":
        raise error(f"{what} needed more than {memory_mb:,} MB of memory and was stopped{tail}")
    raise error(f"{what} failed ({payload}){tail}")
