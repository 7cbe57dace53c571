"""The SQL of searching and sampling chunks: FTS5 matches, the library filter, chunks read as
``Hit`` objects (``core.retrieval`` ranks and fuses them) and the passages question generation
samples from (``core.evaluate.passage_sample``)."""

from __future__ import annotations

from typing import Any

import apsw

from ragtune.core.store import ocr_pages
from ragtune.core.types import Hit


def fts_matches(conn: apsw.Connection, match: str, depth: int) -> list[tuple[int, float]]:
    """(chunk id, BM25 score, higher is better) of the ``depth`` best FTS5 matches, any library.
    The FTS5 query runs alone: joined to the library filter it is three times slower at 100k chunks."""
    rows: list[Any] = conn.execute(
        "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
        (match, depth),
    ).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def in_library(conn: apsw.Connection, library_id: int, chunk_ids: list[int]) -> set[int]:
    """The ids among ``chunk_ids`` of chunks in the library."""
    # CROSS JOIN keeps chunks as the outer loop: look up each id, never scan the library
    if not chunk_ids:
        return set()
    marks = ",".join("?" * len(chunk_ids))
    return {
        int(r[0])
        for r in conn.execute(
            f"SELECT c.id FROM chunks c CROSS JOIN documents d ON d.id = c.document_id "
            f"WHERE c.id IN ({marks}) AND d.library_id = ?",
            (*chunk_ids, library_id),
        )
    }


def hits(
    conn: apsw.Connection,
    ordered: list[tuple[int, float]],
    keyword_rank: dict[int, int],
    vector_rank: dict[int, int],
    similarity: dict[int, float],
) -> list[Hit]:
    """The chunks of ``ordered`` (id, fused score) as Hits, in that order, with their ranks."""
    if not ordered:
        return []
    marks = ",".join("?" * len(ordered))
    rows = {
        int(r[0]): r
        for r in conn.execute(
            'SELECT c.id, d.id, d.path, d.title, c.page, c.start, c."end", c.text, '
            f"{ocr_pages.IS_OCR_SQL} FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})",
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
                ocr=bool(r[8]),
            )
        )
    return hits


def passage_rows(conn: apsw.Connection, library_id: int, min_chars: int) -> list[tuple[int, int, str, str, int, str]]:
    """(chunk id, document id, path, title, page, text) of the library's indexed chunks of at least
    ``min_chars`` characters, by path and order in the document."""
    rows: list[Any] = conn.execute(
        "SELECT c.id, d.id, d.path, d.title, c.page, c.text FROM chunks c "
        "JOIN documents d ON d.id = c.document_id "
        "WHERE d.library_id = ? AND d.status = 'indexed' AND length(trim(c.text)) >= ? "
        "ORDER BY d.path, c.ordinal, c.id",
        (library_id, min_chars),
    ).fetchall()
    return [(int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5])) for r in rows]
