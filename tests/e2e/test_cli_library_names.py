"""One rule for library names on every path: a name typed with two spaces, a tab or a newline is
the library listed under its cleaned name, for index, search, remove and eval alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import ragtune
from ragtune.core.library_names import library_name
from ragtune.errors import RagtuneError


def test_the_rule() -> None:
    assert library_name("my  docs") == "my docs"
    assert library_name(" my\tdocs\n") == "my docs"
    assert library_name("my\r\ndocs") == "my docs"
    with pytest.raises(RagtuneError, match="needs a name"):
        library_name(" \t\n")
    with pytest.raises(RagtuneError, match="at most 200"):
        library_name("x" * 201)


def test_a_name_is_found_however_its_spaces_are_typed(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "harbour.txt").write_text("The harbour opens at six in the morning.\n")
    (folder / "ferry.txt").write_text("Ferries to the island leave every two hours.\n")
    assert "2 added" in ragtune("index", str(folder), "--library", "my  docs").stdout
    assert "my docs: 2 documents" in ragtune("libraries").stdout

    for typed in ("my  docs", "my\ndocs"):
        found = ragtune("search", "When does the harbour open?", "--library", typed)
        assert "harbour.txt" in found.stdout, found.stdout
    assert "No question sets" in ragtune("eval", "sets", "--library", "my\tdocs").stdout

    removed = ragtune("remove", str(folder / "ferry.txt"), "--library", "my\tdocs")
    assert "1 document" in removed.stdout
    rescan = ragtune("index", "--library", " my docs\n")  # no paths: the library must exist
    assert "Library 'my docs': 0 added" in rescan.stdout
    assert "1 unchanged" in rescan.stdout
    assert "my docs: 1 documents" in ragtune("libraries").stdout
