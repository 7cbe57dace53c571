"""Real servers on 127.0.0.1 for the openai engine's tests: llama-cpp-python's own
OpenAI-compatible server with the embedded model, and a tiny scripted HTTP server for the faults a
healthy server never shows (401, 404, busy, a stream cut off, a server that stops sending)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: ``python -m llama_cpp.server ARGS``, with the model loaded as Ragtune's engine loads it (no AMX
#: weight buffers where llama.cpp would crash on them: core/generation/llama_params.py)
SERVER = (
    "import runpy, sys\n"
    "from ragtune.core.generation.llama_params import safe_model_params\n"
    "sys.argv = ['llama_cpp.server', *sys.argv[1:]]\n"
    "with safe_model_params():\n"
    "    runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)\n"
)


def start_llama_server(model: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m llama_cpp.server`` on a free port; returns it once GET /v1/models answers."""
    port = free_port()
    args = ["--model", str(model), "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", *extra]
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code in (200, 401):
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("llama_cpp.server did not start in 120 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def sse_chunk(text: str) -> bytes:
    event = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(event)}\n\n".encode()


#: a scripted reply to POST /v1/chat/completions: gets the handler, writes what it likes
Script = Callable[[BaseHTTPRequestHandler], None]


class ScriptedServer:
    """A tiny real HTTP server: GET /v1/models lists ``models`` ("tiny"); chat completions follow
    ``script``; ``GET /lora-adapters`` answers ``lora`` (404 when None)."""

    def __init__(
        self,
        script: Script,
        models_status: int = 200,
        lora: list[dict[str, object]] | None = None,
        models: tuple[str, ...] = ("tiny",),
    ) -> None:
        self.script = script
        self.calls = 0
        self.bodies: list[dict[str, object]] = []  # the chat completion requests received
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.endswith("/lora-adapters") and lora is None:
                    self.send_error(404)
                    return
                listing = lora if self.path.endswith("/lora-adapters") else {"data": [{"id": m} for m in models]}
                body = json.dumps(listing).encode()
                self.send_response(models_status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                owner.calls += 1
                owner.bodies.append(json.loads(raw))
                owner.script(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply_status(status: int, retry_after: str = "") -> Script:
    def script(h: BaseHTTPRequestHandler) -> None:
        body = json.dumps({"error": {"message": f"status {status}"}}).encode()
        h.send_response(status)
        if retry_after:
            h.send_header("Retry-After", retry_after)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return script


def reply_stream(pieces: list[str], then: str = "done", stall_s: float = 0.0) -> Script:
    """Stream ``pieces``; ``then`` = "done" (a proper end), "cut" (close the socket mid-stream)
    or "stall" (send nothing more for ``stall_s``)."""

    def script(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for piece in pieces:
            data = sse_chunk(piece)
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()
        if then == "done":
            data = b"data: [DONE]\n\n"
            h.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
        elif then == "stall":
            time.sleep(stall_s)
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return script
