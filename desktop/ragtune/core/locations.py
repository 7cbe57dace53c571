"""Where a passage stands in its document, said the way a person cites it.

Only PDF files have real pages. A presentation's parts are its slides ("slide 3") and a
workbook's its sheets, numbered in tab order ("sheet 2"). The other formats are cut into numbered
sections (at headings, or every few thousand characters), so their passages are cited as
"section N", never "page N".
"""

from __future__ import annotations

from pathlib import PurePath

#: formats whose numbered parts are the document's own pages
PAGED_SUFFIXES = frozenset({".pdf"})
#: formats whose numbered parts have a name of their own: suffix → the word for one part
_PART_WORDS = {".pptx": "slide", ".xlsx": "sheet", ".xlsm": "sheet"}


def has_pages(path: str) -> bool:
    return PurePath(path).suffix.lower() in PAGED_SUFFIXES


def locator(path: str, page: int, short: bool = True, ocr: bool = False) -> str:
    """``p. 4`` / ``page 4`` in a PDF, ``slide 4`` in a presentation, ``sheet 4`` in a workbook,
    ``section 4`` elsewhere; empty when the number is unknown. A page whose text was read by OCR
    says so: ``p. 4 (OCR)``."""
    if not page:
        return ""
    if has_pages(path):
        where = f"p. {page}" if short else f"page {page}"
        return f"{where} (OCR)" if ocr else where
    word = _PART_WORDS.get(PurePath(path).suffix.lower(), "section")
    return f"{word} {page}"


def place(path: str, page: int, short: bool = True, ocr: bool = False) -> str:
    """``manual.pdf, p. 30`` or ``notes.md, section 2``: the file's name and where in it."""
    name = PurePath(path).name
    where = locator(path, page, short, ocr)
    return f"{name}, {where}" if where else name
