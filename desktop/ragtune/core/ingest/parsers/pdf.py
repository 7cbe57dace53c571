"""PDF parser (PyMuPDF): one page per PDF page, text in reading order.

Blocks are read in reading order (``layout``: top to bottom, a two-column band left column first).

A page without a text layer (a scan) is read by OCR (``ocr``), in this process: in the parser's
child, each OCR'd page sends a heartbeat note that restarts the time limit, so the limit applies per
page. So is a page whose text layer is a stray line or two over an image covering most of it (a
scanner's stamp or page number): its OCR text replaces the layer's when longer. A page with a real
text layer is never OCR'd. OCR'd pages are marked (``Page.ocr``) and keep their words' boxes.

Text a reader cannot see (invisible unless an image shows something under it, too small, too faint
against what the page shows under it) is left out and counted (``pdf_visibility``).

A word hyphenated across a line break is joined again ("BooksCor-" / "pus" → "BooksCorpus"), so a
search for it finds it. MuPDF's TEXT_DEHYPHENATE flag only affects its own search, not the text it
extracts, hence :func:`dehyphenate`. The hyphen is kept where it belongs to the word: a compound that
already has one ("state-of-the-" / "art"), a next part that starts with a capital or a digit
("EU-" / "Staaten"), or a pair the document also writes hyphenated within a line ("well-known").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Set
from itertools import pairwise
from pathlib import Path

import pymupdf

from ragtune.core.ingest import heartbeat
from ragtune.core.ingest.parsers.common import clean_title, first_line_title, normalize_text
from ragtune.core.ingest.parsers.layout import join_blocks, reading_order
from ragtune.core.ingest.parsers.ocr import OcrText, ocr_page
from ragtune.core.ingest.parsers.pdf_visibility import visible_blocks
from ragtune.core.types import Page, ParsedDocument, WordBox
from ragtune.errors import ParseError

log = logging.getLogger(__name__)
#: scanned pages read by OCR per document at most (seconds each): a hostile or huge scan cannot
#: hold the index for hours; the pages past it stay without text
MAX_OCR_PAGES = 500

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
        scanned: dict[int, tuple[WordBox, ...]] = {}  # OCR'd page number → its words
        ocr_tried: list[int] = []
        hidden_spans = 0
        for index in range(doc.page_count):
            try:
                page = doc.load_page(index)
                raw, hidden = page_text(page)
                text = normalize_text(raw)
                hidden_spans += hidden
            except Exception as exc:
                raise ParseError("corrupt", f"page {index + 1} could not be read ({exc})") from exc
            if needs_ocr(page, text) and len(ocr_tried) < MAX_OCR_PAGES:
                ocr_tried.append(index + 1)
                read = _ocr(page, index + 1, doc.page_count)
                if len(read.text) > len(text):
                    text = normalize_text(read.text)
                    scanned[index + 1] = read.words
            texts.append(text)
        if len(ocr_tried) == MAX_OCR_PAGES:
            log.warning("%s: OCR stopped after %d pages (the limit per document)", path.name, MAX_OCR_PAGES)
        pairs = hyphenated_pairs(texts)
        pages = [
            Page(n, normalize_text(dehyphenate(text, pairs)), ocr=n in scanned, words=scanned.get(n, ()))
            for n, text in enumerate(texts, 1)
        ]
        if not any(p.text for p in pages):
            raise ParseError("empty", f"no text on its {doc.page_count} page(s), not even by OCR")
        metadata = doc.metadata or {}
        title = clean_title(metadata.get("title") or first_line_title(tuple(pages)), path)
        return ParsedDocument(str(path), title, "pdf", tuple(pages), hidden_spans=hidden_spans)
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


#: a text layer with fewer characters than this over a page-size image does not count as one
_STRAY_CHARS = 20


def needs_ocr(page: pymupdf.Page, text: str) -> bool:
    """No text layer, or only a stray line or two over an image covering half the page or more."""
    chars = len("".join(text.split()))
    if chars == 0:
        return True
    if chars >= _STRAY_CHARS:
        return False
    area = abs(page.rect) or 1.0
    covered = (abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return max(covered, default=0.0) >= 0.5 * area


def _ocr(page: pymupdf.Page, number: int, count: int) -> OcrText:
    """OCR one page; a page the engine fails on (not for lack of memory) stays empty."""
    heartbeat.note(f"OCR of page {number} of {count}")
    try:
        return ocr_page(page)
    except (ParseError, MemoryError):
        raise
    except Exception as exc:  # one unreadable image must not lose the document's other pages
        log.warning("OCR failed on page %d: %s", number, exc)
        return OcrText("", ())


def page_text(page: pymupdf.Page) -> tuple[str, int]:
    """The page's visible text blocks in reading order (see ``layout``), and the number of spans
    left out as unseen (see ``pdf_visibility``)."""
    blocks, hidden = visible_blocks(page)
    if not blocks:
        return "", hidden
    middle = (page.rect.x0 + page.rect.x1) / 2
    return join_blocks([blocks[i] for i in reading_order(blocks, middle)]), hidden
