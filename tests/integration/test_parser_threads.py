"""The parser pool used from two threads at once: each caller gets its own file's result.

The index lane parses a batch through ``imap`` while the reads lane asks for one document's page
text; results come back over one pipe in order, so without care the two swap results.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.ingest.isolation import ParseResult, ParserPool, WaitCallback
from ragtune.core.services import Ragtune
from ragtune.core.types import Page, ParsedDocument
from ragtune.errors import ParseError
from ragtune.settings import Settings


def paced_parse(path: Path) -> ParsedDocument:
    """Parse a text file slowly enough that two callers overlap; 'slow' files take seconds."""
    time.sleep(3.0 if "slow" in path.name else 0.02)
    return ParsedDocument(str(path), path.stem, "text", (Page(1, path.read_text()),))


def _write(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(f"content of {name}")
    return [folder / name for name in names]


def test_two_threads_on_one_pool_get_their_own_results(tmp_path: Path) -> None:
    batch = _write(tmp_path / "batch", [f"doc{i:02}.txt" for i in range(40)])
    single = _write(tmp_path / "single", ["page.txt"])[0]
    indexed: list[tuple[Path, ParsedDocument | ParseError]] = []
    asked: list[ParsedDocument | ParseError] = []
    with ParserPool(parse_function=paced_parse) as pool:
        started = threading.Event()

        def index_lane() -> None:
            for item in pool.imap(batch):
                started.set()
                indexed.append(item)

        indexer = threading.Thread(target=index_lane)
        indexer.start()
        assert started.wait(60)
        for _ in range(3):
            asked.append(pool.parse(single))
        indexer.join(120)
    assert [p for p, _ in indexed] == batch
    for path, result in indexed:
        assert isinstance(result, ParsedDocument)
        assert result.path == str(path)
    assert all(isinstance(r, ParsedDocument) and r.path == str(single) for r in asked)


class WatchedPool(ParserPool):
    """A slow ``ParserPool`` (``paced_parse``) that says when an ``imap`` run has handed out its
    first result: from then on the run holds the pool until its last file is parsed."""

    def __init__(self, first_result: threading.Event) -> None:
        super().__init__(parse_function=paced_parse)
        self.first_result = first_result

    def imap(
        self, paths: Iterable[Path], on_wait: WaitCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[tuple[Path, ParseResult]]:
        for item in super().imap(paths, on_wait, cancel):
            yield item
            self.first_result.set()


def test_page_text_does_not_wait_for_an_index_run(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """page_text has a parser of its own: a file the index lane is stuck on does not hold it up."""
    folder = tmp_path / "batch"
    _write(folder, ["a-first.txt", "slow1.txt", "slow2.txt", "slow3.txt"])
    page = tmp_path / "page.md"
    page.write_text("# Title\n\nThe page text.\n")
    first_result = threading.Event()
    # every parser the library makes is slow on the 'slow' files and says when a run is under way
    monkeypatch.setattr("ragtune.core.library_service.ParserPool", lambda: WatchedPool(first_result))
    svc = Ragtune(tmp_path / "lib.db", Settings(), embedder=embedder)
    try:
        indexer = threading.Thread(target=svc.library.index, args=("batch", [folder]))
        indexer.start()
        assert first_result.wait(60), "the index run never parsed its first file"
        text = svc.library.page_text(str(page), 1)
        index_still_running = indexer.is_alive()  # its three slow files take 9 s in all
        indexer.join(60)
    finally:
        svc.close()
    assert "The page text." in text
    assert index_still_running, "page_text waited for the index run to end"
