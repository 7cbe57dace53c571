"""Chunk vectors, stored twice in two shapes, and the ``meta`` rows recording the model that made them.

- ``chunk_bits``: a vec0 table of sign bits (``bit[dim]``, rowid = chunk id, partitioned by library).
  Nearest-neighbour search scans it: 48 bytes a chunk instead of 1,536, so a search over 100k
  chunks reads 5 MB, not 150 MB. Its Hamming ranking only proposes candidates.
- ``chunk_embeddings``: the exact float32 vectors in a plain table keyed by chunk id, read back by
  primary key to score every candidate (from either search) by its true cosine similarity.
On SciFact this two-step search ranks as well as exact float search (benchmarks/bench_retrieval.py).

The shared pair above holds the vectors of every library made with the database's recorded model;
a library switched to another embedder has a pair of its own (``library_vectors``): every function
here takes the ``VectorTables`` to use. The shared tables are created when a model is first
recorded, because the dimension comes from the model.
sqlite-vec 0.1.9 has no ``INSERT OR REPLACE`` on vec0, so writes delete then insert; a trigger on
``chunks`` deletes both rows whatever deletes the chunk (a document, a library cascade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import apsw
import numpy as np

BITS_TABLE = "chunk_bits"
FLOATS_TABLE = "chunk_embeddings"
#: the float vec0 table of schema 1, converted by migration 2
LEGACY_TABLE = "chunk_vectors"
MODEL_KEY = "embedding_model"
DIM_KEY = "embedding_dim"
SHARED_TRIGGER = "chunks_vector_delete"


@dataclass(frozen=True)
class VectorTables:
    """One pair of vector tables and the embedding model whose vectors they hold."""

    model: str
    dim: int
    bits: str = BITS_TABLE
    floats: str = FLOATS_TABLE

    @property
    def shared(self) -> bool:
        return self.bits == BITS_TABLE


def get_meta(conn: apsw.Connection, key: str) -> str | None:
    row: Any = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: apsw.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def recorded_model(conn: apsw.Connection) -> tuple[str, int] | None:
    """The embedding model id and dimension the database was built with, if any."""
    model = get_meta(conn, MODEL_KEY)
    dim = get_meta(conn, DIM_KEY)
    if model is None or dim is None:
        return None
    return model, int(dim)


def table_exists(conn: apsw.Connection, name: str) -> bool:
    row: Any = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def has_vector_table(conn: apsw.Connection) -> bool:
    """Whether the shared pair exists (a model has been recorded)."""
    return table_exists(conn, BITS_TABLE)


def shared_tables(conn: apsw.Connection) -> VectorTables | None:
    """The shared pair with the database's recorded model; None before the first index."""
    model = recorded_model(conn)
    if model is None or not has_vector_table(conn):
        return None
    return VectorTables(model[0], model[1])


def create_vector_table(
    conn: apsw.Connection, dim: int, tables: VectorTables | None = None, trigger: str = SHARED_TRIGGER
) -> None:
    """Create a pair of vector tables for ``dim``-sized vectors (the shared pair unless ``tables``
    names another) and the trigger that deletes a chunk's vectors with it."""
    if dim <= 0 or dim > 8192 or dim % 8:
        raise ValueError(f"implausible embedding dimension {dim}")
    bits, floats = (tables.bits, tables.floats) if tables else (BITS_TABLE, FLOATS_TABLE)
    conn.execute(
        f"CREATE VIRTUAL TABLE {bits} USING vec0("
        f"library_id integer partition key, embedding bit[{int(dim)}])"
    )
    conn.execute(f"CREATE TABLE {floats} (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL)")
    conn.execute(
        f"CREATE TRIGGER {trigger} AFTER DELETE ON chunks BEGIN "
        f"DELETE FROM {bits} WHERE rowid = old.id; "
        f"DELETE FROM {floats} WHERE chunk_id = old.id; END"
    )


def drop_vector_table(conn: apsw.Connection) -> None:
    """Drop the shared pair and its trigger."""
    conn.execute(f"DROP TRIGGER IF EXISTS {SHARED_TRIGGER}")
    for table in (BITS_TABLE, FLOATS_TABLE, LEGACY_TABLE):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def insert_vectors(
    conn: apsw.Connection, tables: VectorTables, library_id: int, chunk_ids: list[int], vectors: np.ndarray
) -> None:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(chunk_ids):
        raise ValueError(f"{len(chunk_ids)} chunks but vectors of shape {matrix.shape}")
    if matrix.shape[0] and matrix.shape[1] != tables.dim:
        raise ValueError(f"vectors of {matrix.shape[1]} dimensions for tables of {tables.dim}")
    rows = [(cid, matrix[i].tobytes()) for i, cid in enumerate(chunk_ids)]
    # no INSERT OR REPLACE on vec0: clear any stale vector under these rowids first
    conn.executemany(f"DELETE FROM {tables.bits} WHERE rowid = ?", [(cid,) for cid in chunk_ids])
    conn.executemany(
        f"INSERT INTO {tables.bits} (rowid, library_id, embedding) VALUES (?, ?, vec_quantize_binary(?))",
        [(cid, library_id, blob) for cid, blob in rows],
    )
    conn.executemany(f"INSERT OR REPLACE INTO {tables.floats} (chunk_id, embedding) VALUES (?, ?)", rows)


def vectors_of(conn: apsw.Connection, tables: VectorTables, chunk_ids: list[int]) -> dict[int, np.ndarray]:
    """The stored float vectors of some chunks (those that have one)."""
    found: dict[int, np.ndarray] = {}
    dim = tables.dim
    if not chunk_ids or not table_exists(conn, tables.floats):
        return found
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for rowid, blob in conn.execute(
            f"SELECT chunk_id, embedding FROM {tables.floats} WHERE chunk_id IN ({marks})", part
        ):
            vec = np.frombuffer(blob, dtype=np.float32)
            if vec.shape[0] == dim:
                found[int(rowid)] = vec
    return found


def knn(
    conn: apsw.Connection, tables: VectorTables, library_id: int, query_vector: np.ndarray, k: int
) -> list[int]:
    """Candidate nearest chunks of one library by Hamming distance of sign bits, nearest first
    (score them with ``vectors_of``: the bits only propose)."""
    if k <= 0 or not table_exists(conn, tables.bits):
        return []
    blob = np.ascontiguousarray(query_vector, dtype=np.float32).tobytes()
    rows: list[Any] = conn.execute(
        f"SELECT rowid FROM {tables.bits} "
        "WHERE embedding MATCH vec_quantize_binary(?) AND k = ? AND library_id = ? ORDER BY distance",
        (blob, int(k), int(library_id)),
    ).fetchall()
    return [int(r[0]) for r in rows]


def convert_legacy(conn: apsw.Connection) -> None:
    """Migration 2: move schema 1's float vec0 table into the two tables above (same vectors)."""
    row: Any = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LEGACY_TABLE,)
    ).fetchone()
    model = recorded_model(conn)
    if row is None or model is None:
        return
    conn.execute(f"DROP TRIGGER IF EXISTS {SHARED_TRIGGER}")
    create_vector_table(conn, model[1])
    conn.execute(
        f"INSERT INTO {FLOATS_TABLE} (chunk_id, embedding) SELECT rowid, embedding FROM {LEGACY_TABLE}"
    )
    conn.execute(
        f"INSERT INTO {BITS_TABLE} (rowid, library_id, embedding) "
        f"SELECT rowid, library_id, vec_quantize_binary(embedding) FROM {LEGACY_TABLE}"
    )
    conn.execute(f"DROP TABLE {LEGACY_TABLE}")
