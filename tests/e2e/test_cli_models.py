"""``ragtune models`` as a user runs it: where models run (a machine without a GPU says so), the
catalogue, and a download over a hub-like server on 127.0.0.1 that the next answer then uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ragtune
from hub_server import hub_server
from ragtune.core.catalogue import find_entry
from ragtune.core.machine import this_machine


def test_models_says_where_models_run() -> None:
    out = ragtune("models").stdout
    assert "Qwen2.5-Coder 0.5B Instruct (embedded default)" in out
    if this_machine().gpus:
        assert "GPU offload: automatic" in out
    else:
        assert "GPU: none found: models run on the CPU." in out
        assert 'CMAKE_ARGS="-DGGML_CUDA=on"' in out


def test_catalogue_marks_one_model_recommended() -> None:
    rows = json.loads(ragtune("models", "catalogue", "--json").stdout)
    assert sum(r["recommended"] for r in rows) == 1
    assert rows[0]["embedded"]
    assert rows[0]["installed"]
    assert all(r["reason"] for r in rows)


@pytest.mark.slow
def test_download_then_answer_with_the_new_model(chat_model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = find_entry("Qwen3 1.7B")
    with hub_server() as (url, state):
        state.add(entry.repo, entry.file, chat_model_path)  # a real GGUF served as the hub serves it
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        done = ragtune("models", "download", entry.name)
        assert f"{entry.name} is ready" in done.stdout
        assert [m for m, _p, _r in state.requests] == ["HEAD", "GET"]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the answer needs no network
    listed = ragtune("models").stdout
    assert entry.name in listed
    assert "downloaded-models" in listed
    answer = ragtune("ask", "--no-rag", "--model", entry.name, "--json", "Reply with one word: hello")
    payload = json.loads(answer.stdout)
    assert payload["answer"].strip()
    assert payload["model"] == entry.name


def test_download_without_a_connection_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    result = ragtune("models", "download", "Qwen3 1.7B", check=False)
    assert result.returncode != 0
    assert "internet connection" in result.stderr
    assert "ragtune models add" in result.stderr
    unknown = ragtune("models", "download", "No Such Model", check=False)
    assert unknown.returncode != 0
    assert "the catalogue has no model named" in unknown.stderr
