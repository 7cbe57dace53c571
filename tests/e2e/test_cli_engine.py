"""``ragtune ask --engine openai --endpoint URL`` as a user runs it, against the session's
llama-cpp-python server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ragtune import settings


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
