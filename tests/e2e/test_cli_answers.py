"""``ragtune ask`` and friends as a user runs them, with the real embedded chat model (once each)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune import settings
from ragtune.core.services import Ragtune


@pytest.fixture
def library(tmp_path: Path, embedder: object, chat_model_path: Path) -> str:
    settings.save(settings.Settings(max_answer_tokens=32, passages=2))
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text(
        "# Orchard report\n\nThe Hillside orchard harvested 312 tonnes of apples in 2025.\n"
    )
    (folder / "fleet.txt").write_text("The delivery fleet has 17 electric vans based in Ghent.\n")
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("kb", [folder])
    return "kb"


def test_ask_json_contract_rag_and_no_rag(library: str) -> None:
    rag = ragtune("ask", "How many tonnes of apples did the Hillside orchard harvest?", "--library", library, "--json")
    answer = json.loads(rag.stdout)  # stdout is one JSON document and nothing else
    assert {"answer", "citations", "mode", "adapters", "timings"} <= answer.keys()
    assert answer["mode"] == "rag"
    assert "312" in answer["answer"]
    assert answer["citations"], answer
    assert answer["citations"][0]["path"].endswith("orchard.md")
    assert {"n", "path", "page", "start", "end", "text"} <= answer["citations"][0].keys()
    assert answer["timings"]["time_to_first_token_s"] > 0
    # the evidence: the sentence the answer rests on, where it is in the passage, the fact marked
    evidence = answer["citations"][0]["evidence"]
    assert "312 tonnes" in evidence["sentence"]
    assert evidence["mark"] is not None
    assert "312" in evidence["mark"]["text"]
    assert evidence["sentence"][evidence["mark"]["start"] : evidence["mark"]["end"]] == evidence["mark"]["text"]
    assert evidence["passage_end"] - evidence["passage_start"] == len(evidence["sentence"])

    text = ragtune("ask", "How many tonnes of apples did the Hillside orchard harvest?", "--library", library)
    assert "Evidence:" in text.stdout
    assert "\u27e6312" in text.stdout  # the fact marked (no terminal: brackets, not bold)

    # a year no passage mentions: declined before the model, saying what was searched
    gap = json.loads(ragtune("ask", "How many tonnes did the Hillside orchard harvest in 2019?", "--library", library, "--json").stdout)
    assert gap["declined"] is True
    assert "2019" in gap["answer"]
    assert "I searched for" in gap["answer"]

    plain = ragtune("ask", "Say hello.", "--library", library, "--no-rag", "--json")
    no_rag = json.loads(plain.stdout)
    assert no_rag["mode"] == "model"
    assert no_rag["citations"] == []

    history = ragtune("history")
    assert "Hillside orchard" in history.stdout


def test_bad_model_and_adapter_exit_non_zero(tmp_path: Path) -> None:
    fake = tmp_path / "not-a-model.gguf"
    fake.write_bytes(b"GGUF" + os.urandom(4096))
    bad_model = ragtune("models", "add", str(fake), check=False)
    assert bad_model.returncode != 0
    assert bad_model.stderr.startswith("error:")

    text_file = tmp_path / "adapter.gguf"
    text_file.write_text("hello")
    bad_adapter = ragtune("ask", "hi", "--no-rag", "--adapter", f"{text_file}:0.5", check=False)
    assert bad_adapter.returncode != 0
    assert "error:" in bad_adapter.stderr
