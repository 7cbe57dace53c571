"""``ragtune train-set`` as a user runs it: the sample library's set (train split) plus a JSONL file
with a bad line; the written file is chat-messages JSONL whose sha256 the command prints, ``--json``
is one JSON document, and a bad share or a missing JSONL file is a clear error."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune import paths
from ragtune.core.services import Ragtune


@pytest.fixture
def library(embedder: object, chat_model_path: Path) -> str:
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("sample", [paths.sample_library_dir()])
        svc.evaluation.question_sets("sample")  # the sample set, made once
    return "sample"


def test_train_set_end_to_end(library: str, tmp_path: Path) -> None:
    voice = tmp_path / "voice.jsonl"
    good = {"messages": [{"role": "user", "content": "Say hello."}, {"role": "assistant", "content": "Ahoy!"}]}
    voice.write_text(json.dumps(good) + '\n{"messages": [{"role": "user", "content": "Hi"}]}\n', encoding="utf-8")
    out = tmp_path / "train.jsonl"

    done = ragtune("train-set", "--library", library, "--jsonl", str(voice), "--out", str(out), check=False)
    assert done.returncode == 1, done.stdout + done.stderr  # a JSONL line was skipped
    assert "voice.jsonl: line 2: the last message must be the assistant's" in done.stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in done.stdout
    assert "citing their source" in done.stdout  # the core's words (TrainingSetReport.summary_lines)
    assert "1 from your JSONL" in done.stdout
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[-1] == good
    assert all(r["messages"][-1]["role"] == "assistant" for r in rows)

    as_json = ragtune("train-set", "-l", library, "--set", "Sample questions", "--out", str(out),
                      "--decline-share", "0.5", "--seed", "3", "--json")
    doc = json.loads(as_json.stdout)
    assert doc["split"] == "train"
    assert doc["errors"] == []
    assert doc["style"] == 0
    assert doc["examples"] == doc["grounded"] + doc["decline"] + doc["absent"] == len(out.read_text().splitlines())
    # half of every example teaches a decline, absent items included (issue 20), rounded half up
    everything = doc["grounded"] + doc["decline"] + doc["absent"]
    assert doc["decline"] + doc["absent"] == (everything + 1) // 2
    assert doc["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()

    bad = ragtune("train-set", "-l", library, "--out", str(out), "--decline-share", "2", check=False)
    assert bad.returncode == 2
    assert "The decline share must be between 0 and 1" in bad.stderr
    missing = ragtune("train-set", "-l", library, "--out", str(out), "--jsonl", str(tmp_path / "no.jsonl"),
                      check=False)
    assert missing.returncode == 2
    assert "no.jsonl does not exist" in missing.stderr
