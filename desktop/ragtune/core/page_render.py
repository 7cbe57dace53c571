"""Render one PDF page to PNG with the cited passage's rectangles, for the source viewer. No Qt here.

A passage is the indexed text of a chunk: whitespace, hyphenation and ligatures may differ from what
the page draws, so a whole-passage search often fails. The passage is looked up sentence by
sentence; a sentence that is not found is tried as shorter runs of words, and when nothing at all
is found, its first words. Highlight rectangles are in pixels of the rendered PNG.

A scanned page has no text layer to search: its OCR'd words (kept with their boxes when it was
indexed) are matched against the passage's words instead, and the matched words' boxes, joined
along each line, are the highlight.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from ragtune.core.types import Rect, RenderedPage, WordBox
from ragtune.errors import RagtuneError

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_MIN_SENTENCE_WORDS = 3
_WINDOW_WORDS = 6
_MAX_SEARCHES = 60


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


def _token(word: str) -> str:
    return re.sub(r"\W+", "", word.casefold())


def find_ocr_passage(words: Sequence[WordBox], passage: str) -> list[Rect]:
    """Boxes (page points) of the passage among a page's OCR'd words, one per run of matched
    words on a line; [] when not found. Words are compared without case and punctuation; runs of
    matching words are kept where they line up with the longest one (not stray "of the"s)."""
    page = [_token(w[4]) for w in words]
    wanted = [t for t in (_token(w) for w in passage.split()) if t]
    if not wanted or not page:
        return []
    blocks = [b for b in SequenceMatcher(None, page, wanted, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return []
    longest = max(blocks, key=lambda b: b.size)
    if longest.size < min(2, len(wanted)):
        return []
    slack = len(wanted) // 10 + 5
    matched = sorted(
        i
        for b in blocks
        if abs((b.a - b.b) - (longest.a - longest.b)) <= slack and b.size >= min(2, longest.size)
        for i in range(b.a, b.a + b.size)
    )
    rects: list[Rect] = []
    previous = -2
    for i in matched:
        x0, y0, x1, y1, _text = words[i]
        if rects and i == previous + 1 and _same_line(words[previous][:4], (x0, y0, x1, y1)):
            a = rects[-1]
            rects[-1] = (min(a[0], x0), min(a[1], y0), max(a[2], x1), max(a[3], y1))
        else:
            rects.append((x0, y0, x1, y1))
        previous = i
    return rects


def _same_line(a: Sequence[float], b: Sequence[float]) -> bool:
    """Word ``b`` follows word ``a`` on its line: side by side, overlapping vertically by most of
    the smaller height (or, on a line turned sideways, one above the other overlapping horizontally);
    the next line starts back at the other end, overlapping neither way."""
    def overlap(lo1: float, hi1: float, lo2: float, hi2: float) -> float:
        return max(0.0, min(hi1, hi2) - max(lo1, lo2)) / max(1e-6, min(hi1 - lo1, hi2 - lo2))

    return overlap(a[1], a[3], b[1], b[3]) > 0.6 or overlap(a[0], a[2], b[0], b[2]) > 0.6


def render_pdf_page(
    path: str | Path,
    page_number: int,
    passage: str = "",
    zoom: float = 1.5,
    ocr_words: Sequence[WordBox] | None = None,
) -> RenderedPage:
    """Render page ``page_number`` (1-based) of a PDF at ``zoom`` and find ``passage`` on it
    (among ``ocr_words`` when the page was read by OCR: its words with their boxes)."""
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
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        if ocr_words is not None:  # boxes already from the rendered page's top left
            boxes = find_ocr_passage(ocr_words, passage) if passage else []
            highlights = [(x0 * zoom, y0 * zoom, x1 * zoom, y1 * zoom) for x0, y0, x1, y1 in boxes]
        else:
            rects = find_passage(page, passage) if passage else []
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
            ocr=ocr_words is not None,
        )
    finally:
        doc.close()
