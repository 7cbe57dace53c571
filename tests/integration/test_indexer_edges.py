"""Indexing when the world moves underneath: a full disk (SQLite's own page limit, so the write
really fails with SQLITE_FULL), and files rewritten or deleted while they are being indexed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ragtune.core.indexer import Indexer
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.store import db, doctor
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import ParsedDocument
from ragtune.errors import DiskFullError


def rewrite_while_parsing(path: Path) -> ParsedDocument:
    """Parse, then change the file on disk (as an editor saving it at that moment would)."""
    doc = parse_file(path)
    if "busy" in path.name:
        path.write_text(path.read_text() + "\nA line added while Ragtune was reading the file.\n")
    if "doomed" in path.name:
        path.unlink()
    return doc


def _library(tmp_path: Path, files: dict[str, str]) -> tuple[Any, LibraryStore, int, Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    conn = db.connect(tmp_path / "lib.db")
    store = LibraryStore(conn)
    lib = store.create_library("work")
    store.add_source(lib, str(folder))
    return conn, store, lib, folder


def test_full_disk_stops_with_a_clear_message_and_keeps_what_was_saved(
    embedder: Any, tmp_path: Path
) -> None:
    files = {f"note{i}.txt": f"Note {i}. " + "The committee met and agreed the budget. " * 40 for i in range(3)}
    conn, store, lib, folder = _library(tmp_path, files)
    with ParserPool() as pool:
        Indexer(store, embedder, pool).sync("work")
        before = store.stats(lib)
        (folder / "big.txt").write_text("A large new report about harbours. " * 4000)
        pages = conn.execute("PRAGMA page_count").get
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the "disk" is now nearly full
        with pytest.raises(DiskFullError, match=r"full.*intact"):
            Indexer(store, embedder, pool).sync("work")
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.stats(lib).documents == before.documents == 3
    assert store.stats(lib).chunks == before.chunks
    assert doctor.check(conn).ok


def test_files_changed_or_deleted_while_indexing(embedder: Any, tmp_path: Path) -> None:
    files = {
        "calm.txt": "Calm file about lighthouses and their keepers.\n" * 5,
        "busy.txt": "Busy file that an editor rewrites during indexing.\n" * 5,
        "doomed.txt": "Doomed file that is deleted during indexing.\n" * 5,
    }
    conn, store, lib, _folder = _library(tmp_path, files)
    with ParserPool(parse_function=rewrite_while_parsing) as pool:
        report = Indexer(store, embedder, pool).sync("work")
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert reasons["busy.txt"] == "changed while indexing"
    assert "doomed.txt" in reasons
    states = {Path(d.path).name: d.status for d in store.documents(lib)}
    assert states.get("calm.txt") == "indexed"
    assert "doomed.txt" not in states
    assert states.get("busy.txt") != "indexed"
    assert doctor.check(conn).ok
    with ParserPool() as pool:  # the next run picks up the rewritten file
        again = Indexer(store, embedder, pool).sync("work")
    assert again.added + again.updated == 1
    assert not again.failed
