"""Sampling passages of a library to generate questions from.

A question set generated from a library should cover it, not one long document: ``sample_passages``
takes chunks of the library's indexed documents round-robin over the documents (in a seeded order),
never two from the same (document, page), and skips chunks too short to hold a fact worth asking
about (a heading, a page number). The same library and seed give the same passages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import apsw

from ragtune.core.store import chunk_queries

MIN_CHARS = 200  # a chunk shorter than this (a title, a caption) holds no question worth asking


@dataclass(frozen=True)
class Passage:
    """One chunk to ask about: where it is (``page`` as ``chunks.page`` and ``Hit.page`` hold it)
    and its text."""

    chunk_id: int
    path: str
    title: str
    page: int
    text: str


def sample_passages(
    conn: apsw.Connection, library_id: int, n: int, seed: int = 0, min_chars: int = MIN_CHARS
) -> list[Passage]:
    """Up to ``n`` passages of the library's indexed documents: one chunk per (document, page) at
    most, chosen at random (seeded) among that page's chunks of at least ``min_chars`` characters,
    taken round-robin over the documents in a seeded order so every document gets its turn before
    any gets a second. Deterministic for a given library content and ``seed``."""
    if n <= 0:
        return []
    rows = chunk_queries.passage_rows(conn, library_id, min_chars)
    rng = random.Random(seed)
    by_document: dict[int, list[Passage]] = {}
    for chunk_id, doc_id, path, title, page, text in rows:
        by_document.setdefault(doc_id, []).append(
            Passage(chunk_id, path, title, page, text)
        )
    queues: list[list[Passage]] = []
    for doc_id in sorted(by_document):
        chunks = by_document[doc_id]
        rng.shuffle(chunks)
        one_per_page: dict[int, Passage] = {}
        for passage in chunks:
            one_per_page.setdefault(passage.page, passage)
        queues.append(list(one_per_page.values()))
    rng.shuffle(queues)
    chosen: list[Passage] = []
    while len(chosen) < n and any(queues):
        for queue in queues:
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen
