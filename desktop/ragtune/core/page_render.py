"""Render one PDF page to PNG with the cited passage's rectangles, for the source viewer. No Qt here.

A passage is the indexed text of a chunk: whitespace, hyphenation and ligatures may differ from what
the page draws, so a whole-passage search often fails. The passage is looked up sentence by
sentence; a sentence that is not found is tried as shorter runs of words, and when nothing at all
is found, its first words. Highlight rectangles are in pixels of the rendered PNG.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ragtune.errors import RagtuneError

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PNG pixels

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_MIN_SENTENCE_WORDS = 3
_WINDOW_WORDS = 6
_MAX_SEARCHES = 60


@dataclass(frozen=True)
class RenderedPage:
    """A rendered PDF page and where the passage is on it."""

    png: bytes
    width: int
    height: int
    highlights: list[Rect] = field(default_factory=list)
    page_number: int = 1  # 1-based
    page_count: int = 1


def _words(text: str) -> list[str]:
    return text.split()


def passage_queries(passage: str) -> list[str]:
    """Search strings for a passage: its sentences (long enough to be specific), in order."""
    flat = " ".join(passage.split())
    if not flat:
        return []
    sentences = [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()]
    return [s for s in sentences if len(_words(s)) >= _MIN_SENTENCE_WORDS] or [flat]


def _windows(sentence: str, size: int = _WINDOW_WORDS) -> list[str]:
    """Non-overlapping runs of ``size`` words covering a sentence (the last one may be shorter)."""
    words = _words(sentence)
    runs = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [r for r in runs if len(_words(r)) >= min(_MIN_SENTENCE_WORDS, len(words))]


def find_passage(page: Any, passage: str) -> list[Any]:
    """Rectangles (``pymupdf.Rect``, page points) of the passage on a page; [] when not found."""
    found: list[Any] = []
    budget = _MAX_SEARCHES

    def search(text: str) -> list[Any]:
        nonlocal budget
        if budget <= 0 or not text.strip():
            return []
        budget -= 1
        return list(page.search_for(text))

    queries = passage_queries(passage)
    for sentence in queries:
        rects = search(sentence)
        if not rects:
            for run in _windows(sentence):
                rects.extend(search(run))
        found.extend(rects)
    if not found and queries:
        words = _words(queries[0])
        for n in (5, 3):
            if len(words) >= n:
                found = search(" ".join(words[:n]))
                if found:
                    break
    return _dedupe(found)


def _dedupe(rects: list[Any]) -> list[Any]:
    seen: set[tuple[int, int, int, int]] = set()
    unique = []
    for r in rects:
        key = (round(r.x0), round(r.y0), round(r.x1), round(r.y1))
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def render_pdf_page(
    path: str | Path, page_number: int, passage: str = "", zoom: float = 1.5
) -> RenderedPage:
    """Render page ``page_number`` (1-based) of a PDF at ``zoom`` and find ``passage`` on it."""
    import pymupdf

    try:
        doc = pymupdf.open(str(path))
    except Exception as exc:  # pymupdf raises its own types for missing or damaged files
        raise RagtuneError(f"Cannot open {Path(path).name}: {exc}") from exc
    try:
        if doc.needs_pass:
            raise RagtuneError(f"{Path(path).name} is password-protected.")
        count = doc.page_count
        if not 1 <= page_number <= count:
            raise RagtuneError(f"{Path(path).name} has no page {page_number} (it has {count}).")
        page = doc[page_number - 1]
        rects = find_passage(page, passage) if passage else []
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        # Page coordinates start at the cropbox; the pixmap starts at 0.
        ox, oy = page.rect.x0, page.rect.y0
        highlights = [
            ((r.x0 - ox) * zoom, (r.y0 - oy) * zoom, (r.x1 - ox) * zoom, (r.y1 - oy) * zoom)
            for r in rects
        ]
        return RenderedPage(
            png=pix.tobytes("png"),
            width=pix.width,
            height=pix.height,
            highlights=highlights,
            page_number=page_number,
            page_count=count,
        )
    finally:
        doc.close()
