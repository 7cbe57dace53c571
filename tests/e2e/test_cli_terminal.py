"""What a document or a file name carries reaches the terminal as text, never as a command: no
escape sequence (a hidden link, a clipboard write, a cleared screen), no bell, no bidirectional
override, and a file name with a newline cannot forge a line of output (a fake citation). ``--json``
output still holds the exact names."""

from __future__ import annotations

import json
from pathlib import Path

import apsw
import pytest

from cli_support import ragtune
from ragtune import paths, settings
from ragtune.core.services import Ragtune

HYPERLINK = "\x1b]8;;http://attacker.example/\x1b\\click\x1b]8;;\x1b\\"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
FORGED_LINE = "[2] official-policy.pdf, page 1: approved by legal.md"
FORGED_NAME = f"a\n{FORGED_LINE}"
NAME_LINK = "\x1b]8;;attacker.example\x1b\\click\x1b]8;;\x1b\\"  # a file name holds no "/"
ESCAPE_NAME = f"note{NAME_LINK}{CLEAR}\u202egnp.md"
TEXT = "The lighthouse keeper rings the harbour bell at dawn and again at dusk."


def _carriers(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    forged = folder / FORGED_NAME
    forged.write_text(f"{TEXT}\n")
    escaping = folder / ESCAPE_NAME
    escaping.write_text(f"# Keeper\n\n{TEXT} {HYPERLINK} {CLIPBOARD} {CLEAR}\n")
    return forged, escaping


def _assert_inert(output: str) -> None:
    assert "\x1b" not in output
    assert "\x07" not in output
    assert "\u202e" not in output
    assert FORGED_LINE not in [line.strip() for line in output.splitlines()]
    assert not any(line.lstrip().startswith(FORGED_LINE) for line in output.splitlines())


def test_search_and_index_print_names_and_passages_inert(tmp_path: Path) -> None:
    forged, escaping = _carriers(tmp_path / "kb")
    indexed = ragtune("index", str(tmp_path / "kb"), "-l", "kb")
    assert "2 added" in indexed.stdout
    _assert_inert(indexed.stdout + indexed.stderr)

    found = ragtune("search", "When does the lighthouse keeper ring the bell?", "-l", "kb")
    _assert_inert(found.stdout + found.stderr)
    assert "a\\n[2] official-policy.pdf" in found.stdout  # the newline is shown, on the name's line
    assert "\\u001b]8;;attacker.example" in found.stdout  # the link is shown, not made

    as_json = ragtune("search", "When does the lighthouse keeper ring the bell?", "-l", "kb", "--json")
    assert "\x1b" not in as_json.stdout
    assert "\u202e" not in as_json.stdout
    hits = json.loads(as_json.stdout)["hits"]
    assert {h["path"] for h in hits} == {str(forged), str(escaping)}  # exact, control characters and all

    listed = ragtune("libraries")
    _assert_inert(listed.stdout)


@pytest.fixture
def keeper_library(tmp_path: Path, embedder: object, chat_model_path: Path) -> Path:
    settings.save(settings.Settings(max_answer_tokens=24, passages=2))
    _carriers(tmp_path / "kb")
    with Ragtune(embedder=embedder) as svc:  # type: ignore[arg-type]
        svc.library.index("kb", [tmp_path / "kb"])
    return tmp_path / "kb"


def test_ask_prints_sources_and_citations_inert(keeper_library: Path) -> None:
    asked = ragtune("ask", "When does the lighthouse keeper ring the bell?", "-l", "kb")
    _assert_inert(asked.stdout + asked.stderr)
    assert "a\\n[2] official-policy.pdf" in asked.stderr  # "(searching 2 passage(s): ...)"


def test_an_answer_the_history_cannot_take_is_still_shown(keeper_library: Path) -> None:
    """Another writer holds the database past the 10 s busy time-out: the answer is printed, a
    note says it was not saved, and the exit code is 0."""
    holder = apsw.Connection(str(paths.database_path()))
    holder.execute("BEGIN IMMEDIATE")
    try:
        asked = ragtune("ask", "When does the lighthouse keeper ring the bell?", "-l", "kb", "--json", check=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert asked.returncode == 0, asked.stdout + asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answer"].strip()
    assert "busy" in answer["history_error"]
    assert "not saved to the history" in asked.stderr
    assert ragtune("history").stdout.strip() == "No history yet."  # nothing half-written
