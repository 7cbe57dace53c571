"""Shared fixtures: every test gets its own RAGTUNE_HOME; real models load once per session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Assembled embedded models are shared by the whole session (the chat model is 491 MB), so they are
# assembled once, not per test. RAGTUNE_TEST_MODELS_DIR keeps them between local runs; the session's
# own folder is removed when the session ends (every run used to leave 491 MB in /tmp behind).
MODELS_DIR = os.environ.get("RAGTUNE_TEST_MODELS_DIR") or ""
if not MODELS_DIR:
    MODELS_DIR = tempfile.mkdtemp(prefix="ragtune-models-")
    atexit.register(shutil.rmtree, MODELS_DIR, ignore_errors=True)
os.environ["RAGTUNE_MODELS_DIR"] = MODELS_DIR


@pytest.fixture(autouse=True)
def ragtune_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point RAGTUNE_HOME at a fresh tmp dir for each test."""
    home = tmp_path / "home"
    monkeypatch.setenv("RAGTUNE_HOME", str(home))
    monkeypatch.setenv("RAGTUNE_MODELS_DIR", MODELS_DIR)
    return home


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The real embedded embedding model (all-MiniLM-L6-v2 int8), loaded once per session."""
    from ragtune.core.embedding import load_default_embedder

    return load_default_embedder()


@pytest.fixture(scope="session")
def chat_model_path() -> Path:
    """The real embedded chat model (Qwen2.5-Coder-0.5B-Instruct GGUF), assembled once per session."""
    from ragtune.core.embedded import ensure_chat_model

    return ensure_chat_model()


@pytest.fixture(scope="session")
def llama_url(chat_model_path: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with the embedded model on 127.0.0.1 (n_ctx
    2048), started once per session for the openai engine's tests; its /v1 URL."""
    from remote_servers import start_llama_server, stop

    proc, url = start_llama_server(chat_model_path)
    yield url
    stop(proc)
