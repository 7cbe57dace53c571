"""``ragtune ask --engine openai --endpoint URL`` as a user runs it, against the session's
llama-cpp-python server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_support import ragtune
from ragtune import settings
from remote_servers import ScriptedServer, reply_stream


def test_ask_through_a_server_warns_about_plain_http(llama_url: str) -> None:
    settings.save(settings.Settings(max_answer_tokens=8, engine_context_size=2048))
    # 0.0.0.0 reaches this machine's server but is not a loopback name: plain http gets warned
    endpoint = llama_url.replace("127.0.0.1", "0.0.0.0")
    result = subprocess.run(
        [sys.executable, "-m", "ragtune", "ask", "Say hello.", "--no-rag", "--json",
         "--engine", "openai", "--endpoint", endpoint],
        capture_output=True, text=True, timeout=300, env=os.environ.copy(), stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "unencrypted" in result.stderr
    answer = json.loads(result.stdout)
    assert answer["answer"]
    assert answer["model"].endswith(".gguf")
    assert answer["error"] == ""
    assert settings.load().engine == "local"  # the options are for this command only


def test_a_local_adapter_file_with_a_server_engine_gets_a_clear_message(tmp_path: Path) -> None:
    listing: list[dict[str, object]] = [{"id": 0, "path": "/srv/loras/style.gguf", "scale": 0.0}]
    server = ScriptedServer(reply_stream(["ok"]), lora=listing)
    try:
        local = tmp_path / "mine.gguf"
        local.write_bytes(b"not a gguf")
        result = ragtune("ask", "Say hello.", "--no-rag", "--engine", "openai", "--endpoint",
                         server.url, "--adapter", str(local), check=False, timeout=120)
        assert result.returncode != 0
        assert "loaded at launch" in result.stderr
        assert "style.gguf" in result.stderr
        assert server.calls == 0  # refused before any question is sent
        ok = ragtune("adapters", "check", "style.gguf", "--engine", "openai", "--endpoint",
                     server.url, timeout=120)
        assert "style.gguf is loaded on the server" in ok.stdout
    finally:
        server.close()
