"""Plain-text kinds that are not prose: logs, data (CSV, JSON, XML, YAML...), configuration and
source code. Read as text in any common encoding (the text parser's decoding), cut into numbered
sections, titled by the file's name (a CSV header or an ``import`` line is no title).

A file with such a suffix that holds binary data (a ``.ts`` video, a compiled file) is refused as
not text instead of being indexed as noise.
"""

from __future__ import annotations

from pathlib import Path

from ragtune.core.ingest.parsers.common import require_text
from ragtune.core.ingest.parsers.text import decode_bytes, text_pages
from ragtune.core.types import ParsedDocument
from ragtune.errors import ParseError

#: the first bytes looked at to tell text from binary data
_SNIFF_BYTES = 8192
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def looks_binary(data: bytes) -> bool:
    """NUL bytes near the start (and no UTF-16/32 byte order mark): binary data, not text."""
    head = data[:_SNIFF_BYTES]
    return b"\x00" in head and not head.startswith(_UTF16_BOMS)


def parse(path: Path) -> ParsedDocument:
    data = path.read_bytes()
    if looks_binary(data):
        raise ParseError("unsupported", f"this {path.suffix} file holds binary data, not text")
    pages = require_text(text_pages(decode_bytes(data)))
    return ParsedDocument(str(path), path.name, "text", pages)
