"""``ragtune index`` lists the files it could not read in the same plain words as the window."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from ragtune.cli import cmd_index
from ragtune.core.services import Ragtune
from ragtune.errors import REASONS, plain_reason
from ragtune.settings import Settings


def test_index_lists_failures_in_plain_words(
    tmp_path: Path, embedder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "fine.md").write_text("# Fine\n\nReadable text.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "blank.txt").write_text("   \n")
    with Ragtune(settings=Settings(), embedder=embedder) as svc:
        args = argparse.Namespace(library="docs", paths=[str(folder)], force=False)
        assert cmd_index(svc, args) == 0
    out = capsys.readouterr().out
    assert "2 file(s) could not be indexed" in out
    lines = {line.strip().split(": ", 1)[0]: line.strip().split(": ", 1)[1] for line in out.splitlines() if line.startswith("  ")}
    broken, blank = str((folder / "broken.pdf").resolve()), str((folder / "blank.txt").resolve())
    assert lines[broken].startswith(REASONS["corrupt"])
    assert lines[blank].startswith(REASONS["empty"])


def test_plain_reason_words_and_detail() -> None:
    assert plain_reason("timed out", "parsing took longer than 120 s") == (
        "reading the file took too long (parsing took longer than 120 s)"
    )
    assert plain_reason("empty", "no text found") == "no text found in it"  # detail adds nothing
    assert plain_reason("something new") == "something new"
    assert plain_reason("") == "unknown problem"
