"""Hybrid search: vec0 KNN and FTS5 BM25 over one library, fused into one ranking.

Both searches fetch a candidate pool. Every candidate then gets *both* scores: the cosine similarity
of its stored vector (also for chunks only BM25 found) and its BM25 score (0 when it shares no term
with the query). The fused score is a weighted sum of the two, each min-max normalised over the
pool, which uses how far apart the scores are, where reciprocal rank fusion only sees the order.
The weight was tuned once on SciFact train claims (``benchmarks/bench_retrieval.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import apsw
import numpy as np

from ragtune.core.store import vectors as vec
from ragtune.core.types import Hit

#: weight of the keyword score in the fused score (the vector score gets the rest)
KEYWORD_WEIGHT = 0.5
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
    """(chunk id, BM25 score, higher is better) of one library, best first."""
    match = fts_query(query)
    if match is None or limit <= 0:
        return []
    rows: list[Any] = conn.execute(
        "SELECT f.rowid, bm25(chunks_fts) AS s FROM chunks_fts f "
        "JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id "
        "WHERE chunks_fts MATCH ? AND d.library_id = ? ORDER BY s LIMIT ?",
        (match, library_id, limit),
    ).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def keyword_scores(conn: apsw.Connection, query: str, chunk_ids: Iterable[int]) -> dict[int, float]:
    """BM25 scores of given chunks (those sharing no term with the query are left out)."""
    match = fts_query(query)
    ids = list(chunk_ids)
    if match is None or not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows: Any = conn.execute(
        f"SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid IN ({marks})",
        (match, *ids),
    )
    return {int(r[0]): -float(r[1]) for r in rows}


def vector_search(
    conn: apsw.Connection, library_id: int, query_vector: np.ndarray, limit: int
) -> list[tuple[int, float]]:
    """(chunk id, cosine similarity) of one library, nearest first."""
    return [(cid, 1.0 - dist) for cid, dist in vec.knn(conn, library_id, query_vector, limit)]


def vector_scores(
    conn: apsw.Connection, query_vector: np.ndarray, chunk_ids: Iterable[int]
) -> dict[int, float]:
    """Cosine similarity of given chunks to the query, from their stored vectors."""
    q = np.asarray(query_vector, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    found = vec.vectors_of(conn, list(chunk_ids), q.shape[0])
    return {
        cid: float(np.dot(v, q) / max(float(np.linalg.norm(v)), 1e-12)) for cid, v in found.items()
    }


def _minmax(scores: dict[int, float], ids: Iterable[int], floor: float | None = None) -> dict[int, float]:
    values = list(scores.values())
    if not values:
        return dict.fromkeys(ids, 0.0)
    low = min(values) if floor is None else floor
    high = max(values)
    span = high - low
    return {i: (scores[i] - low) / span if i in scores and span > 0 else 0.0 for i in ids}


def fuse_scores(
    keyword: dict[int, float], vector: dict[int, float], weight: float = KEYWORD_WEIGHT
) -> dict[int, float]:
    """Weighted sum of min-max normalised BM25 (0 = no shared term) and cosine similarity."""
    ids = set(keyword) | set(vector)
    kw = _minmax(keyword, ids, floor=0.0)
    vs = _minmax(vector, ids)
    return {i: weight * kw[i] + (1.0 - weight) * vs[i] for i in ids}


def fuse_rrf(keyword_ranked: list[int], vector_ranked: list[int], k: int = RRF_K) -> dict[int, float]:
    """Plain reciprocal rank fusion (the reference the benchmark compares against)."""
    fused: dict[int, float] = {}
    for ranked in (keyword_ranked, vector_ranked):
        for rank, cid in enumerate(ranked, 1):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank)
    return fused


def _hits(
    conn: apsw.Connection,
    ordered: list[tuple[int, float]],
    keyword_rank: dict[int, int],
    vector_rank: dict[int, int],
    similarity: dict[int, float],
) -> list[Hit]:
    if not ordered:
        return []
    marks = ",".join("?" * len(ordered))
    rows = {
        int(r[0]): r
        for r in conn.execute(
            'SELECT c.id, d.id, d.path, d.title, c.page, c.start, c."end", c.text '
            f"FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})",
            [cid for cid, _ in ordered],
        )
    }
    hits: list[Hit] = []
    for cid, score in ordered:
        r = rows.get(cid)
        if r is None:
            continue
        hits.append(
            Hit(
                chunk_id=cid,
                document_id=int(r[1]),
                path=str(r[2]),
                title=str(r[3]),
                page=int(r[4]),
                start=int(r[5]),
                end=int(r[6]),
                text=str(r[7]),
                score=score,
                keyword_rank=keyword_rank.get(cid),
                vector_rank=vector_rank.get(cid),
                vector_similarity=similarity.get(cid),
            )
        )
    return hits


def hybrid_search(
    conn: apsw.Connection, library_id: int, query: str, query_vector: np.ndarray, k: int
) -> list[Hit]:
    """The ``k`` best chunks of one library for a question, keyword and vector search fused."""
    if k <= 0:
        return []
    pool = pool_size(k)
    kw_list = keyword_search(conn, library_id, query, pool)
    vec_list = vector_search(conn, library_id, query_vector, pool)
    keyword = dict(kw_list)
    vector = dict(vec_list)
    missing_vec = [cid for cid in keyword if cid not in vector]
    vector.update(vector_scores(conn, query_vector, missing_vec))
    missing_kw = [cid for cid in vector if cid not in keyword]
    keyword.update(keyword_scores(conn, query, missing_kw))
    fused = fuse_scores(keyword, vector)
    ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
    keyword_rank = {cid: rank for rank, (cid, _) in enumerate(kw_list, 1)}
    vector_rank = {cid: rank for rank, (cid, _) in enumerate(vec_list, 1)}
    return _hits(conn, ordered, keyword_rank, vector_rank, vector)
