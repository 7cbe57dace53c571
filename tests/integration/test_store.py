"""The store on real SQLite with sqlite-vec and FTS5 (fake, deterministic vectors): chunks, keyword
rows and vectors stay in step through writes, replacements and removals; the doctor notices when
they do not; a different embedding model is refused before any write."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import apsw
import numpy as np
import pytest

from ragtune.core.store import db, doctor, migrations
from ragtune.core.store import vectors as vec
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import Chunk
from ragtune.errors import EmbeddingModelMismatch, LibraryNotFound, RagtuneError

DIM = 8


def chunks(texts: list[str]) -> list[Chunk]:
    return [Chunk(i, 1 + i // 2, 0, len(t), t, "Doc\n" + t) for i, t in enumerate(texts)]


def vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    normed: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return normed


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[apsw.Connection]:
    c = db.connect(tmp_path / "sub" / "lib.sqlite3")
    yield c
    c.close()


@pytest.fixture
def store(conn: apsw.Connection) -> LibraryStore:
    s = LibraryStore(conn)
    s.check_embedding_model("fake/model", DIM)
    return s


def counts(conn: apsw.Connection) -> tuple[int, int, int]:
    report = doctor.check(conn)
    return report.counts["chunks"], report.counts["fts_rows"], report.counts["vectors"]


def write(store: LibraryStore, lib: int, path: str, texts: list[str], sha: str = "h") -> int:
    return store.write_document(
        lib, path, 100, 1, sha, "Doc", "text", 2, chunks(texts), vectors(len(texts), len(path))
    )


def test_connect_sets_pragmas_and_schema(conn: apsw.Connection) -> None:
    assert conn.execute("PRAGMA journal_mode").get == "wal"
    assert conn.execute("PRAGMA foreign_keys").get == 1
    assert conn.execute("PRAGMA user_version").get >= 1
    assert conn.execute("SELECT vec_version()").get.startswith("v0.1")


def test_connect_reports_unopenable_file(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(RagtuneError, match=re.escape("garbage.sqlite3")):
        db.connect(bad)


def test_write_replace_remove_keep_counts_in_step(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    assert store.create_library("work") == lib  # idempotent
    doc = write(store, lib, "/d/a.txt", ["alpha one", "beta two", "gamma three"])
    write(store, lib, "/d/b.txt", ["delta four"], sha="h2")
    assert counts(conn) == (4, 4, 4)

    # replacing a document swaps its chunks, keyword rows and vectors
    assert write(store, lib, "/d/a.txt", ["alpha again"]) == doc
    assert counts(conn) == (2, 2, 2)
    hits = conn.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH 'gamma'").fetchall()
    assert hits == []
    assert store.documents(lib)[0].chunks == 1

    store.remove_document(doc)
    assert counts(conn) == (1, 1, 1)
    assert doctor.check(conn).ok


def test_failed_document_drops_its_chunks(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    write(store, lib, "/d/a.txt", ["alpha one", "beta two"])
    store.mark_failed(lib, "/d/a.txt", 5, 2, "x", "corrupt", "bad xref")
    row = store.document_rows(lib)["/d/a.txt"]
    assert (row.status, row.error, row.size) == ("failed", "corrupt", 5)
    assert counts(conn) == (0, 0, 0)
    stats = store.stats(lib)
    assert (stats.documents, stats.failed, stats.chunks) == (0, 1, 0)
    assert stats.database_bytes > 0
    assert doctor.check(conn).ok


def test_vectors_reused_by_content_hash(store: LibraryStore) -> None:
    lib = store.create_library("work")
    write(store, lib, "/d/a.txt", ["alpha one", "beta two"], sha="same")
    found = store.vectors_for_sha256(lib, "same")
    assert found is not None
    reused_chunks, reused = found
    assert [c.text for c in reused_chunks] == ["alpha one", "beta two"]
    assert reused.dtype == np.float32
    assert reused.shape == (2, DIM)
    assert np.allclose(reused, vectors(2, len("/d/a.txt")))
    assert store.vectors_for_sha256(lib, "other") is None


def test_doctor_finds_an_orphan_vector(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    write(store, lib, "/d/a.txt", ["alpha one"])
    conn.execute(
        "INSERT INTO chunk_bits (rowid, library_id, embedding) VALUES (9999, ?, vec_quantize_binary(?))",
        (lib, vectors(1)[0].tobytes()),
    )
    report = doctor.check(conn)
    assert not report.ok
    assert report.counts["orphan_vectors"] == 1
    assert any("belong to no chunk" in line for line in report.lines)


def test_doctor_finds_an_indexed_document_without_chunks(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    doc = write(store, lib, "/d/a.txt", ["alpha one"])
    conn.execute("DELETE FROM chunks WHERE document_id = ?", (doc,))
    report = doctor.check(conn)
    assert not report.ok
    assert report.counts["indexed_without_chunks"] == 1


def test_other_model_is_refused_before_any_write(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    write(store, lib, "/d/a.txt", ["alpha one", "beta two"])
    changes = conn.total_changes()
    with pytest.raises(EmbeddingModelMismatch, match=r"re-index|Re-index") as info:
        store.check_embedding_model("other/model", 16)
    assert "fake/model" in str(info.value)
    assert "other/model" in str(info.value)
    assert conn.total_changes() == changes
    assert counts(conn) == (2, 2, 2)


def test_reset_for_a_new_model(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    write(store, lib, "/d/a.txt", ["alpha one", "beta two"])
    store.check_embedding_model("other/model", 16, reset=True)
    assert counts(conn) == (0, 0, 0)
    row = store.document_rows(lib)["/d/a.txt"]
    assert row.size == -1
    assert row.status != "indexed"
    new = np.ones((1, 16), np.float32) / 4.0
    store.write_document(lib, "/d/a.txt", 100, 1, "h", "Doc", "text", 1, chunks(["alpha"]), new)
    assert counts(conn) == (1, 1, 1)
    store.check_embedding_model("other/model", 16)  # recorded now: no error
    assert doctor.check(conn).ok


def test_delete_library_cleans_everything(store: LibraryStore, conn: apsw.Connection) -> None:
    keep = store.create_library("keep")
    gone = store.create_library("gone")
    store.add_source(gone, "/d")
    write(store, gone, "/d/a.txt", ["alpha one", "beta two"])
    write(store, keep, "/k/a.txt", ["kept text"])
    store.delete_library("gone")
    assert counts(conn) == (1, 1, 1)
    assert [lib.name for lib in store.list_libraries()] == ["keep"]
    assert conn.execute("SELECT count(*) FROM sources").get == 0
    assert conn.execute("SELECT count(*) FROM documents").get == 1
    assert doctor.check(conn).ok


def test_libraries_sources_and_errors(store: LibraryStore) -> None:
    lib = store.create_library("b-lib")
    store.create_library("a-lib")
    store.add_source(lib, "/x")
    store.add_source(lib, "/x")
    assert store.sources(lib) == ["/x"]
    assert [(i.name, i.sources) for i in store.list_libraries()] == [("a-lib", ()), ("b-lib", ("/x",))]
    with pytest.raises(LibraryNotFound, match=re.escape("No library named 'nope'. Known libraries: a-lib, b-lib.")):
        store.library_id("nope")
    with pytest.raises(RagtuneError, match="already exists"):
        store.rename_library("b-lib", "a-lib")
    store.rename_library("b-lib", "c-lib")
    assert store.library_id("c-lib") == lib
    store.remove_source(lib, "/x")
    assert store.sources(lib) == []


def test_transaction_rolls_back_on_error(store: LibraryStore, conn: apsw.Connection) -> None:
    lib = store.create_library("work")
    with pytest.raises(ValueError, match="2 chunks but 1 vectors"):
        store.write_document(lib, "/d/a.txt", 1, 1, "h", "t", "text", 1, chunks(["a", "b"]), vectors(1))
    with pytest.raises(ValueError, match="3 dimensions"):  # a vector of the wrong size, inside the transaction
        store.write_document(
            lib, "/d/a.txt", 1, 1, "h", "t", "text", 1, chunks(["a"]), np.ones((1, 3), np.float32)
        )
    assert store.document_rows(lib) == {}
    assert counts(conn) == (0, 0, 0)


def test_connections_opened_at_once_take_turns(tmp_path: Path) -> None:
    import threading

    errors: list[BaseException] = []
    opened: list[object] = []

    def open_one() -> None:
        try:
            opened.append(db.connect(tmp_path / "fresh.db"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(opened) == 6


def test_schema_1_float_vectors_are_converted(tmp_path: Path) -> None:
    """A database written by schema 1 (one float vec0 table) opens with the same vectors in the
    two tables of schema 2, and search still finds its chunks."""
    import sqlite_vec

    path = tmp_path / "old.db"
    old = apsw.Connection(str(path))
    old.enable_load_extension(True)
    old.load_extension(sqlite_vec.loadable_path())
    old.execute(migrations.MIGRATIONS[0])  # type: ignore[arg-type]
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO libraries (name, created) VALUES ('work', 0)")
    old.execute(
        "INSERT INTO documents (library_id, path, size, mtime_ns, sha256, status) "
        "VALUES (1, '/d/a.txt', 1, 1, 'x', 'indexed')"
    )
    old.execute(
        "INSERT INTO chunks (document_id, ordinal, page, start, \"end\", text, embed_text) "
        "VALUES (1, 0, 1, 0, 5, 'alpha', 'alpha')"
    )
    old.execute("INSERT INTO meta (key, value) VALUES ('embedding_model', 'm'), ('embedding_dim', ?)", (str(DIM),))
    old.execute(
        f"CREATE VIRTUAL TABLE chunk_vectors USING vec0(library_id integer partition key, "
        f"embedding float[{DIM}] distance_metric=cosine)"
    )
    vector = vectors(1)[0]
    old.execute("INSERT INTO chunk_vectors (rowid, library_id, embedding) VALUES (1, 1, ?)", (vector.tobytes(),))
    old.close()

    conn = db.connect(path)
    assert migrations.schema_version(conn) == len(migrations.MIGRATIONS)
    store = LibraryStore(conn)
    tables = vec.VectorTables("m", DIM)
    found = vec.vectors_of(conn, tables, [1])
    assert np.allclose(found[1], vector)
    assert vec.knn(conn, tables, 1, vector, 5) == [1]
    assert doctor.check(conn).ok, doctor.check(conn).lines
    assert store.stats(1).chunks == 1


def test_pdfs_refused_before_ocr_are_read_again_after_the_upgrade(tmp_path: Path) -> None:
    """Schema 5 adds OCR: a PDF that schema 4 recorded as failed for want of a text layer counts as
    changed, so the next index run reads it (by OCR) instead of keeping the old failure."""
    path = tmp_path / "v4.db"
    conn = db.connect(path)
    conn.execute("DROP TABLE ocr_pages")
    conn.execute("ALTER TABLE documents DROP COLUMN hidden_spans")
    conn.execute("ALTER TABLE documents DROP COLUMN instruction_passages")
    conn.execute("ALTER TABLE documents DROP COLUMN chunking")
    conn.execute("DROP TABLE marks")  # schema 8
    conn.execute("DROP TABLE judgements")  # schema 9
    conn.execute("DROP TABLE library_vectors")  # schema 10
    conn.execute("DROP TABLE vector_builds")
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO libraries (name, created) VALUES ('scans', 0)")
    conn.execute(
        "INSERT INTO documents (library_id, path, size, mtime_ns, sha256, status, error) VALUES "
        "(1, '/d/scan.pdf', 900, 1, 'x', 'failed', 'no text layer (needs OCR)'), "
        "(1, '/d/bad.pdf', 700, 1, 'y', 'failed', 'corrupt')"
    )
    conn.close()
    upgraded = db.connect(path)
    assert migrations.schema_version(upgraded) == len(migrations.MIGRATIONS)
    sizes = {str(row[0]): row[1] for row in upgraded.execute("SELECT path, size FROM documents")}
    assert sizes == {"/d/scan.pdf": -1, "/d/bad.pdf": 700}
    assert upgraded.execute("SELECT count(*) FROM ocr_pages").fetchone() == (0,)


def test_documents_that_can_hide_text_are_read_again_after_the_upgrade(tmp_path: Path) -> None:
    """Schema 6 leaves hidden text out: a PDF, DOCX or Markdown file indexed before it counts as
    changed (no size, no hash), so the next index run parses it again; plain text is kept as it is."""
    path = tmp_path / "v5.db"
    conn = db.connect(path)
    conn.execute("ALTER TABLE documents DROP COLUMN hidden_spans")
    conn.execute("ALTER TABLE documents DROP COLUMN instruction_passages")
    conn.execute("ALTER TABLE documents DROP COLUMN chunking")
    conn.execute("DROP TABLE marks")  # schema 8
    conn.execute("DROP TABLE judgements")  # schema 9
    conn.execute("DROP TABLE library_vectors")  # schema 10
    conn.execute("DROP TABLE vector_builds")
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO libraries (name, created) VALUES ('docs', 0)")
    conn.execute(
        "INSERT INTO documents (library_id, path, size, mtime_ns, sha256, format, status) VALUES "
        "(1, '/d/a.pdf', 900, 1, 'x', 'pdf', 'indexed'), (1, '/d/b.docx', 800, 1, 'y', 'docx', 'indexed'), "
        "(1, '/d/c.md', 600, 1, 'z', 'markdown', 'indexed'), (1, '/d/d.txt', 700, 1, 'w', 'text', 'indexed')"
    )
    conn.close()
    upgraded = db.connect(path)
    assert migrations.schema_version(upgraded) == len(migrations.MIGRATIONS)
    rows = {str(r[0]): (r[1], r[2], r[3]) for r in upgraded.execute(
        "SELECT path, size, sha256, hidden_spans FROM documents")}
    assert rows == {
        "/d/a.pdf": (-1, "", 0), "/d/b.docx": (-1, "", 0), "/d/c.md": (-1, "", 0), "/d/d.txt": (700, "w", 0)
    }
