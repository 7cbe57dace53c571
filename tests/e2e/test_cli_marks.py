"""``ragtune history mark`` as a user runs it: a real answer of the embedded model, marked wrong with
the right answer and its page, shown in ``history``, found in the set "From my chats", changed,
removed, and refused with a clear message when it makes no sense."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune import settings
from ragtune.core.services import Ragtune

QUESTION = "How many electric vans does the delivery fleet have?"


@pytest.fixture
def library(tmp_path: Path, embedder: object, chat_model_path: Path) -> str:
    settings.save(settings.Settings(max_answer_tokens=32, passages=2))
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "orchard.md").write_text("# Orchard report\n\nThe Hillside orchard harvested 312 tonnes of apples in 2025.\n")
    (folder / "fleet.txt").write_text("The delivery fleet has 17 electric vans based in Ghent.\n")
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("kb", [folder])
    return "kb"


def chat_set(library: str) -> list[dict[str, object]]:
    shown = ragtune("eval", "questions", "--library", library, "--set", "From my chats", "--json")
    return list(json.loads(shown.stdout))


def test_history_mark_turns_an_answer_into_a_question(library: str) -> None:
    answer = json.loads(ragtune("ask", QUESTION, "--library", library, "--json").stdout)
    message_id = answer["message_id"]
    assert message_id > 0

    marked = ragtune("history", "mark", str(message_id), "wrong", "--answer", "17 vans", "--file", "fleet.txt", "--page", "1")
    assert "Marked wrong: \u201c17 vans\u201d" in marked.stdout
    assert "From my chats" in marked.stdout
    (item,) = chat_set(library)
    assert item["question"] == QUESTION
    assert item["answer"] == "17 vans"
    assert str(item["gold_file"]).endswith("fleet.txt")
    assert item["origin"] == "chat"

    listed = ragtune("history", "--library", library)
    assert "1 marked" in listed.stdout
    chat_id = listed.stdout.split()[0]
    shown = ragtune("history", "--show", chat_id)
    assert f"--- answer {message_id}" in shown.stdout
    assert "marked wrong: \u201c17 vans\u201d" in shown.stdout
    assert "ragtune history mark" in shown.stdout

    ragtune("history", "mark", str(message_id), "wrong", "--absent")
    (item,) = chat_set(library)
    assert item["kind"] == "absent"
    removed = ragtune("history", "mark", str(message_id), "none")
    assert "removed" in removed.stdout
    assert chat_set(library) == []

    refused = ragtune("history", "mark", str(message_id), "right", "--answer", "17", check=False)
    assert refused.returncode != 0
    assert "needs no correction" in refused.stderr
    wrong_file = ragtune("history", "mark", str(message_id), "wrong", "--answer", "17", "--file", "vans.pdf", check=False)
    assert wrong_file.returncode != 0
    assert "not a document of this library" in wrong_file.stderr
    question = ragtune("history", "mark", str(message_id - 1), "right", check=False)
    assert "only answers can be marked" in question.stderr
    missing = ragtune("history", "mark", check=False)
    assert missing.returncode != 0
    assert "usage:" in missing.stderr
