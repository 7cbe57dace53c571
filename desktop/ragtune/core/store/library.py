"""Libraries, their sources and documents, and each document's chunks, FTS rows and vectors.

A document is written in one transaction (old chunks, FTS rows and vectors out, new ones in), so a
crash leaves it fully old or fully new. Triggers on ``chunks`` keep ``chunks_fts`` and the vector
tables in step whatever deletes a chunk (a document, a cascade from its library). A library's
vectors are in the pair of tables ``library_vectors.tables_of`` names.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw
import numpy as np

from ragtune.core.library_names import library_name
from ragtune.core.store import library_vectors, ocr_pages
from ragtune.core.store import vectors as vec
from ragtune.core.store.db import transaction
from ragtune.core.types import Chunk, DocumentInfo, Hit, LibraryInfo, LibraryStats, WordBox
from ragtune.errors import EmbeddingModelMismatch, LibraryNotFound, RagtuneError

_CHUNK_COLUMNS = 'ordinal, page, start, "end", text, embed_text'


@dataclass(frozen=True)
class DocumentRow:
    """What the indexer needs to know about a document already in the library."""

    id: int
    library_id: int
    path: str
    size: int
    mtime_ns: int
    sha256: str
    status: str
    error: str


class LibraryStore:
    """Reads and writes of one connection. Writes belong to the index lane (the one writer)."""

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn

    # -- libraries ----------------------------------------------------------------------------
    def library_id(self, name: str) -> int:
        name = library_name(name)  # "my  docs" finds "my docs", as it was stored
        row: Any = self.conn.execute("SELECT id FROM libraries WHERE name = ?", (name,)).fetchone()
        if row is None:
            names = [r[0] for r in self.conn.execute("SELECT name FROM libraries ORDER BY name")]
            known = ", ".join(names) if names else "none yet"
            raise LibraryNotFound(f"No library named {name!r}. Known libraries: {known}.")
        return int(row[0])

    def create_library(self, name: str) -> int:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO libraries (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, time.time()),
            )
            row: Any = self.conn.execute("SELECT id FROM libraries WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def rename_library(self, old: str, new: str) -> None:
        lib_id = self.library_id(old)
        if new == old:
            return
        with transaction(self.conn):
            if self.conn.execute("SELECT 1 FROM libraries WHERE name = ?", (new,)).fetchone():
                raise RagtuneError(f"A library named {new!r} already exists. Choose another name.")
            self.conn.execute("UPDATE libraries SET name = ? WHERE id = ?", (new, lib_id))

    def delete_library(self, name: str) -> None:
        lib_id = self.library_id(name)
        with transaction(self.conn):
            # cascades to sources, documents and chunks; triggers drop FTS rows and vectors
            self.conn.execute("DELETE FROM libraries WHERE id = ?", (lib_id,))
            library_vectors.drop_unused(self.conn)  # its own vector tables, if it had any

    def list_libraries(self) -> list[LibraryInfo]:
        sources: dict[int, list[str]] = {}
        for lib_id, path in self.conn.execute("SELECT library_id, path FROM sources ORDER BY path"):
            sources.setdefault(int(lib_id), []).append(str(path))
        return [
            LibraryInfo(int(lib_id), str(name), tuple(sources.get(int(lib_id), [])))
            for lib_id, name in self.conn.execute("SELECT id, name FROM libraries ORDER BY name")
        ]

    def add_source(self, library_id: int, path: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO sources (library_id, path) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (library_id, path),
            )

    def remove_source(self, library_id: int, path: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "DELETE FROM sources WHERE library_id = ? AND path = ?", (library_id, path)
            )

    def sources(self, library_id: int) -> list[str]:
        return [
            str(r[0])
            for r in self.conn.execute(
                "SELECT path FROM sources WHERE library_id = ? ORDER BY path", (library_id,)
            )
        ]

    # -- reading ------------------------------------------------------------------------------
    def documents(self, library_id: int) -> list[DocumentInfo]:
        rows: Any = self.conn.execute(
            "SELECT d.id, d.path, d.title, d.status, d.error, d.pages, d.size, "
            "(SELECT count(*) FROM chunks c WHERE c.document_id = d.id), d.mtime_ns, d.hidden_spans "
            "FROM documents d WHERE d.library_id = ? ORDER BY d.path",
            (library_id,),
        )
        return [
            DocumentInfo(
                id=int(r[0]),
                path=str(r[1]),
                title=str(r[2]),
                status=str(r[3]),
                error=str(r[4]),
                pages=int(r[5]),
                chunks=int(r[7]),
                size=max(int(r[6]), 0),
                mtime_ns=int(r[8]),
                hidden_spans=int(r[9]),
            )
            for r in rows
        ]

    def stats(self, library_id: int, chunking: str = "") -> LibraryStats:
        """Counts of the library; ``chunking`` (the settings' one) counts the documents split with
        another, which need a re-index."""
        row: Any = self.conn.execute(
            "SELECT coalesce(sum(status = 'indexed'), 0), coalesce(sum(status = 'failed'), 0), "
            "coalesce(sum(CASE WHEN status = 'indexed' THEN pages ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN status = 'indexed' THEN instruction_passages ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN status = 'indexed' THEN hidden_spans ELSE 0 END), 0), "
            "coalesce(sum(status = 'indexed' AND hidden_spans > 0), 0), "
            "coalesce(sum(status = 'indexed' AND chunking NOT IN ('', ?)), 0) "
            "FROM documents WHERE library_id = ?",
            (chunking, library_id),
        ).fetchone()
        chunks: Any = self.conn.execute(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id "
            "WHERE d.library_id = ?",
            (library_id,),
        ).fetchone()
        return LibraryStats(
            documents=int(row[0]),
            failed=int(row[1]),
            pages=int(row[2]),
            chunks=int(chunks[0]),
            database_bytes=self.database_bytes(),
            instruction_passages=int(row[3]),
            hidden_spans=int(row[4]),
            hidden_documents=int(row[5]),
            other_chunking=int(row[6]) if chunking else 0,
            embedder=tables.model if (tables := library_vectors.tables_of(self.conn, library_id)) else "",
            unfinished_switch=(
                (build.tables.model, build.done, build.total)
                if (build := library_vectors.build_of(self.conn, library_id)) else None
            ),
        )

    def database_bytes(self) -> int:
        name = str(self.conn.db_filename("main"))
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.path.getsize(name + suffix)
        return total

    def document_rows(self, library_id: int) -> dict[str, DocumentRow]:
        rows: Any = self.conn.execute(
            "SELECT id, library_id, path, size, mtime_ns, sha256, status, error "
            "FROM documents WHERE library_id = ?",
            (library_id,),
        )
        return {
            str(r[2]): DocumentRow(
                int(r[0]), int(r[1]), str(r[2]), int(r[3]), int(r[4]), str(r[5]), str(r[6]), str(r[7])
            )
            for r in rows
        }

    def vectors_for_sha256(self, library_id: int, sha256: str) -> tuple[list[Chunk], np.ndarray] | None:
        """Chunks and vectors of any indexed document with this content whose vectors come from
        the same model as ``library_id``'s, to reuse them."""
        mine = library_vectors.tables_of(self.conn, library_id)
        if not sha256 or mine is None:
            return None
        found_docs: list[Any] = self.conn.execute(
            "SELECT id, library_id FROM documents WHERE sha256 = ? AND status = 'indexed' ORDER BY id", (sha256,)
        ).fetchall()
        for doc_id, other_library in found_docs:
            theirs = library_vectors.tables_of(self.conn, int(other_library))
            if theirs is None or (theirs.model, theirs.dim) != (mine.model, mine.dim):
                continue
            rows: list[Any] = self.conn.execute(
                f"SELECT id, {_CHUNK_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal",
                (doc_id,),
            ).fetchall()
            if not rows:
                continue
            ids = [int(r[0]) for r in rows]
            found = vec.vectors_of(self.conn, theirs, ids)
            if len(found) != len(ids):
                continue
            chunks = [Chunk(int(r[1]), int(r[2]), int(r[3]), int(r[4]), str(r[5]), str(r[6])) for r in rows]
            return chunks, np.stack([found[i] for i in ids]).astype(np.float32)
        return None

    def chunk(self, chunk_id: int) -> Hit | None:
        """One chunk with its document, for the source viewer."""
        r = self.conn.execute(
            'SELECT c.id, d.id, d.path, d.title, c.page, c.start, c."end", c.text, '
            f"{ocr_pages.IS_OCR_SQL} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?",
            (chunk_id,),
        ).fetchone()
        if r is None:
            return None
        return Hit(
            int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), int(r[5]), int(r[6]), str(r[7]), 0.0, ocr=bool(r[8])
        )

    # -- embedding model ----------------------------------------------------------------------
    def check_embedding_model(
        self, model_id: str, dim: int, reset: bool = False, library_id: int | None = None
    ) -> None:
        """Check that ``library_id``'s vectors come from ``model_id``. A library with vector tables
        of its own is refused when they hold another model's. Else this is the shared tables':
        record the model on first use; refuse (or, with ``reset``, clear the vectors of every
        library on the shared tables and queue their documents for re-indexing) when the database
        was built with another one."""
        if library_id is not None and library_vectors.has_own_tables(self.conn, library_id):
            own = library_vectors.tables_of(self.conn, library_id)
            if own is not None and (own.model, own.dim) != (model_id, dim):
                raise EmbeddingModelMismatch(
                    f"This library's passages were embedded with {own.model} ({own.dim} dimensions), "
                    f"but {model_id} ({dim} dimensions) was about to be used. Vectors of different "
                    "models cannot be mixed; choose the library's embedding model to switch it.",
                    cli_hint="ragtune embedder use NAME --library LIBRARY",
                )
            return
        recorded = vec.recorded_model(self.conn)
        if recorded == (model_id, dim) and vec.has_vector_table(self.conn):
            return
        if recorded is not None and recorded != (model_id, dim) and not reset:
            old_model, old_dim = recorded
            raise EmbeddingModelMismatch(
                f"The library database was built with the embedding model {old_model} ({old_dim} "
                f"dimensions), but {model_id} ({dim} dimensions) is selected now. Vectors of "
                f"different models cannot be mixed. Re-index the library (or switch back to {old_model}).",
                cli_hint="ragtune index --library NAME --rebuild",
            )
        with transaction(self.conn):
            if recorded is not None and recorded != (model_id, dim):
                vec.drop_vector_table(self.conn)  # and its trigger: chunks go below
                shared = "library_id NOT IN (SELECT library_id FROM library_vectors)"
                self.conn.execute(  # the FTS trigger clears chunks_fts
                    f"DELETE FROM chunks WHERE document_id IN (SELECT id FROM documents WHERE {shared})"
                )
                self.conn.execute(
                    f"UPDATE documents SET size = -1, status = 'queued' WHERE status = 'indexed' AND {shared}"
                )
            if not vec.has_vector_table(self.conn):
                vec.create_vector_table(self.conn, dim)
            vec.set_meta(self.conn, vec.MODEL_KEY, model_id)
            vec.set_meta(self.conn, vec.DIM_KEY, str(dim))

    # -- writing (index lane) -----------------------------------------------------------------
    def touch_document(self, doc_id: int, size: int, mtime_ns: int) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE documents SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, doc_id)
            )

    def _upsert(
        self,
        library_id: int,
        path: str,
        values: dict[str, object],
    ) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" * len(values))
        updates = ", ".join(f"{c} = excluded.{c}" for c in values)
        row: Any = self.conn.execute(
            f"INSERT INTO documents (library_id, path, {columns}) VALUES (?, ?, {marks}) "
            f"ON CONFLICT (library_id, path) DO UPDATE SET {updates} RETURNING id",
            (library_id, path, *values.values()),
        ).fetchone()
        doc_id = int(row[0])
        self.conn.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM ocr_pages WHERE document_id = ?", (doc_id,))
        return doc_id

    def write_document(
        self,
        library_id: int,
        path: str,
        size: int,
        mtime_ns: int,
        sha256: str,
        title: str,
        format: str,
        pages: int,
        chunks: list[Chunk],
        vectors: np.ndarray,
        ocr: Mapping[int, Sequence[WordBox]] | None = None,
        instruction_passages: int = 0,
        hidden_spans: int = 0,
        chunking: str = "",
    ) -> int:
        """Replace a document's row, chunks, FTS rows and vectors in one transaction, with its
        OCR'd pages (``ocr``: page number → words with boxes) and how many of its chunks look like
        instructions to a model (``instruction_passages``) and how many spans of text a person cannot
        see were left out of it (``hidden_spans``)."""
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors for {path}")
        with transaction(self.conn):
            doc_id = self._upsert(
                library_id,
                path,
                {
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "sha256": sha256,
                    "title": title or Path(path).name,
                    "format": format,
                    "pages": pages,
                    "status": "indexed",
                    "error": "",
                    "detail": "",
                    "indexed_at": time.time(),
                    "instruction_passages": instruction_passages,
                    "hidden_spans": hidden_spans,
                    "chunking": chunking,
                },
            )
            ids: list[int] = []
            for c in chunks:
                row: Any = self.conn.execute(
                    f"INSERT INTO chunks (document_id, {_CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    (doc_id, c.ordinal, c.page, c.start, c.end, c.text, c.embed_text),
                ).fetchone()
                ids.append(int(row[0]))
            tables = library_vectors.tables_of(self.conn, library_id)
            if tables is None:
                raise RagtuneError("No embedding model is recorded for this library yet; index it first.")
            vec.insert_vectors(self.conn, tables, library_id, ids, vectors)
            ocr_pages.replace(self.conn, doc_id, ocr or {})
        return doc_id

    def mark_failed(
        self,
        library_id: int,
        path: str,
        size: int,
        mtime_ns: int,
        sha256: str,
        reason: str,
        detail: str,
    ) -> int:
        """Record a document that could not be indexed (and drop any chunks it had)."""
        with transaction(self.conn):
            return self._upsert(
                library_id,
                path,
                {
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "sha256": sha256,
                    "title": Path(path).name,
                    "format": Path(path).suffix.lstrip(".").lower(),
                    "pages": 0,
                    "status": "failed",
                    "error": reason,
                    "detail": detail,
                    "indexed_at": time.time(),
                    "hidden_spans": 0,  # nothing of it is indexed
                },
            )

    def remove_document(self, doc_id: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
