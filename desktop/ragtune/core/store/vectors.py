"""The vec0 table ``chunk_vectors`` (rowid = chunk id, partitioned by library) and the ``meta``
rows recording which embedding model filled it.

The table is created when a model is first recorded, because its dimension comes from the model.
sqlite-vec 0.1.9 has no ``INSERT OR REPLACE`` on vec0, so writes delete then insert; a trigger on
``chunks`` deletes a chunk's vector whatever deletes the chunk (a document, a library cascade).
"""

from __future__ import annotations

from typing import Any

import apsw
import numpy as np

VECTOR_TABLE = "chunk_vectors"
MODEL_KEY = "embedding_model"
DIM_KEY = "embedding_dim"


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


def has_vector_table(conn: apsw.Connection) -> bool:
    row: Any = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VECTOR_TABLE,)
    ).fetchone()
    return row is not None


def create_vector_table(conn: apsw.Connection, dim: int) -> None:
    """Create the vec0 table for ``dim``-sized vectors and the trigger that keeps it in step."""
    if dim <= 0 or dim > 8192:
        raise ValueError(f"implausible embedding dimension {dim}")
    conn.execute(
        f"CREATE VIRTUAL TABLE {VECTOR_TABLE} USING vec0("
        f"library_id integer partition key, embedding float[{int(dim)}] distance_metric=cosine)"
    )
    conn.execute(
        f"CREATE TRIGGER chunks_vector_delete AFTER DELETE ON chunks BEGIN "
        f"DELETE FROM {VECTOR_TABLE} WHERE rowid = old.id; END"
    )


def drop_vector_table(conn: apsw.Connection) -> None:
    conn.execute("DROP TRIGGER IF EXISTS chunks_vector_delete")
    conn.execute(f"DROP TABLE IF EXISTS {VECTOR_TABLE}")


def insert_vectors(
    conn: apsw.Connection, library_id: int, chunk_ids: list[int], vectors: np.ndarray
) -> None:
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(chunk_ids):
        raise ValueError(f"{len(chunk_ids)} chunks but vectors of shape {matrix.shape}")
    # no INSERT OR REPLACE on vec0: clear any stale vector under these rowids first
    conn.executemany(f"DELETE FROM {VECTOR_TABLE} WHERE rowid = ?", [(cid,) for cid in chunk_ids])
    conn.executemany(
        f"INSERT INTO {VECTOR_TABLE} (rowid, library_id, embedding) VALUES (?, ?, ?)",
        [(cid, library_id, matrix[i].tobytes()) for i, cid in enumerate(chunk_ids)],
    )


def vectors_of(conn: apsw.Connection, chunk_ids: list[int], dim: int) -> dict[int, np.ndarray]:
    """The stored vectors of some chunks (those that have one)."""
    found: dict[int, np.ndarray] = {}
    if not chunk_ids or not has_vector_table(conn):
        return found
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for rowid, blob in conn.execute(
            f"SELECT rowid, embedding FROM {VECTOR_TABLE} WHERE rowid IN ({marks})", part
        ):
            vec = np.frombuffer(blob, dtype=np.float32)
            if vec.shape[0] == dim:
                found[int(rowid)] = vec
    return found


def knn(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """The ``k`` nearest chunks of one library: (chunk id, cosine distance), nearest first."""
    if k <= 0 or not has_vector_table(conn):
        return []
    blob = np.ascontiguousarray(query_vector, dtype=np.float32).tobytes()
    rows: list[Any] = conn.execute(
        f"SELECT rowid, distance FROM {VECTOR_TABLE} "
        "WHERE embedding MATCH ? AND k = ? AND library_id = ? ORDER BY distance",
        (blob, int(k), int(library_id)),
    ).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]
