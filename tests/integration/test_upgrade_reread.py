"""The first index run after the upgrade to schema 6 reads older documents again, and says why
(once): a library made by a schema-5 Ragtune, upgraded by the real migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apsw
import pymupdf
import sqlite_vec

from ragtune.core.services import Ragtune

NOTE = "2 documents indexed by an older Ragtune are read again, once, to leave out hidden text (scanned pages are OCR'd again)."


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "The ferry leaves at 9:40 from the north pier.")
    doc.save(folder / "ferry.pdf")
    doc.close()
    (folder / "notes.md").write_text("# Notes\n\nThe budget is 48,000 euros.\n")
    (folder / "plain.txt").write_text("Plain text hides nothing.\n")
    return folder


def _back_to_schema_5(db_path: Path) -> None:
    """The database as Ragtune with schema 5 left it: migration 6 runs at the next start."""
    conn = apsw.Connection(str(db_path))
    conn.enable_load_extension(True)  # the vector tables' triggers are checked on ALTER TABLE
    conn.load_extension(sqlite_vec.loadable_path())
    conn.execute("ALTER TABLE documents DROP COLUMN hidden_spans")
    conn.execute("ALTER TABLE documents DROP COLUMN instruction_passages")
    conn.execute("ALTER TABLE documents DROP COLUMN chunking")
    conn.execute("DROP TABLE marks")  # schema 8
    conn.execute("DROP TABLE judgements")  # schema 9
    conn.execute("DROP TABLE library_vectors")  # schema 10
    conn.execute("DROP TABLE vector_builds")
    conn.execute("PRAGMA user_version = 5")
    conn.close()


def test_the_first_run_after_the_upgrade_says_why_documents_are_read_again(tmp_path: Path, embedder: Any) -> None:
    folder = _folder(tmp_path)
    svc = Ragtune(embedder=embedder)
    first = svc.library.index("work", [folder])
    assert (first.added, first.notes) == (3, [])
    db_path = svc.db_path
    svc.close()
    _back_to_schema_5(db_path)

    svc = Ragtune(embedder=embedder)
    try:
        upgraded = svc.library.index("work")
        assert (upgraded.updated, upgraded.unchanged) == (2, 1)
        assert upgraded.notes == [NOTE]
        assert NOTE in upgraded.summary()  # the window's status line
        again = svc.library.index("work")
        assert (again.unchanged, again.notes) == (3, [])  # once
    finally:
        svc.close()
