"""PDF parser (PyMuPDF): one page per PDF page, text in reading order.

Blocks are read top to bottom; where a page is laid out in two columns (two runs of paragraphs side
by side, between full-width blocks such as a title or a figure caption), the left column is read
before the right one instead of interleaving their lines.

A word hyphenated across a line break is joined again ("BooksCor-" / "pus" → "BooksCorpus"), so a
search for it finds it. MuPDF's TEXT_DEHYPHENATE flag only affects its own search, not the text it
extracts, hence :func:`dehyphenate`. The hyphen is kept where it belongs to the word: a compound that
already has one ("state-of-the-" / "art"), a next part that starts with a capital or a digit
("EU-" / "Staaten"), or a pair the document also writes hyphenated within a line ("well-known").
"""

from __future__ import annotations

import re
from collections.abc import Set
from itertools import pairwise
from pathlib import Path

import pymupdf

from ragtune.core.ingest.parsers.common import clean_title, first_line_title, normalize_text
from ragtune.core.types import Page, ParsedDocument
from ragtune.errors import ParseError

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def parse(path: Path) -> ParsedDocument:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # FileDataError, EmptyFileError, RuntimeError...
        raise ParseError("corrupt", f"not a readable PDF ({exc})") from exc
    try:
        if doc.needs_pass and not doc.authenticate(""):
            raise ParseError("password-protected", "the PDF needs a password to open")
        if doc.page_count == 0:
            raise ParseError("empty", "the PDF has no pages")
        texts: list[str] = []
        for index in range(doc.page_count):
            try:
                texts.append(normalize_text(page_text(doc.load_page(index))))
            except Exception as exc:
                raise ParseError("corrupt", f"page {index + 1} could not be read ({exc})") from exc
        pairs = hyphenated_pairs(texts)
        pages = [Page(i + 1, normalize_text(dehyphenate(text, pairs))) for i, text in enumerate(texts)]
        if not any(p.text for p in pages):
            raise ParseError(
                "no text layer (needs OCR)",
                f"{doc.page_count} page(s) but no extractable text (scanned images?)",
            )
        metadata = doc.metadata or {}
        title = clean_title(metadata.get("title") or first_line_title(tuple(pages)), path)
        return ParsedDocument(str(path), title, "pdf", tuple(pages))
    finally:
        doc.close()


#: a word broken at a line end: the part before (from the start of its run of non-blank characters),
#: the hyphen (ASCII, U+2010 or a soft hyphen), the line break, and the first word of the next line
_BROKEN = re.compile(r"(?<!\S)(\S*?)(\w)([-\u2010\u00ad])\n(\w+)")
#: a hyphenated word within a line ("well-known", "state-of-the-art")
_COMPOUND = re.compile(r"\w+(?:[-\u2010]\w+)+")
_LAST_WORD = re.compile(r"\w+$")


def hyphenated_pairs(texts: list[str]) -> set[str]:
    """Lower-case "a-b" for every two neighbouring parts of the hyphenated words written within a
    line anywhere in ``texts`` (a line-end hyphen is not followed by a word char, so it is not one)."""
    pairs: set[str] = set()
    for text in texts:
        for match in _COMPOUND.finditer(text):
            parts = re.split(r"[-\u2010]", match.group().lower())
            pairs.update(f"{a}-{b}" for a, b in pairwise(parts))
    return pairs


def dehyphenate(text: str, pairs: Set[str] = frozenset()) -> str:
    """Join words hyphenated across a line break (see the module docstring for when the hyphen
    stays; ``pairs`` is :func:`hyphenated_pairs` of the document). The rest of the next line follows
    the joined word on its line. Soft hyphens elsewhere, invisible on the page, are dropped."""

    def join(match: re.Match[str]) -> str:
        before, letter, hyphen, after = match.groups()
        head = before + letter
        if hyphen == "\u00ad":  # a soft hyphen only ever marks a break
            return head + after
        word = _LAST_WORD.search(head)
        keep = (
            not after[0].islower()
            or any(h in before for h in "-\u2010")
            or (word is not None and f"{word.group().lower()}-{after.lower()}" in pairs)
        )
        return f"{head}{hyphen}{after}" if keep else head + after

    return _BROKEN.sub(join, text).replace("\u00ad", "")


#: a side of a band counts as a text column only with at least this much text
_COLUMN_CHARS = 200


def page_text(page: pymupdf.Page) -> str:
    """The page's text blocks in reading order (see the module docstring)."""
    blocks = [b for b in page.get_text("blocks", sort=True) if b[6] == 0 and b[4].strip()]
    if not blocks:
        return ""
    middle = (page.rect.x0 + page.rect.x1) / 2
    ordered: list[tuple[float, float, float, float, str]] = []
    band: list[tuple[float, float, float, float, str]] = []
    for x0, y0, x1, y1, text, *_ in blocks:
        if x0 < middle - 10 and x1 > middle + 10:  # full width: closes the band above it
            ordered.extend(_band_order(band, middle))
            band = []
            ordered.append((x0, y0, x1, y1, text))
        else:
            band.append((x0, y0, x1, y1, text))
    ordered.extend(_band_order(band, middle))
    return _join_blocks(ordered)


def _join_blocks(blocks: list[tuple[float, float, float, float, str]]) -> str:
    """Blocks separated by a blank line where there is a paragraph gap, by a line break where one
    block simply continues the next line (some PDFs make every line its own block)."""
    parts: list[str] = []
    previous: tuple[float, float, float, float, str] | None = None
    for block in blocks:
        text = block[4].strip()
        if previous is not None:
            lines = max(1, previous[4].strip().count("\n") + 1)
            line_height = (previous[3] - previous[1]) / lines
            gap = block[1] - previous[3]
            parts.append("\n" if -2 <= gap < 0.5 * line_height else "\n\n")
        parts.append(text)
        previous = block
    return "".join(parts)


def _band_order(
    band: list[tuple[float, float, float, float, str]], middle: float
) -> list[tuple[float, float, float, float, str]]:
    left = [b for b in band if b[2] <= middle + 10]
    right = [b for b in band if b[2] > middle + 10]
    if sum(len(b[4]) for b in left) < _COLUMN_CHARS or sum(len(b[4]) for b in right) < _COLUMN_CHARS:
        return band  # not two columns of prose (a table, a short aside): keep top-to-bottom order
    return sorted(left, key=lambda b: (b[1], b[0])) + sorted(right, key=lambda b: (b[1], b[0]))
