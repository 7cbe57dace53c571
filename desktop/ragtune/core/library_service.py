"""``Library``: the library part of the service (``svc.library``): libraries, sources, indexing,
search, doctor, and the page text the source viewer shows. Each library is indexed and searched
with its own embedding model (``svc.library.embedders``).

Each thread uses its own connection of the session's ``Database`` (WAL lets readers run while the
index lane writes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import apsw

from ragtune.core import named_search
from ragtune.core.current_settings import CurrentSettings
from ragtune.core.embedder_service import LibraryEmbedders
from ragtune.core.embedding import Embedder, load_default_embedder
from ragtune.core.indexer import Indexer
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.scan import is_under, on_disk_case
from ragtune.core.library_names import default_library, library_name
from ragtune.core.page_render import render_pdf_page
from ragtune.core.retrieval import hybrid_search
from ragtune.core.store import db, doctor, exclusions, index_lock, library_vectors, ocr_pages
from ragtune.core.store.database import Database
from ragtune.core.store.db import transaction
from ragtune.core.store.faults import translate_errors
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import (
    DocumentInfo,
    Hit,
    IndexReport,
    LibraryInfo,
    LibraryStats,
    ProgressCallback,
    RenderedPage,
    WordBox,
)
from ragtune.errors import LibraryNotFound, ParseError, RagtuneError, SourceNotFound
from ragtune.settings import Settings

log = logging.getLogger(__name__)


@translate_errors  # SQLite's damaged-file, disk-full and read-only errors, in plain words
class Library:
    """Libraries and their documents (``svc.library``; the contract in ``ragtune.core.services``).
    Reads and writes through ``database`` (a connection per thread); reads ``settings`` from the
    session's one ``CurrentSettings``."""

    def __init__(
        self,
        database: Database,
        settings: CurrentSettings,
        embedder: Embedder | None,
        embedder_loader: Callable[[str], Embedder] | None = None,
    ) -> None:
        self.database = database
        self._settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()
        self.embedders = (
            LibraryEmbedders(database, lambda: self.embedder, embedder_loader)
            if embedder_loader is not None
            else LibraryEmbedders(database, lambda: self.embedder)
        )
        self._pool: ParserPool | None = None  # the index lane's
        # The source viewer's, on the reads lane. A pool serves one run at a time, and an index run
        # holds its pool for the whole batch (files parsed ahead, results matched by order), so
        # sharing it would keep the viewer waiting for the run to end, or up to a parse time-out
        # on a stuck file. A second child process, started only when a page is shown, costs less.
        self._page_pool: ParserPool | None = None
        self._page_cache: tuple[str, dict[int, str]] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings.value

    @property
    def db_path(self) -> Path:
        return self.database.db_path

    def connection(self) -> apsw.Connection:
        """This thread's connection to the library database."""
        return self.database.connection()

    def _store(self) -> LibraryStore:
        return LibraryStore(self.connection())

    def read_only_note(self) -> str:
        """What to tell a person when the database was opened read-only; "" otherwise."""
        return self.database.read_only_note()

    @property
    def embedder(self) -> Embedder:
        """The default embedding model (new libraries are indexed with it)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = load_default_embedder()
            return self._embedder

    def embedder_of(self, library: str) -> Embedder:
        """The embedding model ``library``'s vectors come from."""
        return self.embedders.of(self._store().library_id(library))

    def _parser_pool(self) -> ParserPool:
        with self._lock:
            if self._pool is None:
                self._pool = ParserPool()
            return self._pool

    def _page_parser_pool(self) -> ParserPool:
        with self._lock:
            if self._page_pool is None:
                self._page_pool = ParserPool()
            return self._page_pool

    def close(self) -> None:
        """Stop the parser children (the database is the facade's to close)."""
        with self._lock:
            for pool in (self._pool, self._page_pool):
                if pool is not None:
                    pool.close()
            self._pool = self._page_pool = None

    # -- libraries --------------------------------------------------------------------------
    def libraries(self) -> list[LibraryInfo]:
        """Every library with its sources, those of them missing now, and its exclusions."""
        excluded = exclusions.by_library(self.connection())
        return [
            replace(
                info,
                missing=tuple(s for s in info.sources if not _exists(s)),
                excluded=tuple(excluded.get(info.id, ())),
            )
            for info in self._store().list_libraries()
        ]

    def default_library(self) -> str:
        """The library used when none is named (``core.library_names.default_library``)."""
        return default_library([info.name for info in self._store().list_libraries()])

    def exclusions(self, library: str) -> list[str]:
        """Files and folders removed from inside the library's sources (left out of re-scans)."""
        return exclusions.listed(self.connection(), self._store().library_id(library))

    def create_library(self, name: str) -> LibraryInfo:
        name = library_name(name)
        store = self._store()
        store.create_library(name)
        return next(info for info in store.list_libraries() if info.name == name)

    def rename_library(self, old: str, new: str) -> None:
        self._store().rename_library(old, library_name(new))

    def delete_library(self, name: str) -> None:
        """Delete a library and its index; refused while it is being indexed or switched to
        another embedding model (``LibraryBusy``)."""
        store = self._store()
        lib_id = store.library_id(name)
        with index_lock.library_lock(self.db_path, lib_id, name, wait=False):
            store.delete_library(name)

    def documents(self, library: str) -> list[DocumentInfo]:
        store = self._store()
        return store.documents(store.library_id(library))

    def stats(self, library: str) -> LibraryStats:
        store = self._store()
        return store.stats(store.library_id(library), self.settings.chunking)

    # -- indexing (index lane) -----------------------------------------------------------------
    def index(
        self,
        library: str,
        paths_: Sequence[str | Path] = (),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        force: bool = False,
    ) -> IndexReport:
        """Add ``paths_`` as sources of ``library`` (created if needed), then bring it up to date.

        Paths that do not exist are refused before anything is written (:class:`SourceNotFound`).
        Naming a path that was removed from inside a source includes it again. Only one run per
        library works at a time, across processes: a second one waits, then finds the work done."""
        store = self._store()
        db.require_writable(store.conn)  # read-only media: refuse before any work
        library = library_name(library)
        if paths_:
            targets = [_existing(p) for p in paths_]
            lib_id = store.create_library(library)
            self._add_sources(store, lib_id, targets)
        else:
            lib_id = store.library_id(library)  # raises LibraryNotFound
        with index_lock.library_lock(self.db_path, lib_id, library, progress, cancel) as held:
            if not held:  # cancelled while waiting for another run: nothing was done
                return IndexReport(library=library, cancelled=True)
            indexer = Indexer(
                store,
                self.embedders.of(lib_id),
                self._parser_pool(),
                self.settings.chunk_tokens,
                self.settings.chunk_overlap,
            )
            return indexer.sync(library, progress, cancel, force=force)

    def _add_sources(self, store: LibraryStore, lib_id: int, targets: list[str]) -> None:
        conn = self.connection()
        for target in targets:
            exclusions.lift(conn, lib_id, target)
            sources = store.sources(lib_id)
            inside_source = any(is_under(target, s) for s in sources)
            inside_exclusion = any(is_under(target, e) for e in exclusions.listed(conn, lib_id))
            # a path a source already reaches needs no source of its own (and removing it later
            # then records an exclusion); inside an excluded folder it does, to win over it
            if not inside_source or inside_exclusion:
                store.add_source(lib_id, target)

    def remove(self, library: str, path: str | Path) -> int:
        """Remove a source, or a file or folder inside one, from a library; returns the documents
        removed. What is removed from inside a source is recorded as an exclusion, so re-scans
        leave it out; ``index(library, [path])`` includes it again."""
        store, library = self._store(), library_name(library)
        db.require_writable(store.conn)
        lib_id = store.library_id(library)
        target = str(on_disk_case(Path(path).expanduser().resolve()))
        sources = store.sources(lib_id)
        covered = [s for s in sources if is_under(s, target)]  # the target and sources inside it
        inside_other = any(is_under(target, s) for s in sources if s != target)
        documents = [row for p, row in store.document_rows(lib_id).items() if is_under(p, target)]
        if not covered and not (inside_other and (documents or _exists(target))):
            raise RagtuneError(f"{target} is not a source or document of library {library!r}.")
        conn = self.connection()
        # not while another process indexes the library: it could write a removed file back
        with index_lock.library_lock(self.db_path, lib_id, library, wait=False), transaction(conn):
            for row in documents:
                store.remove_document(row.id)
            for source in covered:
                store.remove_source(lib_id, source)
            if inside_other:
                exclusions.add(conn, lib_id, target)
            exclusions.prune(conn, lib_id, store.sources(lib_id))
        return len(documents)

    def doctor(self) -> doctor.DoctorReport:
        return doctor.check(self.connection(), self.settings.chunking)

    # -- search (any thread) -------------------------------------------------------------------
    def search(self, library: str, query: str, k: int = 10) -> list[Hit]:
        return self.search_many(library, [query], k)[0]

    def passages_for(self, library: str, question: str, k: int = 10) -> list[Hit]:
        """The passages to answer ``question`` from (``core.named_search``): the search's ``k``
        best, and passages naming what the question names when none of those does."""
        return named_search.passages_for(
            lambda query, n: self.search(library, query, n), self.embedder_of(library), question, k
        )

    def search_many(self, library: str, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
        store = self._store()
        lib_id = store.library_id(library)
        results: list[list[Hit]] = []
        for query in queries:
            if not query.strip():
                results.append([])
                continue
            # one state of the database: a switch to another model committing meanwhile is seen
            # whole or not at all, and the question is embedded with the model of what is read
            with db.snapshot(self.connection()) as conn:
                tables = library_vectors.tables_of(conn, lib_id)
                vector = self.embedders.for_tables(tables).embed_query(query)
                results.append(hybrid_search(conn, lib_id, query, vector, k, tables=tables))
        return results

    def library_id(self, library: str) -> int:
        return self._store().library_id(library)

    def page_text(self, path: str, page: int) -> str:
        """The text of one page of a document, as indexed (the source viewer highlights in it)."""
        cached = self._page_cache
        if cached is None or cached[0] != path:
            doc = self._page_parser_pool().parse(Path(path))
            if isinstance(doc, ParseError):
                raise RagtuneError(f"{Path(path).name} can no longer be read: {doc}.")
            cached = (path, {p.number: p.text for p in doc.pages})
            self._page_cache = cached
        if page not in cached[1]:
            raise RagtuneError(f"{Path(path).name} has no page {page}.")
        return cached[1][page]

    def render_page(self, path: str, page: int, passage: str = "", zoom: float = 1.5, ocr: bool = False) -> RenderedPage:
        """Page ``page`` of a PDF rendered at ``zoom``, with where ``passage`` is on it (among the
        page's OCR'd words when it was read by OCR: ``ocr``), for the source viewer."""
        return render_pdf_page(path, page, passage, zoom, self.ocr_words(path, page) if ocr else None)

    def ocr_words(self, path: str, page: int) -> list[WordBox] | None:
        """The OCR'd words (with boxes) of a scanned page as indexed; None when it was not OCR'd."""
        return ocr_pages.words(self.connection(), path, page)


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:  # e.g. a network drive that does not answer
        return False


def _existing(path: str | Path) -> str:
    """The absolute, resolved form of a path to add; refused when nothing is there."""
    resolved = on_disk_case(Path(path).expanduser().resolve())
    if not _exists(str(resolved)):
        raise SourceNotFound(
            f"{resolved} does not exist, so it was not added. Check the spelling, or that the drive "
            "holding it is connected."
        )
    return str(resolved)


__all__ = ["Library", "LibraryNotFound"]
