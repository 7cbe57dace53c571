"""DOCX parser (python-docx): sections at Heading 1/2 (and Title) paragraphs, tables included.

Runs a reader does not see are left out and counted (``docx_runs``): hidden runs (``w:vanish``),
and runs too small or too faint to read."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ragtune.core.ingest.parsers.common import clean_title, require_text, sections_to_pages
from ragtune.core.ingest.parsers.docx_runs import RunReader
from ragtune.core.types import ParsedDocument
from ragtune.errors import ParseError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SECTION_STYLES = ("heading 1", "heading 2", "title")


def _open(path: Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _OLE_MAGIC:
        # encrypted OOXML lives in an OLE container with an EncryptionInfo stream
        if "EncryptionInfo".encode("utf-16-le") in path.read_bytes()[:1 << 20]:
            raise ParseError("password-protected", "the document is encrypted with a password")
        raise ParseError("corrupt", "this is an old binary Word file (.doc), save it as .docx")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseError("corrupt", f"not a readable DOCX file ({exc})") from exc


def _style_name(paragraph: Any) -> str:
    try:
        style = paragraph.style
        return str(style.name).lower() if style is not None and style.name else ""
    except (KeyError, ValueError, AttributeError):
        return ""


def _table_text(table: Any, reader: RunReader) -> str:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell appears once per grid column
                continue
            seen.add(id(cell._tc))
            text = " ".join(" ".join(reader.text(p) for p in cell.paragraphs).split())
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def parse(path: Path) -> ParsedDocument:
    from docx.table import Table

    document = _open(path)
    reader = RunReader(document)
    sections: list[tuple[str, list[str]]] = [("", [])]
    first_heading = ""
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            sections[-1][1].append(_table_text(block, reader))
            continue
        text = reader.text(block).strip()
        if not text:
            continue
        style = _style_name(block)
        if style.startswith(_SECTION_STYLES):
            first_heading = first_heading or text
            sections.append((text, [text]))
        else:
            sections[-1][1].append(text)
    pages = require_text(sections_to_pages((label, "\n\n".join(parts)) for label, parts in sections))
    core_title = ""
    try:
        core_title = document.core_properties.title or ""
    except (KeyError, ValueError, AttributeError):
        core_title = ""
    title = clean_title(core_title or first_heading, path)
    return ParsedDocument(str(path), title, "docx", pages, hidden_spans=reader.hidden)
