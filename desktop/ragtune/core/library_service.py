"""The library half of the service API: libraries, sources, indexing, search, doctor.

Each thread gets its own database connection (WAL lets readers run while the index lane writes).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import apsw

from ragtune import paths
from ragtune.core.embedding import Embedder, load_default_embedder
from ragtune.core.indexer import Indexer
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.retrieval import hybrid_search
from ragtune.core.store import db, doctor
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import (
    DocumentInfo,
    Hit,
    IndexReport,
    LibraryInfo,
    LibraryStats,
    ProgressCallback,
)
from ragtune.errors import LibraryNotFound, ParseError, RagtuneError
from ragtune.settings import Settings

log = logging.getLogger(__name__)


class LibraryService:
    """Libraries and their documents. See the contract in ``ragtune.core.services``."""

    def __init__(
        self, db_path: Path | None, settings: Settings, embedder: Embedder | None
    ) -> None:
        self.db_path = db_path or paths.database_path()
        self.settings = settings
        self._embedder = embedder
        self._local = threading.local()
        self._connections: list[apsw.Connection] = []
        self._lock = threading.Lock()
        self._pool: ParserPool | None = None
        self._page_cache: tuple[str, dict[int, str]] | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def _conn(self) -> apsw.Connection:
        conn: apsw.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = db.connect(self.db_path)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _store(self) -> LibraryStore:
        return LibraryStore(self._conn())

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_default_embedder()
            return self._embedder

    def _parser_pool(self) -> ParserPool:
        with self._lock:
            if self._pool is None:
                self._pool = ParserPool()
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            for conn in self._connections:
                with contextlib.suppress(apsw.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- libraries --------------------------------------------------------------------------
    def libraries(self) -> list[LibraryInfo]:
        return self._store().list_libraries()

    def create_library(self, name: str) -> LibraryInfo:
        name = _clean_name(name)
        store = self._store()
        store.create_library(name)
        return next(info for info in store.list_libraries() if info.name == name)

    def rename_library(self, old: str, new: str) -> None:
        self._store().rename_library(old, _clean_name(new))

    def delete_library(self, name: str) -> None:
        self._store().delete_library(name)

    def documents(self, library: str) -> list[DocumentInfo]:
        store = self._store()
        return store.documents(store.library_id(library))

    def stats(self, library: str) -> LibraryStats:
        store = self._store()
        return store.stats(store.library_id(library))

    # -- indexing (index lane) -----------------------------------------------------------------
    def index(
        self,
        library: str,
        paths_: Sequence[str | Path] = (),
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        force: bool = False,
    ) -> IndexReport:
        """Add ``paths_`` as sources of ``library`` (created if needed), then bring it up to date."""
        store = self._store()
        if paths_:
            lib_id = store.create_library(_clean_name(library))
            for p in paths_:
                store.add_source(lib_id, str(Path(p).expanduser().resolve()))
        else:
            store.library_id(library)  # raises LibraryNotFound
        indexer = Indexer(
            store,
            self.embedder,
            self._parser_pool(),
            self.settings.chunk_tokens,
            self.settings.chunk_overlap,
        )
        return indexer.sync(library, progress, cancel, force=force)

    def remove(self, library: str, path: str | Path) -> int:
        """Remove a source (or one document) from a library; returns the documents removed."""
        store = self._store()
        lib_id = store.library_id(library)
        target = str(Path(path).expanduser().resolve())
        removed = 0
        for doc_path, row in store.document_rows(lib_id).items():
            if doc_path == target or doc_path.startswith(target.rstrip("/") + "/"):
                store.remove_document(row.id)
                removed += 1
        sources = store.sources(lib_id)
        if target in sources:
            store.remove_source(lib_id, target)
        elif removed == 0:
            raise RagtuneError(f"{target} is not a source or document of library {library!r}.")
        return removed

    def doctor(self) -> doctor.DoctorReport:
        return doctor.check(self._conn())

    # -- search (any thread) -------------------------------------------------------------------
    def search(self, library: str, query: str, k: int = 10) -> list[Hit]:
        return self.search_many(library, [query], k)[0]

    def search_many(self, library: str, queries: Sequence[str], k: int = 10) -> list[list[Hit]]:
        store = self._store()
        lib_id = store.library_id(library)
        results: list[list[Hit]] = []
        for query in queries:
            if not query.strip():
                results.append([])
                continue
            vector = self.embedder.embed_query(query)
            results.append(hybrid_search(self._conn(), lib_id, query, vector, k))
        return results

    def library_id(self, library: str) -> int:
        return self._store().library_id(library)

    def page_text(self, path: str, page: int) -> str:
        """The text of one page of a document, as indexed (the source viewer highlights in it)."""
        cached = self._page_cache
        if cached is None or cached[0] != path:
            doc = self._parser_pool().parse(Path(path))
            if isinstance(doc, ParseError):
                raise RagtuneError(f"{Path(path).name} can no longer be read: {doc}.")
            cached = (path, {p.number: p.text for p in doc.pages})
            self._page_cache = cached
        if page not in cached[1]:
            raise RagtuneError(f"{Path(path).name} has no page {page}.")
        return cached[1][page]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RagtuneError("A library needs a name.")
    if len(cleaned) > 200:
        raise RagtuneError("A library name can be at most 200 characters.")
    return cleaned


__all__ = ["LibraryService", "LibraryNotFound"]
