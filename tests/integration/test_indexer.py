"""Indexing end to end through the service: real parsers in the child process, the real embedded
embedder, real SQLite with sqlite-vec and FTS5. Incremental changes, duplicates, bad files, cancel and
the embedding-model check."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pytest

from ragtune.core.services import Ragtune
from ragtune.core.types import Progress
from ragtune.errors import ModelError


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: Any, model_id: str | None = None) -> None:
        self.inner = inner
        self.model_id = model_id or inner.model_id
        self.dim = inner.dim
        self.tokenizer = inner.tokenizer
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        result: np.ndarray = self.inner.embed(texts)
        return result

    def embed_query(self, text: str) -> np.ndarray:
        result: np.ndarray = self.inner.embed_query(text)
        return result


def make_pdf(path: Path, pages: list[str]) -> None:
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(72, 72, 520, 770), text, fontsize=11)
    doc.save(path)
    doc.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(
        folder / "handbook.pdf",
        [
            "Staff handbook. Chapter one covers working hours and the office location in Leeds.",
            "Annual leave: every employee receives 27 days of paid holiday per calendar year.",
        ],
    )
    (folder / "notes.md").write_text("# Project Falcon\n\nThe Falcon budget is 48,000 euros.\n")
    (folder / "plain.txt").write_text("The server room door code is changed every quarter.\n")
    return folder


@pytest.fixture
def svc(embedder: Any) -> Iterator[Ragtune]:
    service = Ragtune(embedder=CountingEmbedder(embedder))
    yield service
    service.close()


def counting(svc: Ragtune) -> CountingEmbedder:
    emb = svc.embedder
    assert isinstance(emb, CountingEmbedder)
    return emb


def test_index_search_and_page_numbers(svc: Ragtune, corpus: Path) -> None:
    report = svc.library.index("work", [corpus])
    assert (report.added, report.failed, report.cancelled) == (3, [], False)
    hits = svc.library.search("work", "how many days of paid holiday", k=3)
    assert hits[0].path.endswith("handbook.pdf")
    assert hits[0].page == 2
    assert "27 days" in hits[0].text
    assert hits[0].keyword_rank is not None or hits[0].vector_rank is not None
    stats = svc.library.stats("work")
    assert (stats.documents, stats.pages) == (3, 4)
    assert svc.library.doctor().ok


def test_incremental_changes(svc: Ragtune, corpus: Path) -> None:
    svc.library.index("work", [corpus])
    emb = counting(svc)
    before = emb.embedded

    again = svc.library.index("work")
    assert (again.added, again.updated, again.unchanged, emb.embedded) == (0, 0, 3, before)

    # mtime moves, content identical: confirmed by hash, not re-embedded
    os.utime(corpus / "plain.txt", ns=(1, 1))
    touched = svc.library.index("work")
    assert (touched.updated, touched.unchanged, emb.embedded) == (0, 3, before)

    (corpus / "plain.txt").write_text("The server room door code is 4417 since March.\n")
    changed = svc.library.index("work")
    assert changed.updated == 1
    assert emb.embedded > before
    assert "4417" in svc.library.search("work", "server room door code", k=1)[0].text

    # a renamed file: removed + added, its vectors reused from the identical content
    before = emb.embedded
    (corpus / "notes.md").rename(corpus / "falcon.md")
    renamed = svc.library.index("work")
    assert (renamed.removed, renamed.added, emb.embedded) == (1, 1, before)

    # a duplicate file is embedded once
    shutil.copy(corpus / "falcon.md", corpus / "falcon copy.md")
    dup = svc.library.index("work")
    assert (dup.added, emb.embedded) == (1, before)

    (corpus / "falcon copy.md").unlink()
    deleted = svc.library.index("work")
    assert deleted.removed == 1
    paths = {d.path for d in svc.library.documents("work")}
    assert not any(p.endswith("falcon copy.md") for p in paths)
    assert svc.library.doctor().ok


def test_bad_files_fail_alone(svc: Ragtune, corpus: Path) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    locked = pymupdf.open()
    locked.new_page().insert_text((72, 72), "secret text")
    locked.save(corpus / "locked.pdf", encryption=pymupdf.mupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    report = svc.library.index("work", [corpus])
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert reasons == {"empty.txt": "empty", "broken.pdf": "corrupt", "locked.pdf": "password-protected"}
    assert report.added == 3
    states = {Path(d.path).name: (d.status, d.error) for d in svc.library.documents("work")}
    assert states["locked.pdf"] == ("failed", "password-protected")
    assert states["handbook.pdf"][0] == "indexed"


def test_cancel_leaves_library_consistent_and_resumes(svc: Ragtune, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"doc{i:02d}.txt").write_text(f"Document number {i} talks about topic {i * 7}.\n" * 40)
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.stage == "indexing" and p.done >= 1:
            cancel.set()

    first = svc.library.index("many", [folder], progress=progress, cancel=cancel)
    assert first.cancelled
    assert first.added < 12
    assert svc.library.doctor().ok
    second = svc.library.index("many")
    assert second.added + first.added == 12
    assert second.unchanged == first.added
    assert svc.library.stats("many").documents == 12


def test_a_library_keeps_its_embedding_model_when_the_default_changes(
    embedder: Any, corpus: Path, tmp_path: Path
) -> None:
    """A library records its embedding model: a session whose default model is another one indexes
    and searches the library with the library's own, never mixing the two."""
    with Ragtune(embedder=embedder) as svc:
        svc.library.index("work", [corpus])
        chunks = svc.library.stats("work").chunks
    (corpus / "new.txt").write_text("A new file about lighthouse keepers on the northern coast.\n")
    other = CountingEmbedder(embedder, model_id="some/other-embedding-model")
    with Ragtune(embedder=other) as svc:
        svc.library.index("work")
        assert other.embedded == 0  # the session's default never touched this library
        assert svc.library.embedder_of("work").model_id == embedder.model_id
        assert svc.library.stats("work").chunks == chunks + 1
        assert Path(svc.library.search("work", "lighthouse keepers")[0].path).name == "new.txt"
        assert svc.library.doctor().ok


def test_a_library_whose_model_is_unknown_here_is_refused_before_any_write(
    embedder: Any, corpus: Path, tmp_path: Path
) -> None:
    unknown = CountingEmbedder(embedder, model_id="some/other-embedding-model")
    with Ragtune(embedder=unknown) as svc:
        svc.library.index("work", [corpus])
        chunks = svc.library.stats("work").chunks
    (corpus / "new.txt").write_text("A new file that must not be written.\n")
    counting = CountingEmbedder(embedder)
    with Ragtune(embedder=counting) as svc:
        with pytest.raises(ModelError, match="no embedding model 'some/other-embedding-model'"):
            svc.library.index("work")
        assert counting.embedded == 0
        assert svc.library.stats("work").chunks == chunks


