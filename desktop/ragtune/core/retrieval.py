"""Hybrid search: vec0 nearest neighbours and FTS5 BM25 over one library, fused into one ranking.

Keyword search fetches twice the candidate pool by BM25; the sign-bit vec0 index proposes the
nearest chunks; every candidate of either list is then scored by its exact cosine similarity (from
the stored float vector) and by its BM25 score (a chunk beyond the fetched keyword list gets that
list's lowest score, an upper bound, or 0 when the list holds every match). The fused score is
``KEYWORD_WEIGHT * bm25 / best bm25 + (1 - KEYWORD_WEIGHT) * cosine``: BM25 scaled to the query's
best match, cosine kept as it is, so how far apart the scores are counts, not only their order.
Tuned once on SciFact train claims (``benchmarks/bench_retrieval.py``): 0.3 for the keyword side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import apsw
import numpy as np

from ragtune.core.store import chunk_queries, library_vectors
from ragtune.core.store import vectors as vec
from ragtune.core.types import Hit
from ragtune.errors import EmbeddingModelMismatch

#: weight of the keyword score in the fused score (the vector score gets the rest)
KEYWORD_WEIGHT = 0.3
#: reciprocal rank fusion constant, for ``fuse_rrf`` (the benchmark's reference)
RRF_K = 60
MAX_QUERY_TERMS = 64

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "near"]
)

_WORD = re.compile(r"\w+", re.UNICODE)


def pool_size(k: int) -> int:
    """How many candidates each search fetches for a final list of ``k``."""
    return max(k * 5, 50)


def fts_query(text: str) -> str | None:
    """The user's text as a safe FTS5 query: each word double-quoted (so FTS syntax is taken
    literally), stopwords dropped, OR-joined. None when no word is left."""
    words = [w.lower() for w in _WORD.findall(text)]
    kept = [w for w in words if w not in STOPWORDS] or words
    unique = list(dict.fromkeys(kept))[:MAX_QUERY_TERMS]
    if not unique:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in unique)


def keyword_search(
    conn: apsw.Connection, library_id: int, query: str, limit: int
) -> list[tuple[int, float]]:
    """(chunk id, BM25 score, higher is better) of one library, best first.

    The FTS5 query runs alone (joined to the library filter it is three times slower at 100k
    chunks); its best rows are then kept if they belong to the library, fetching deeper when other
    libraries' chunks crowd the top."""
    match = fts_query(query)
    if match is None or limit <= 0:
        return []
    depth = 2 * limit  # room for other libraries' rows
    while True:
        rows = chunk_queries.fts_matches(conn, match, depth)
        mine = chunk_queries.in_library(conn, library_id, [cid for cid, _score in rows])
        found = [(cid, score) for cid, score in rows if cid in mine]
        if len(found) >= limit or len(rows) < depth:
            return found[:limit]
        depth *= 4


def vector_candidates(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, limit: int,
    tables: vec.VectorTables | None = None,
) -> list[int]:
    """Chunk ids of one library proposed by the sign-bit nearest-neighbour index, nearest first."""
    tables = library_tables(conn, library_id, query_vector, tables)
    return [] if tables is None else vec.knn(conn, tables, library_id, query_vector, limit)


def library_tables(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, tables: vec.VectorTables | None = None
) -> vec.VectorTables | None:
    """The vector tables of ``library_id`` (``tables`` when the caller read them already; None
    before its first index), refused with a clear message when the query vector is not of their
    model's dimension."""
    tables = tables if tables is not None else library_vectors.tables_of(conn, library_id)
    if tables is not None and int(np.asarray(query_vector).shape[-1]) != tables.dim:
        raise EmbeddingModelMismatch(
            f"This library was embedded with {tables.model} ({tables.dim} dimensions); the question was "
            f"embedded with another model ({np.asarray(query_vector).shape[-1]} dimensions), so they "
            "cannot be compared. Search with the library's own embedding model."
        )
    return tables


def vector_search(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, limit: int
) -> list[tuple[int, float]]:
    """(chunk id, cosine similarity) of one library, nearest first (candidates re-scored exactly)."""
    ids = vector_candidates(conn, library_id, query_vector, limit)
    scores = vector_scores(conn, library_id, query_vector, ids)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def vector_scores(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, chunk_ids: Iterable[int],
    tables: vec.VectorTables | None = None,
) -> dict[int, float]:
    """Cosine similarity of given chunks of one library to the query, from their stored vectors."""
    q = np.asarray(query_vector, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    tables = library_tables(conn, library_id, q, tables)
    found = {} if tables is None else vec.vectors_of(conn, tables, list(chunk_ids))
    return {
        cid: float(np.dot(v, q) / max(float(np.linalg.norm(v)), 1e-12)) for cid, v in found.items()
    }


def fuse_scores(
    keyword: dict[int, float],
    vector: dict[int, float],
    weight: float = KEYWORD_WEIGHT,
    keyword_floor: float = 0.0,
) -> dict[int, float]:
    """``weight * bm25 / best bm25 + (1 - weight) * cosine`` for every chunk of either dict; a chunk
    without a BM25 score gets ``keyword_floor``, one without a cosine gets 0."""
    ids = set(keyword) | set(vector)
    best = max(keyword.values(), default=0.0)
    scale = 1.0 / best if best > 0 else 0.0
    return {
        i: weight * max(keyword.get(i, keyword_floor), 0.0) * scale + (1.0 - weight) * vector.get(i, 0.0)
        for i in ids
    }


def fuse_rrf(keyword_ranked: list[int], vector_ranked: list[int], k: int = RRF_K) -> dict[int, float]:
    """Plain reciprocal rank fusion (the reference the benchmark compares against)."""
    fused: dict[int, float] = {}
    for ranked in (keyword_ranked, vector_ranked):
        for rank, cid in enumerate(ranked, 1):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank)
    return fused


def hybrid_search(
    conn: apsw.Connection,
    library_id: int,
    query: str,
    query_vector: np.ndarray,
    k: int,
    weight: float = KEYWORD_WEIGHT,
    tables: vec.VectorTables | None = None,
) -> list[Hit]:
    """The ``k`` best chunks of one library for a question, keyword and vector search fused
    (``tables``: the library's vector tables as the caller read them with the question's model)."""
    if k <= 0:
        return []
    pool = pool_size(k)
    fetch = 2 * pool
    kw_list = keyword_search(conn, library_id, query, fetch)
    keyword = dict(kw_list)
    floor = kw_list[-1][1] if len(kw_list) == fetch else 0.0  # the list holds every match
    proposed = vector_candidates(conn, library_id, query_vector, pool, tables)
    candidates = list(dict.fromkeys([cid for cid, _ in kw_list[:pool]] + proposed))
    vector = vector_scores(conn, library_id, query_vector, candidates, tables)
    fused = fuse_scores(
        {c: keyword[c] for c in candidates if c in keyword}, vector, weight, keyword_floor=floor
    )
    ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
    keyword_rank = {cid: rank for rank, (cid, _) in enumerate(kw_list, 1)}
    vec_ranked = sorted(proposed, key=lambda c: (-vector.get(c, -1.0), c))
    vector_rank = {cid: rank for rank, cid in enumerate(vec_ranked, 1)}
    return chunk_queries.hits(conn, ordered, keyword_rank, vector_rank, vector)
