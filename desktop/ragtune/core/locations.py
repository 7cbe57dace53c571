"""Where a passage stands in its document, said the way a person cites it.

Only PDF files have real pages. The other formats are cut into numbered sections (at headings, or
every few thousand characters), so their passages are cited as "section N", never "page N".
"""

from __future__ import annotations

from pathlib import PurePath

#: formats whose numbered parts are the document's own pages
PAGED_SUFFIXES = frozenset({".pdf"})


def has_pages(path: str) -> bool:
    return PurePath(path).suffix.lower() in PAGED_SUFFIXES


def locator(path: str, page: int, short: bool = True, ocr: bool = False) -> str:
    """``p. 4`` / ``page 4`` in a PDF, ``section 4`` elsewhere; empty when the number is unknown.
    A page whose text was read by OCR says so: ``p. 4 (OCR)``."""
    if not page:
        return ""
    if has_pages(path):
        where = f"p. {page}" if short else f"page {page}"
        return f"{where} (OCR)" if ocr else where
    return f"section {page}"


def place(path: str, page: int, short: bool = True, ocr: bool = False) -> str:
    """``manual.pdf, p. 30`` or ``notes.md, section 2``: the file's name and where in it."""
    name = PurePath(path).name
    where = locator(path, page, short, ocr)
    return f"{name}, {where}" if where else name
