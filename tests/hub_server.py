"""A model server on 127.0.0.1 that answers the way the Hugging Face hub does, for download tests.

``GET|HEAD /{org}/{repo}/resolve/{revision}/{file}`` answers with the hub's headers
(``X-Repo-Commit``, ``ETag`` = the file's SHA-256 as for an LFS file or its git blob hash for a
small file kept in git, ``Content-Length``,
``Accept-Ranges``) and honours ``Range: bytes=N-`` with ``206 Partial Content``. Faults on demand:
``drop_after`` closes the connection after that many bytes of the next GET (a dropped transfer),
``corrupt`` sends one byte changed (the ETag stays the true SHA-256), ``seconds_per_block`` slows
it down, ``hold`` stalls it after the first block until released. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_RANGE = re.compile(r"^bytes=(\d+)-$")
BLOCK = 1 << 20


@dataclass
class HubState:
    """Files served (``repo/file`` → path) and the faults and requests of the test."""

    files: dict[str, Path] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    drop_after: int | None = None
    corrupt: bool = False
    seconds_per_block: float = 0.0  # a slow server (1 MB blocks)
    #: when set, a GET pauses after its first block until this event is set (a stalled transfer)
    hold: threading.Event | None = None
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, Range

    def add(self, repo: str, filename: str, path: Path, lfs: bool = True) -> str:
        """Serve ``path`` as ``repo``'s ``filename``; returns its ETag: the SHA-256 of a file
        stored in LFS, else (``lfs=False``, a small file kept in git) its git blob hash."""
        data = path.read_bytes()
        digest = (
            hashlib.sha256(data).hexdigest()
            if lfs
            else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        )
        self.files[f"{repo}/{filename}"] = path
        self.sha256[f"{repo}/{filename}"] = digest
        return digest

    def ranges(self) -> list[str]:
        return [r for method, _path, r in self.requests if method == "GET"]


def _handler(state: HubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _file(self, method: str) -> tuple[str, Path] | None:
            """Record the request; the served file it names, or None after answering 404."""
            state.requests.append((method, self.path, self.headers.get("Range", "")))
            match = _RESOLVE.match(self.path.split("?")[0])
            key = f"{match['repo']}/{match['file']}" if match else ""
            if key in state.files:
                return key, state.files[key]
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None

        def _headers(self, key: str, size: int, status: int, start: int) -> None:
            self.send_response(status)
            self.send_header("X-Repo-Commit", "0" * 40)
            self.send_header("ETag", f'"{state.sha256[key]}"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(size - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.end_headers()

        def do_HEAD(self) -> None:
            found = self._file("HEAD")
            if found is None:
                return
            key, path = found
            self._headers(key, path.stat().st_size, 200, 0)

        def do_GET(self) -> None:
            found = self._file("GET")
            if found is None:
                return
            key, path = found
            wanted = self.headers.get("Range", "")
            size = path.stat().st_size
            match = _RANGE.match(wanted)
            start = int(match.group(1)) if match else 0
            self._headers(key, size, 206 if match else 200, start)
            drop, state.drop_after = state.drop_after, None
            try:
                self._send(path, start, drop)
            except (ConnectionResetError, BrokenPipeError):  # the client stopped the download
                self.close_connection = True

        def _send(self, path: Path, start: int, drop: int | None) -> None:
            sent = 0
            with path.open("rb") as fh:
                fh.seek(start)
                while block := fh.read(BLOCK):
                    if state.corrupt and start + sent == 0:
                        block = bytes([block[0] ^ 0xFF]) + block[1:]
                    if drop is not None and sent + len(block) > drop:
                        self.wfile.write(block[: drop - sent])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.close()
                        return
                    self.wfile.write(block)
                    self.wfile.flush()
                    if sent == 0 and state.hold is not None:
                        state.hold.wait(60)
                    sent += len(block)
                    if state.seconds_per_block:
                        time.sleep(state.seconds_per_block)

    return Handler


@contextmanager
def hub_server() -> Iterator[tuple[str, HubState]]:
    """A running server and its state; yields (endpoint URL, state)."""
    state = HubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
