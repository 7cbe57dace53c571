"""Which embedding model each library's vectors come from, and the tables a re-embed builds.

A library's vectors live either in the database's shared pair of tables (``chunk_bits`` /
``chunk_embeddings``, their model recorded in ``meta``: every library made before schema 10 and
every library never switched) or in a pair of its own, named in ``library_vectors``. A library
never mixes two models: its vectors are in exactly one pair.

Switching a library to another embedder builds a new pair first (``vector_builds`` names it, so a
crash or a cancel leaves the old pair in use and the work done so far kept for a resume); ``swap``
then points the library at the new pair and removes its old vectors in one transaction. A trigger
on ``chunks`` deletes a chunk's vectors from every pair, so a document removed during a build is
removed from the build too.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import apsw

from ragtune.core.store import vectors as vec

SCHEMA_V10 = """
CREATE TABLE library_vectors (
    library_id INTEGER PRIMARY KEY REFERENCES libraries(id) ON DELETE CASCADE,
    model      TEXT NOT NULL,
    dim        INTEGER NOT NULL,
    suffix     TEXT NOT NULL
);
CREATE TABLE vector_builds (
    library_id INTEGER PRIMARY KEY REFERENCES libraries(id) ON DELETE CASCADE,
    model      TEXT NOT NULL,
    dim        INTEGER NOT NULL,
    suffix     TEXT NOT NULL,
    started    REAL NOT NULL
);
"""

_BITS_PREFIX = "chunk_bits_"
_FLOATS_PREFIX = "chunk_embeddings_"
_TRIGGER_PREFIX = "chunks_vector_delete_"
#: a pair's suffix: its library's id and 8 random hex digits (vec0's shadow tables add more)
_SUFFIX = re.compile(r"^\d+_[0-9a-f]{8}$")


@dataclass(frozen=True)
class Build:
    """A re-embed of one library in progress: its new tables and how far it got."""

    tables: vec.VectorTables
    done: int
    total: int
    started: float


def _own(model: str, dim: int, suffix: str) -> vec.VectorTables:
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"bad vector table suffix {suffix!r}")
    return vec.VectorTables(model, int(dim), _BITS_PREFIX + suffix, _FLOATS_PREFIX + suffix)


def _suffix(tables: vec.VectorTables) -> str:
    return tables.bits[len(_BITS_PREFIX):]


def tables_of(conn: apsw.Connection, library_id: int) -> vec.VectorTables | None:
    """The pair holding ``library_id``'s vectors, with their model; None before its first index
    when no model is recorded yet."""
    row: Any = conn.execute(
        "SELECT model, dim, suffix FROM library_vectors WHERE library_id = ?", (library_id,)
    ).fetchone()
    if row is not None:
        return _own(str(row[0]), int(row[1]), str(row[2]))
    return vec.shared_tables(conn)


def has_own_tables(conn: apsw.Connection, library_id: int) -> bool:
    """Whether ``library_id`` has a pair of vector tables of its own (else the shared pair)."""
    return conn.execute("SELECT 1 FROM library_vectors WHERE library_id = ?", (library_id,)).fetchone() is not None


def _chunk_count(conn: apsw.Connection, library_id: int, missing_from: str | None = None) -> int:
    sql = "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.library_id = ?"
    if missing_from:
        sql += f" AND NOT EXISTS (SELECT 1 FROM {missing_from} v WHERE v.chunk_id = c.id)"
    row: Any = conn.execute(sql, (library_id,)).fetchone()
    return int(row[0])


def build_of(conn: apsw.Connection, library_id: int) -> Build | None:
    """The unfinished re-embed of ``library_id``, if one was started."""
    row: Any = conn.execute(
        "SELECT model, dim, suffix, started FROM vector_builds WHERE library_id = ?", (library_id,)
    ).fetchone()
    if row is None:
        return None
    tables = _own(str(row[0]), int(row[1]), str(row[2]))
    if not vec.table_exists(conn, tables.floats):
        return Build(tables, 0, _chunk_count(conn, library_id), float(row[3]))
    total = _chunk_count(conn, library_id)
    return Build(tables, total - _chunk_count(conn, library_id, tables.floats), total, float(row[3]))


def _drop(conn: apsw.Connection, tables: vec.VectorTables) -> None:
    if tables.shared:
        raise ValueError("the shared vector tables are not dropped here")
    conn.execute(f"DROP TRIGGER IF EXISTS {_TRIGGER_PREFIX}{_suffix(tables)}")
    conn.execute(f"DROP TABLE IF EXISTS {tables.bits}")
    conn.execute(f"DROP TABLE IF EXISTS {tables.floats}")


def start_build(conn: apsw.Connection, library_id: int, model: str, dim: int) -> vec.VectorTables:
    """The new pair for re-embedding ``library_id`` with ``model``: the unfinished one of an earlier
    start with the same model (resumed), else a fresh one (an unfinished build for another model is
    dropped). Call inside a transaction."""
    build = build_of(conn, library_id)
    if build is not None and (build.tables.model, build.tables.dim) == (model, dim) and vec.table_exists(
        conn, build.tables.floats
    ):
        return build.tables
    discard_build(conn, library_id)
    suffix = f"{int(library_id)}_{secrets.token_hex(4)}"
    tables = _own(model, dim, suffix)
    vec.create_vector_table(conn, dim, tables, trigger=_TRIGGER_PREFIX + suffix)
    conn.execute(
        "INSERT INTO vector_builds (library_id, model, dim, suffix, started) VALUES (?, ?, ?, ?, ?)",
        (library_id, model, dim, suffix, time.time()),
    )
    return tables


def discard_build(conn: apsw.Connection, library_id: int) -> None:
    """Forget an unfinished re-embed of ``library_id`` and drop its tables. Call inside a transaction."""
    build = build_of(conn, library_id)
    if build is not None:
        _drop(conn, build.tables)
        conn.execute("DELETE FROM vector_builds WHERE library_id = ?", (library_id,))


def pending(conn: apsw.Connection, library_id: int, tables: vec.VectorTables, limit: int) -> list[tuple[int, str]]:
    """Up to ``limit`` chunks of ``library_id`` (id, text to embed) that have no vector in ``tables``."""
    rows: list[Any] = conn.execute(
        "SELECT c.id, c.embed_text FROM chunks c JOIN documents d ON d.id = c.document_id "
        f"WHERE d.library_id = ? AND NOT EXISTS (SELECT 1 FROM {tables.floats} v WHERE v.chunk_id = c.id) "
        "ORDER BY c.id LIMIT ?",
        (library_id, int(limit)),
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def swap(conn: apsw.Connection, library_id: int) -> vec.VectorTables:
    """Point ``library_id`` at its finished build and remove its old vectors. Call inside the same
    transaction as the last check that nothing is pending."""
    build = build_of(conn, library_id)
    if build is None:
        raise ValueError(f"library {library_id} has no re-embed to finish")
    if build.done != build.total:
        raise ValueError(f"the re-embed of library {library_id} has {build.total - build.done} chunks left")
    old = tables_of(conn, library_id)
    conn.execute(
        "INSERT INTO library_vectors (library_id, model, dim, suffix) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (library_id) DO UPDATE SET model = excluded.model, dim = excluded.dim, "
        "suffix = excluded.suffix",
        (library_id, build.tables.model, build.tables.dim, _suffix(build.tables)),
    )
    conn.execute("DELETE FROM vector_builds WHERE library_id = ?", (library_id,))
    if old is not None and old.shared:
        ids = "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.library_id = ?"
        conn.execute(f"DELETE FROM {old.floats} WHERE chunk_id IN ({ids})", (library_id,))
        conn.execute(f"DELETE FROM {old.bits} WHERE rowid IN ({ids})", (library_id,))
    elif old is not None:
        _drop(conn, old)
    return build.tables


def own_pairs(conn: apsw.Connection) -> list[vec.VectorTables]:
    """Every pair a library uses or a build writes (not the shared one)."""
    rows: list[Any] = conn.execute(
        "SELECT model, dim, suffix FROM library_vectors UNION ALL SELECT model, dim, suffix FROM vector_builds"
    ).fetchall()
    return [_own(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def unused_pairs(conn: apsw.Connection) -> list[str]:
    """The suffixes of pairs of vector tables that no library and no build names."""
    used = {t.bits for t in own_pairs(conn)}
    rows: list[Any] = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'chunk\\_bits\\_%' ESCAPE '\\'"
    ).fetchall()
    return [
        str(r[0])[len(_BITS_PREFIX):]
        for r in rows
        if str(r[0]) not in used and _SUFFIX.fullmatch(str(r[0])[len(_BITS_PREFIX):])
    ]


def drop_unused(conn: apsw.Connection) -> int:
    """Drop pairs of tables no library and no build names any more (a deleted library's); returns
    how many. Call inside a transaction."""
    suffixes = unused_pairs(conn)
    for suffix in suffixes:
        _drop(conn, _own("", 8, suffix))
    return len(suffixes)


def sample_texts(conn: apsw.Connection, library_id: int, limit: int) -> list[str]:
    """Up to ``limit`` passages of ``library_id`` spread over the library (the same ones each time)."""
    rows: list[Any] = conn.execute(
        "SELECT c.embed_text FROM chunks c JOIN documents d ON d.id = c.document_id "
        "WHERE d.library_id = ? ORDER BY (c.id * 2654435761) % 1000003 LIMIT ?",
        (library_id, int(limit)),
    ).fetchall()
    return [str(r[0]) for r in rows]
