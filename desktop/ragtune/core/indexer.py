"""Bring a library up to date with its sources: scan, diff, parse, chunk, embed, store.

New and changed files are (re)indexed, unchanged ones skipped (size and mtime, confirmed by content
hash when only the mtime moved), deleted ones removed, identical files embedded once. Parsing runs in
a child process ahead of the embedder, so the embedder (the slow part) is kept busy; every document
is written in its own transaction, so a crash or cancel leaves each one fully old or fully new.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ragtune.core.chunking import chunk_document
from ragtune.core.embedding import Embedder, embed_all
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.scan import (
    FileInfo,
    is_under,
    scan_sources,
    sha256_file,
    skipped_by_type,
    unchanged_since,
)
from ragtune.core.instruction_like import count_instruction_like
from ragtune.core.store import exclusions
from ragtune.core.store.library import DocumentRow, LibraryStore
from ragtune.core.types import (
    Chunk,
    FailedFile,
    IndexReport,
    ParsedDocument,
    Progress,
    ProgressCallback,
    Stage,
)
from ragtune.errors import ParseError
from ragtune.settings import chunking_label

log = logging.getLogger(__name__)

#: chunks embedded together; several small documents share one batch
EMBED_BATCH = 64


@dataclass
class _Pending:
    """A parsed, chunked document waiting for its vectors."""

    file: FileInfo
    sha256: str
    doc: ParsedDocument
    chunks: list[Chunk]
    vectors: np.ndarray | None = None  # set when reused from an identical file
    is_update: bool = False


@dataclass
class _Plan:
    to_index: list[tuple[FileInfo, DocumentRow | None]]  # file, its row when already known
    unchanged: int
    removed: list[DocumentRow]


def _reread_notes(to_index: list[tuple[FileInfo, DocumentRow | None]], force: bool) -> list[str]:
    """Why documents indexed by an older Ragtune are read again: schema migration 6 marks them
    (size -1, no hash, still indexed: no other step leaves that) so that hidden text is left out."""
    marked = sum(1 for _f, row in to_index
                 if row is not None and row.size == -1 and not row.sha256 and row.status == "indexed")
    if not marked or force:
        return []
    what = "1 document indexed by an older Ragtune is" if marked == 1 else \
        f"{marked} documents indexed by an older Ragtune are"
    return [f"{what} read again, once, to leave out hidden text (scanned pages are OCR'd again)."]


class Indexer:
    """Indexes one library. Runs on the index lane, the only writer."""

    def __init__(
        self,
        store: LibraryStore,
        embedder: Embedder,
        pool: ParserPool,
        chunk_tokens: int = 220,
        chunk_overlap: int = 40,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.pool = pool
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self._force = False

    def sync(
        self,
        library: str,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        force: bool = False,
    ) -> IndexReport:
        started = time.monotonic()
        report = IndexReport(library=library)
        lib_id = self.store.library_id(library)
        self.store.check_embedding_model(self.embedder.model_id, self.embedder.dim, reset=force, library_id=lib_id)
        sources = self.store.sources(lib_id)
        _emit(progress, Progress(Stage.SCANNING, 0, 0, current=f"Scanning {len(sources)} source(s)"))
        scan = scan_sources([Path(s) for s in sources])
        # A source that is not there (an unplugged drive, a deleted or renamed folder) keeps its
        # documents: deleting them would wipe the index whenever a drive is not mounted. It is
        # reported as missing instead; removing the source drops them. Unreadable folders alike.
        report.missing_sources = sorted({p.path for p in scan.problems if p.reason == "not found"})
        report.failed.extend(p for p in scan.problems if p.reason != "not found")
        kept_roots = {p.path for p in scan.problems if p.reason in ("not found", "unreadable")}
        excluded = exclusions.listed(self.store.conn, lib_id)
        files = exclusions.keep(scan.files, sources, excluded)
        report.skipped = skipped_by_type(
            p for p in scan.skipped if not exclusions.is_excluded(p, sources, excluded)
        )
        self._force = force
        plan = self._plan(lib_id, files, kept_roots, force)
        report.unchanged = plan.unchanged
        report.notes.extend(_reread_notes(plan.to_index, force))
        planned = tuple(str(f.path) for f, _row in plan.to_index)
        _emit(progress, Progress(Stage.PLANNED, 0, len(planned), planned=planned))
        tracker = _Tracker(len(plan.to_index), progress)
        tracker.emit("")
        try:
            self._index_files(lib_id, plan.to_index, report, tracker, cancel)
            # removed last, so a renamed or moved file can reuse the vectors of its old copy
            for row in plan.removed:
                self.store.remove_document(row.id)
                report.removed += 1
        finally:
            report.seconds = time.monotonic() - started
        tracker.finish(report)
        return report

    def _plan(
        self, lib_id: int, files: list[FileInfo], kept_roots: set[str], force: bool
    ) -> _Plan:
        rows = self.store.document_rows(lib_id)
        seen = {str(f.path) for f in files}
        removed = [
            row
            for path, row in rows.items()
            if path not in seen and not any(is_under(path, root) for root in kept_roots)
        ]
        to_index: list[tuple[FileInfo, DocumentRow | None]] = []
        unchanged = 0
        for f in files:
            row = rows.get(str(f.path))
            if row is not None and not force and unchanged_since(f, row.size, row.mtime_ns):
                unchanged += 1
            else:
                to_index.append((f, row))
        return _Plan(to_index, unchanged, removed)

    def _index_files(
        self,
        lib_id: int,
        items: list[tuple[FileInfo, DocumentRow | None]],
        report: IndexReport,
        tracker: _Tracker,
        cancel: threading.Event | None,
    ) -> None:
        pending: list[_Pending] = []
        pending_chunks = 0
        for item in self._prepare(lib_id, items, report, tracker, cancel):
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                return
            pending.append(item)
            if item.vectors is None:
                pending_chunks += len(item.chunks)
            if pending_chunks >= EMBED_BATCH:
                if not self._flush(lib_id, pending, report, tracker, cancel):
                    return
                pending, pending_chunks = [], 0
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            return
        self._flush(lib_id, pending, report, tracker, cancel)

    def _prepare(
        self,
        lib_id: int,
        items: list[tuple[FileInfo, DocumentRow | None]],
        report: IndexReport,
        tracker: _Tracker,
        cancel: threading.Event | None,
    ) -> Iterator[_Pending]:
        """Hash, skip touched-but-identical files, parse (in the child, ahead), chunk."""
        parse_list: list[tuple[FileInfo, str, DocumentRow | None]] = []
        for f, row in items:
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                return
            try:
                sha = sha256_file(f.path)
            except OSError as exc:
                self._fail(lib_id, f, "", "unreadable", str(exc), report, tracker, row)
                continue
            if row is not None and row.sha256 == sha and row.status == "indexed" and not self._force:
                self.store.touch_document(row.id, f.size, f.mtime_ns)
                report.unchanged += 1
                tracker.step(f.path.name)
                continue
            parse_list.append((f, sha, row))
        by_path = {f.path: (f, sha, row) for f, sha, row in parse_list}
        for path, result in self.pool.imap((f.path for f, _, _ in parse_list), tracker.parsing, cancel):
            if cancel is not None and cancel.is_set():
                return  # the file being parsed stays as it was: the next run reads it
            f, sha, row = by_path[path]
            if isinstance(result, ParseError):
                self._fail(lib_id, f, sha, result.reason, result.detail, report, tracker, row)
                continue
            chunks = chunk_document(result, self.embedder.tokenizer, self.chunk_tokens, self.chunk_overlap)
            if not chunks:
                self._fail(lib_id, f, sha, "empty", "no text found", report, tracker, row)
                continue
            item = _Pending(f, sha, result, chunks, is_update=row is not None)
            reused = self.store.vectors_for_sha256(lib_id, sha)
            if reused is not None and [c.text for c in reused[0]] == [c.text for c in chunks]:
                item.vectors = reused[1]
            yield item
            if cancel is not None and cancel.is_set():
                return

    def _flush(
        self,
        lib_id: int,
        pending: list[_Pending],
        report: IndexReport,
        tracker: _Tracker,
        cancel: threading.Event | None,
    ) -> bool:
        """Embed the pending documents' chunks together, then write each document. False if
        cancelled (nothing of the unwritten documents is stored)."""
        first_of: dict[str, _Pending] = {}
        to_embed: list[_Pending] = []
        for p in pending:
            twin = first_of.setdefault(p.sha256, p)
            if p.vectors is None and (twin is p or len(twin.chunks) != len(p.chunks)):
                to_embed.append(p)
        texts = [c.embed_text for p in to_embed for c in p.chunks]
        matrix = embed_all(self.embedder, texts, cancel)  # cancel is checked between ONNX calls
        if matrix is None:
            report.cancelled = True
            return False
        offset = 0
        for p in to_embed:
            p.vectors = matrix[offset : offset + len(p.chunks)]
            offset += len(p.chunks)
        for p in pending:
            if cancel is not None and cancel.is_set():  # documents written so far stay
                report.cancelled = True
                return False
            if p.vectors is None:  # an identical file earlier in this batch
                p.vectors = first_of[p.sha256].vectors
            assert p.vectors is not None
            if _changed_on_disk(p.file):
                report.failed.append(
                    FailedFile(str(p.file.path), "changed while indexing", "it will be indexed on the next scan")
                )
                tracker.step(p.file.path.name)
                continue
            self.store.write_document(
                lib_id,
                str(p.file.path),
                p.file.size,
                p.file.mtime_ns,
                p.sha256,
                p.doc.title,
                p.doc.format,
                len(p.doc.pages),
                p.chunks,
                p.vectors,
                {page.number: page.words for page in p.doc.pages if page.ocr},
                instruction_passages=count_instruction_like(c.text for c in p.chunks),
                hidden_spans=p.doc.hidden_spans,
                chunking=chunking_label(self.chunk_tokens, self.chunk_overlap),
            )
            if p.is_update:
                report.updated += 1
            else:
                report.added += 1
            report.chunks_written += len(p.chunks)
            tracker.step(p.file.path.name, len(p.chunks))
        return True

    def _fail(
        self,
        lib_id: int,
        f: FileInfo,
        sha: str,
        reason: str,
        detail: str,
        report: IndexReport,
        tracker: _Tracker,
        row: DocumentRow | None,
    ) -> None:
        log.info("Could not index %s: %s %s", f.path, reason, detail)
        report.failed.append(FailedFile(str(f.path), reason, detail))
        if f.path.exists():
            self.store.mark_failed(lib_id, str(f.path), f.size, f.mtime_ns, sha, reason, detail)
        elif row is not None:  # deleted while we were indexing
            self.store.remove_document(row.id)
        tracker.step(f.path.name)


class _Tracker:
    """Files done / total, chunks, throughput and ETA for the progress callback."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.callback = callback
        self.done = 0
        self.chunks = 0
        self.current = ""
        self.started = time.monotonic()

    def step(self, current: str, chunks: int = 0) -> None:
        self.done += 1
        self.chunks += chunks
        self.emit(current)

    def emit(self, current: str, parsing: str = "", parse_left_s: float | None = None) -> None:
        self.current = current
        if self.callback is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else None
        self.callback(
            Progress(Stage.INDEXING, self.done, self.total, self.chunks, rate, eta, current, parsing, parse_left_s)
        )

    def parsing(self, path: Path, seconds_left: float | None, note: str = "") -> None:
        """The parser is slow on ``path`` (at the step ``note`` says: "OCR of page 3 of 40"):
        report it with the time left before it gives up (``seconds_left`` None: done with it)."""
        if seconds_left is None:
            self.emit(self.current)
        else:
            self.emit(self.current, f"{path.name} ({note})" if note else path.name, seconds_left)

    def finish(self, report: IndexReport) -> None:
        if self.callback is not None:
            message = "Cancelled" if report.cancelled else "Done"
            self.callback(Progress(Stage.DONE, self.done, self.total, self.chunks, current=message))


def _emit(callback: ProgressCallback | None, progress: Progress) -> None:
    if callback is not None:
        callback(progress)


def _changed_on_disk(f: FileInfo) -> bool:
    try:
        st = f.path.stat()
    except OSError:
        return True
    return st.st_size != f.size or st.st_mtime_ns != f.mtime_ns
