"""Parse untrusted files in a child process, with a time limit and a memory cap.

Native parsers (MuPDF, lxml) can crash, hang or eat memory on a hostile or broken file. One
long-lived worker process parses the files one after another, a few ahead of the consumer (so the
embedder never waits); when a file takes longer than ``timeout_s`` the worker is killed and replaced,
when it dies the file is reported as corrupt, and the batch goes on with the next file. The memory
cap (``RLIMIT_AS`` where the platform has it) turns a runaway allocation into ``too large``.
A file that keeps the consumer waiting is reported through ``imap``'s ``on_wait`` with the seconds
left before its time limit, so a progress display can name it and count down. A parser that works
in slow steps (OCR, page by page) sends a note before each (``ragtune.core.ingest.heartbeat``): the
note restarts the file's time limit, so the limit applies per step (a hung page is still killed,
a 40-page scan is not), and is passed on to ``on_wait`` ("OCR of page 3 of 40").

Results come back over one pipe in the order the paths were sent, so a pool serves one run at a
time: a lock is held from the first path sent to the last result read (a whole ``imap`` run, or
one ``parse``). A second thread waits for the run to end rather than reading the other's results;
a caller that must not wait for an index run (the source viewer) keeps a pool of its own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ragtune.core.child_process import ChildProcess
from ragtune.core.ingest import heartbeat
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.types import ParsedDocument
from ragtune.errors import ParseError

log = logging.getLogger(__name__)

ParseFunction = Callable[[Path], ParsedDocument]
ParseResult = ParsedDocument | ParseError
#: ``on_wait(path, seconds_left, note)``: the worker is busy with ``path`` (at the step ``note`` says,
#: "" when it said none); ``seconds_left`` is None when done
WaitCallback = Callable[[Path, float | None, str], None]

#: files sent to the worker before their results are read
PARSE_AHEAD = 4
#: a file whose result is this late is reported to ``on_wait`` (the worker is busy with it)
SLOW_PARSE_S = 1.0


@dataclass(frozen=True)
class ParseNote:
    """Sent by the worker while parsing: it starts a slow step (restarts the time limit)."""

    message: str


def _worker(conn: Connection, parse: ParseFunction) -> None:
    """Child process (memory capped, Ctrl+C ignored: ``ChildProcess``): parse each path received,
    send back the document or the ParseError (and the parser's heartbeat notes before it)."""
    heartbeat.set_listener(lambda message: conn.send(ParseNote(message)))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        result: ParseResult
        try:
            result = parse(Path(path))
        except ParseError as exc:
            result = exc
        except MemoryError:
            result = ParseError("too large", "parsing it needed more memory than allowed")
        except Exception as exc:  # untrusted input: anything else means unreadable
            result = ParseError("corrupt", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn.send(result)
        except MemoryError:
            conn.send(ParseError("too large", "its text is too large to hand over"))
        except Exception as exc:  # e.g. unpicklable exception from a library
            conn.send(ParseError("corrupt", f"{type(exc).__name__}: {exc}"[:500]))


class ParserPool:
    """A restartable child process that parses files. Safe from several threads: they take turns,
    one run (``imap`` or ``parse``) at a time."""

    def __init__(
        self,
        timeout_s: float = 120.0,
        memory_mb: int = 2048,
        parse_function: ParseFunction = parse_file,
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.parse_function = parse_function
        self._child: ChildProcess | None = None
        self._conn: Connection | None = None
        #: held for a whole run: results are matched to paths by order over the one pipe
        self._run_lock = threading.Lock()

    # -- process management -------------------------------------------------------------------
    def _start(self) -> Connection:
        if self._child is not None and self._child.is_alive() and self._conn is not None:
            return self._conn
        self._stop(kill=True)
        child = ChildProcess(_worker, (self.parse_function,), name="ragtune-parser",
                             memory_mb=self.memory_mb, duplex=True)
        self._child, self._conn = child, child.start()
        return self._conn

    def _stop(self, kill: bool) -> None:
        child, conn = self._child, self._conn
        self._child, self._conn = None, None
        if conn is not None and not kill:
            with contextlib.suppress(OSError, ValueError, BrokenPipeError):
                conn.send(None)  # asked to end after the file in work
        if child is not None:
            child.stop(5.0, kill=kill)

    def close(self) -> None:
        """Stop the worker (it is started again on the next parse)."""
        self._stop(kill=False)

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parsing ----------------------------------------------------------------------------------
    def parse(self, path: Path) -> ParseResult:
        """Parse one file; never raises for a bad file (the ParseError is returned)."""
        for _path, result in self.imap([path]):
            return result
        raise AssertionError("imap yields one result per path")

    def imap(
        self, paths: Iterable[Path], on_wait: WaitCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[tuple[Path, ParseResult]]:
        """Parse ``paths`` in order, up to PARSE_AHEAD files ahead of the consumer. Yields
        ``(path, document or ParseError)`` for every path, whatever happens to the worker. When a
        result is more than SLOW_PARSE_S late, ``on_wait(path, seconds_left, note)`` names the file
        the worker is busy with (every file before it is done) and the time left before it gives
        up, again at each heartbeat note; ``on_wait(path, None, "")`` follows when that file is done. Another thread's run waits until
        this one is exhausted or closed; do not start a second run from the thread consuming one.
        Setting ``cancel`` stops the worker at once (a long OCR'd scan too): the file it was on
        comes back as ParseError("cancelled") and the run ends."""
        with self._run_lock:
            yield from self._run(paths, on_wait, cancel)

    def _run(
        self, paths: Iterable[Path], on_wait: WaitCallback | None, cancel: threading.Event | None = None
    ) -> Iterator[tuple[Path, ParseResult]]:
        source = iter(paths)
        queued: deque[Path] = deque()  # sent to the current worker, results not read yet
        waiting: deque[Path] = deque()  # to resend after a restart
        exhausted = False
        while True:
            while not exhausted and len(queued) + len(waiting) < PARSE_AHEAD:
                try:
                    waiting.append(Path(next(source)))
                except StopIteration:
                    exhausted = True
            if not queued and not waiting:
                return
            conn = self._start()
            while waiting:
                path = waiting.popleft()
                try:
                    conn.send(str(path))
                except (OSError, BrokenPipeError):
                    waiting.appendleft(path)
                    self._stop(kill=True)
                    conn = self._start()
                    continue
                queued.append(path)
            path = queued.popleft()
            result = self._receive(conn, path, on_wait, cancel)
            if isinstance(result, ParseError) and result.reason == "cancelled":
                yield path, result
                return
            if isinstance(result, ParseError) and result.reason in ("timed out", "crashed"):
                waiting.extendleft(reversed(queued))  # the new worker gets the rest
                queued.clear()
                if result.reason == "crashed":
                    result = ParseError("corrupt", "the parser crashed on this file")
            yield path, result

    def _receive(
        self, conn: Connection, path: Path, on_wait: WaitCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ParseResult:
        deadline = time.monotonic() + self.timeout_s
        slow_at = time.monotonic() + SLOW_PARSE_S
        reported = False
        note = ""
        try:
            while True:
                if cancel is not None and cancel.is_set():
                    self._stop(kill=True)  # the next run starts a fresh worker
                    return ParseError("cancelled", "indexing was stopped")
                remaining = deadline - time.monotonic()
                if on_wait is not None and not reported and remaining > 0 and time.monotonic() >= slow_at:
                    on_wait(path, remaining, note)
                    reported = True
                if remaining <= 0:
                    log.warning("Parsing %s timed out after %.0f s; restarting the parser", path, self.timeout_s)
                    self._stop(kill=True)
                    step = f" ({note})" if note else ""
                    return ParseError("timed out", f"parsing took longer than {self.timeout_s:.0f} s{step}")
                if conn.poll(min(remaining, 0.25)):
                    result = conn.recv()
                    if isinstance(result, ParseNote):  # a slow step starts: its own time limit
                        note = result.message
                        deadline = time.monotonic() + self.timeout_s
                        if reported and on_wait is not None:
                            on_wait(path, self.timeout_s, note)
                        continue
                    if isinstance(result, ParsedDocument | ParseError):
                        return result
                    return ParseError("corrupt", "the parser returned nothing usable")
                if self._child is None or not self._child.is_alive():
                    raise EOFError
        except (EOFError, OSError, BrokenPipeError):
            code = self._child.exitcode if self._child is not None else None
            log.warning("The parser died on %s (exit code %s); restarting it", path, code)
            self._stop(kill=True)
            return ParseError("crashed", f"exit code {code}")
        finally:
            if reported and on_wait is not None:
                on_wait(path, None, "")


__all__ = ["PARSE_AHEAD", "ParseNote", "ParserPool"]
