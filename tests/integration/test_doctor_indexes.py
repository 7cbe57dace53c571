"""``doctor.check`` tells an SQL index out of step with its table (rebuilt, a problem: exit 1) from
damaged pages (DatabaseDamaged: exit 3), on a real library database whose index is made to disagree."""

from __future__ import annotations

from pathlib import Path

import apsw
import numpy as np

from ragtune.core.store import db, doctor
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import Chunk

DIM = 8
ORIGINAL = "CREATE INDEX documents_sha256 ON documents (sha256)"


def test_classifier_on_integrity_check_lines() -> None:
    assert doctor.index_only_damage(
        ["row 1 missing from index chunks_document", "row 2 missing from index chunks_document",
         "wrong # of entries in index documents_sha256"]
    ) == ["chunks_document", "documents_sha256"]
    assert doctor.index_only_damage(["non-unique entry in index sqlite_autoindex_libraries_1"]) == [
        "sqlite_autoindex_libraries_1"
    ]
    assert doctor.index_only_damage(
        ["row 1 missing from index chunks_document", "*** in database main ***\nPage 7: btreeInitPage() returns error code 11"]
    ) is None
    assert doctor.index_only_damage(["Tree 4 page 4 cell 0: invalid page number 99"]) is None


def _library_with_a_stale_index(path: Path) -> None:
    """A real library whose ``documents_sha256`` b-tree holds the paths, not the digests: what a
    crash or a bug leaves when an index and its table disagree (the table is intact)."""
    conn = db.connect(path)
    store = LibraryStore(conn)
    store.check_embedding_model("fake/model", DIM)
    lib = store.create_library("work")
    vectors = np.eye(DIM, dtype=np.float32)
    for i in range(3):
        store.write_document(lib, f"/d/{i}.txt", 100, 1, f"digest{i}", "Doc", "text", 1,
                             [Chunk(0, 1, 0, 5, f"text{i}", f"Doc\ntext{i}")], vectors[i : i + 1])
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX documents_sha256 ON documents (path)' "
                 "WHERE name = 'documents_sha256'")
    conn.close()
    conn = apsw.Connection(str(path))
    conn.execute("REINDEX documents_sha256")  # the b-tree now holds paths
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = 'documents_sha256'", (ORIGINAL,))
    conn.close()


def test_an_index_out_of_step_is_rebuilt_and_reported_not_called_damage(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    _library_with_a_stale_index(path)
    conn = db.connect(path)
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        assert "row 1 missing from index documents_sha256" in found  # a real inconsistency
        report = doctor.check(conn)  # raised DatabaseDamaged ("move the file aside") before
        assert not report.ok
        assert (
            "PROBLEM: SQLite's index documents_sha256 did not match its table (the data itself is "
            "intact); it was rebuilt from the table (REINDEX). Run ragtune doctor again to confirm."
        ) in report.lines
        assert [str(r[0]) for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        assert doctor.check(conn).ok
    finally:
        conn.close()


def test_the_read_only_database_is_not_changed_and_the_way_is_named(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    _library_with_a_stale_index(path)
    conn = db._connect_read_only(path)  # as ``connect`` opens a file on read-only media
    try:
        report = doctor.check(conn)
    finally:
        conn.close()
    conn = apsw.Connection(str(path))
    try:
        assert "row 1 missing from index documents_sha256" in [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    assert not report.ok
    assert any("copy it to a writable folder and run ragtune doctor there" in line for line in report.lines)
