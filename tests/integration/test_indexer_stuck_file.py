"""Indexing progress names the file the parser is stuck on and how long until it gives up, so a
progress display never shows a stale "about 13 s left" while one file runs into its time limit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ragtune.core.indexer import Indexer
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.store import db
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import ParsedDocument, Progress

TIME_LIMIT_S = 4.0


def stuck_on_scans(path: Path) -> ParsedDocument:
    if "scan" in path.name:
        time.sleep(60)
    return parse_file(path)


def test_a_slow_file_is_named_with_its_time_left(embedder: Any, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a-notes.txt", "b-scan.txt", "c-minutes.txt"):
        (folder / name).write_text(f"{name}: the harbour committee met on Tuesday.\n" * 5)
    store = LibraryStore(db.connect(tmp_path / "lib.db"))
    store.add_source(store.create_library("work"), str(folder))
    seen: list[tuple[float, Progress]] = []
    with ParserPool(timeout_s=TIME_LIMIT_S, parse_function=stuck_on_scans) as pool:
        report = Indexer(store, embedder, pool).sync("work", progress=lambda p: seen.append((time.monotonic(), p)))

    assert [Path(f.path).name for f in report.failed] == ["b-scan.txt"]
    assert report.added == 2
    slow = [(t, p) for t, p in seen if p.parsing]
    assert slow
    # the stuck file is named first (on a loaded machine the restarted worker's first file may be
    # named too, while the fresh interpreter starts: that is true, not stale)
    first_time, first = slow[0]
    assert first.parsing == "b-scan.txt"
    assert {p.parsing for _, p in slow} <= {"b-scan.txt", "c-minutes.txt"}
    assert first.stage == "indexing"
    assert first.parse_left_s is not None
    assert 0 < first.parse_left_s < TIME_LIMIT_S
    # the parser gave up about when the countdown said, and said so (parsing cleared)
    after = [(t, p) for t, p in seen if t > first_time and not p.parsing]
    assert after
    assert after[0][0] - first_time >= first.parse_left_s - 0.5
