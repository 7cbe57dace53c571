"""Plain text parser: any common encoding, never crashes on bad bytes; long texts become sections."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from ragtune.core.ingest.parsers.common import (
    clean_title,
    first_line_title,
    normalize_text,
    require_text,
    split_long,
)
from ragtune.core.types import Page, ParsedDocument

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown encoding: BOM, then strict UTF-8, then charset-normalizer's best
    guess (cp1252, latin-1, UTF-16 without BOM...), then UTF-8 with replacement characters."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(data))
        if matches:
            return str(_prefer_common(matches))
    except Exception:  # a detector bug must not fail the file
        pass
    return data.decode("utf-8", errors="replace")


def _prefer_common(matches: list[Any]) -> Any:
    """Among guesses that read about as well as the best one, prefer the encodings people's files
    are actually in (Windows code pages, cp1252 first) over rare look-alikes (cp775, mac_latin2)."""
    best = min(matches, key=lambda m: m.chaos)
    close = [m for m in matches if m.chaos <= best.chaos + 0.02]
    for wanted in ("cp1252", "cp125"):
        for m in close:
            if m.encoding.startswith(wanted):
                return m
    return best


def text_pages(text: str) -> tuple[Page, ...]:
    """Normalized text cut into numbered sections of about SECTION_CHARS characters."""
    pieces = split_long(normalize_text(text))
    return tuple(Page(i + 1, piece) for i, piece in enumerate(pieces))


def parse(path: Path) -> ParsedDocument:
    pages = require_text(text_pages(decode_bytes(path.read_bytes())))
    title = clean_title(first_line_title(pages), path)
    return ParsedDocument(str(path), title, "text", pages)
