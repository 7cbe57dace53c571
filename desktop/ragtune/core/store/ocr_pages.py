"""Pages whose text was read by OCR, with their words' boxes (schema 5, ``ocr_pages``).

Written with the document's chunks, in the same transaction, and deleted with it (cascade). A row
marks its page's chunks as OCR text (hits and citations say so) and gives the source viewer the
boxes to highlight a passage on a scanned page, which has no text layer to search.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import apsw

from ragtune.core.types import WordBox

SCHEMA_V5 = """
CREATE TABLE ocr_pages (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page        INTEGER NOT NULL,
    words_json  TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (document_id, page)
);
-- PDFs refused before OCR existed are read again by the next index run (a changed size is stale)
UPDATE documents SET size = -1 WHERE status = 'failed' AND error = 'no text layer (needs OCR)';
"""

#: SQL for "this chunk's page was OCR'd", with ``c`` the chunk and ``d`` its document
IS_OCR_SQL = "EXISTS (SELECT 1 FROM ocr_pages o WHERE o.document_id = d.id AND o.page = c.page)"


def replace(conn: apsw.Connection, document_id: int, pages: Mapping[int, Sequence[WordBox]]) -> None:
    """Set a document's OCR'd pages (inside the caller's transaction)."""
    conn.execute("DELETE FROM ocr_pages WHERE document_id = ?", (document_id,))
    for page, words in sorted(pages.items()):
        conn.execute(
            "INSERT INTO ocr_pages (document_id, page, words_json) VALUES (?, ?, ?)",
            (document_id, page, json.dumps([list(w) for w in words], separators=(",", ":"))),
        )


def words(conn: apsw.Connection, path: str, page: int) -> list[WordBox] | None:
    """The OCR'd words of a page of the document at ``path`` (the latest indexed copy), in reading
    order; None when that page was not OCR'd."""
    row: Any = conn.execute(
        "SELECT o.words_json FROM ocr_pages o JOIN documents d ON d.id = o.document_id "
        "WHERE d.path = ? AND o.page = ? ORDER BY d.indexed_at DESC LIMIT 1",
        (path, page),
    ).fetchone()
    if row is None:
        return None
    return [(float(w[0]), float(w[1]), float(w[2]), float(w[3]), str(w[4])) for w in json.loads(row[0])]
