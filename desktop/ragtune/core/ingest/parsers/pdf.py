"""PDF parser (PyMuPDF): one page per PDF page, text in reading order."""

from __future__ import annotations

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
        pages: list[Page] = []
        for index in range(doc.page_count):
            try:
                page = doc.load_page(index)
                text = normalize_text(page.get_text("text", sort=True))
            except Exception as exc:
                raise ParseError("corrupt", f"page {index + 1} could not be read ({exc})") from exc
            pages.append(Page(index + 1, text))
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

