"""Hybrid search with the real embedded embedder on real SQLite: keyword-only and paraphrased
questions both find the right chunk, FTS5 syntax in a question is taken literally, and a search sees
only its own library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apsw
import pytest

from ragtune.core.retrieval import fts_query, hybrid_search
from ragtune.core.store import db
from ragtune.core.store.library import LibraryStore
from ragtune.core.types import Chunk

PASSAGES = {
    "/lib/handbook.pdf": [
        "Every employee receives 27 days of paid annual leave per calendar year.",
        "The office is open from eight in the morning until six in the evening.",
    ],
    "/lib/falcon.md": [
        "Project Falcon has a budget of 48,000 euros, approved by the steering board.",
        "The ZX-9000 replacement part number is QW-7781-B.",
    ],
    "/lib/garden.txt": [
        "Tomatoes need full sun and regular watering to ripen well.",
        "Compost improves the soil structure of heavy clay gardens.",
    ],
}
OTHER = {"/other/secret.txt": ["Employees receive 27 days of paid annual leave, says the other library."]}


def _write(store: LibraryStore, lib: int, docs: dict[str, list[str]], embedder: Any) -> None:
    for _n, (path, texts) in enumerate(docs.items()):
        title = Path(path).stem
        chunks = [Chunk(i, i + 1, 0, len(t), t, f"{title}\n{t}") for i, t in enumerate(texts)]
        vectors = embedder.embed([c.embed_text for c in chunks])
        store.write_document(lib, path, 10, 1, f"sha{path}", title, "text", len(texts), chunks, vectors)


@pytest.fixture
def conn(tmp_path: Path, embedder: Any) -> Iterator[tuple[apsw.Connection, int, int]]:
    c = db.connect(tmp_path / "lib.sqlite3")
    store = LibraryStore(c)
    store.check_embedding_model(embedder.model_id, embedder.dim)
    main = store.create_library("main")
    other = store.create_library("other")
    _write(store, other, OTHER, embedder)
    _write(store, main, PASSAGES, embedder)
    yield c, main, other
    c.close()


def search(env: tuple[apsw.Connection, int, int], embedder: Any, query: str, k: int = 3) -> list[Any]:
    c, main, _ = env
    return hybrid_search(c, main, query, embedder.embed_query(query), k)


def test_keyword_only_query(conn: tuple[apsw.Connection, int, int], embedder: Any) -> None:
    hits = search(conn, embedder, "QW-7781-B")
    assert "QW-7781-B" in hits[0].text
    assert hits[0].keyword_rank == 1
    assert hits[0].path == "/lib/falcon.md"
    assert hits[0].page == 2


def test_paraphrase_query(conn: tuple[apsw.Connection, int, int], embedder: Any) -> None:
    hits = search(conn, embedder, "how much vacation time do workers get?")
    assert "27 days" in hits[0].text
    assert hits[0].path == "/lib/handbook.pdf"
    assert hits[0].vector_rank == 1
    assert hits[0].vector_similarity is not None
    assert hits[0].vector_similarity > 0.3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_every_hit_has_both_scores(conn: tuple[apsw.Connection, int, int], embedder: Any) -> None:
    hits = search(conn, embedder, "tomatoes sun", k=6)
    assert len(hits) == 6
    assert all(h.vector_similarity is not None for h in hits)
    assert "Tomatoes" in hits[0].text
    assert hits[0].keyword_rank == 1


@pytest.mark.parametrize(
    "query", ['"AND OR ( * NEAR', 'NEAR("rate" AND -x*', "*", '""', "col:umn ^start", "   ", "?!"]
)
def test_fts_syntax_is_literal(conn: tuple[apsw.Connection, int, int], embedder: Any, query: str) -> None:
    hits = search(conn, embedder, query)
    assert len(hits) == 3  # vector search still answers; nothing raised


def test_fts_query_escaping() -> None:
    assert fts_query("the budget of Falcon") == '"budget" OR "falcon"'
    assert fts_query("the of") == '"the" OR "of"'  # only stopwords: keep them
    assert fts_query("( * ") is None


def test_library_filter(conn: tuple[apsw.Connection, int, int], embedder: Any) -> None:
    c, main, other = conn
    query = "27 days of paid annual leave"
    vector = embedder.embed_query(query)
    main_hits = hybrid_search(c, main, query, vector, 10)
    assert main_hits
    assert all(h.path.startswith("/lib/") for h in main_hits)
    assert len(main_hits) == 6
    other_hits = hybrid_search(c, other, query, vector, 10)
    assert [h.path for h in other_hits] == ["/other/secret.txt"]
