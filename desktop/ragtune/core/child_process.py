"""One way to run work in a child process, used by the parser pool (``ingest.isolation``), the
one-shot checks of untrusted files (``sandbox.run_isolated``) and the trainer
(``finetune.train_process``):

- **spawned** (``SPAWN``): nothing of the caller's threads, open databases or loaded models is
  inherited;
- **born ignoring Ctrl+C** (``sigint_ignored`` around the start, ``ignore_sigint`` first thing in the
  child): a terminal's Ctrl+C reaches the whole process group, and only the parent acts on it (it
  cancels cleanly and stops its children), so no child prints a ``KeyboardInterrupt`` traceback;
- **memory capped** (``limit_memory``: ``RLIMIT_AS`` where the platform has it), so a runaway
  allocation is a ``MemoryError`` in the child, not a frozen laptop;
- **one pipe** to it (``ChildProcess.start`` returns the parent's end);
- **stopped** by ``ChildProcess.stop``: asked (the pipe closed, or a stop message or flag of the
  caller's), then terminated and killed if still there after a grace period.

What travels over the pipe, and how progress, cancel and time limits are read from it, is each
caller's: a stream of parse results, one outcome, training progress.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

#: the one start method: a fresh interpreter (the only one on macOS and Windows, and safe with threads)
SPAWN = multiprocessing.get_context("spawn")


def limit_memory(memory_bytes: int) -> None:
    """Cap this process's address space at ``memory_bytes`` (no-op where rlimits do not exist)."""
    try:
        import resource
    except ImportError:  # Windows: no rlimits; time limits still apply
        return
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile: a child started now inherits that (exec keeps it, and Python then
    installs no KeyboardInterrupt handler), so a Ctrl+C pressed while it starts up prints no
    traceback there. Only the main thread may change it; elsewhere (the window's lanes, where no
    terminal sends Ctrl+C) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def ignore_sigint() -> None:
    """Called first in every child (``sigint_ignored`` covers the start-up, before this runs)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: Windows ends a crashed process with an NTSTATUS code as its exit code
NTSTATUS_WORDS = {
    0xC0000005: "crashed (access violation)",
    0xC0000017: "ran out of memory",
    0xC000012D: "ran out of memory (the commit limit was reached)",
    0xC00000FD: "crashed (stack overflow)",
    0xC0000409: "crashed (a security check failed)",
    0xC000013A: "was stopped by Ctrl+C",
}
_OUT_OF_MEMORY = {0xC0000017, 0xC000012D}


def _ntstatus(code: int) -> int | None:
    """The NTSTATUS an exit code holds (Windows reports 0xC0000005 as 3221225477, or signed as
    -1073741819), else None."""
    unsigned = code & 0xFFFFFFFF
    return unsigned if unsigned >= 0xC0000000 and (code > 0x7FFFFFFF or code < -0x10000) else None


def exit_words(code: int | None) -> str:
    """How a child ended, in words: "exited with code 1", "was killed by SIGKILL", "ran out of
    memory (0xC0000017)" on Windows."""
    if code is None:
        return "did not exit"
    status = _ntstatus(code)
    if status is not None:
        return f"{NTSTATUS_WORDS.get(status, 'crashed')} (0x{status:08X})"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def ran_out_of_memory(code: int | None) -> bool:
    """Whether an exit code says the system ran out of memory: killed by signal 9 (what Linux's
    OOM killer sends) or Windows' out-of-memory statuses."""
    if code is None:
        return False
    return code == -9 or _ntstatus(code) in _OUT_OF_MEMORY


def _child_entry(target: Callable[..., None], conn: Connection, memory_bytes: int, args: tuple[Any, ...]) -> None:
    ignore_sigint()
    if memory_bytes:
        limit_memory(memory_bytes)
    target(conn, *args)


class ChildProcess:
    """``target(conn, *args)`` in a spawned child (see the module docstring). ``target`` must be a
    module-level function and ``args`` picklable (``SPAWN.Event()`` objects may be among them)."""

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[Any, ...] = (),
        *,
        name: str,
        memory_mb: int = 0,
        duplex: bool = False,
    ) -> None:
        self.target, self.args, self.name = target, args, name
        self.memory_bytes = memory_mb << 20
        self.duplex = duplex
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def start(self) -> Connection:
        """Start the child; returns the parent's end of the pipe (it receives when not ``duplex``)."""
        parent, child = SPAWN.Pipe(duplex=self.duplex)
        process = SPAWN.Process(
            target=_child_entry, args=(self.target, child, self.memory_bytes, self.args),
            daemon=True, name=self.name,
        )
        with sigint_ignored():  # born ignoring Ctrl+C, which only the parent acts on
            process.start()
        child.close()
        self.process, self.conn = process, parent
        return parent

    def is_alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode if self.process is not None else None

    def join(self, timeout_s: float) -> None:
        if self.process is not None:
            self.process.join(timeout_s)

    def stop(self, grace_s: float = 5.0, kill: bool = False) -> None:
        """Close the pipe, then wait up to ``grace_s`` for the child to end, terminate it, and kill
        it if it is still there (``kill``: at once, for a child that hangs or must not finish)."""
        conn, process = self.conn, self.process
        self.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if process is None:
            return
        if kill:
            process.kill()
        process.join(grace_s)
        if process.is_alive():
            process.terminate()
            process.join(grace_s)
        if process.is_alive():
            process.kill()
            process.join(grace_s)
