"""Helpers shared by the format parsers: text normalization, sections → pages, titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ragtune.core.types import Page
from ragtune.errors import ParseError

#: a flowing document is cut into sections of about this many characters, so a hit can say "section N"
SECTION_CHARS = 3000
#: a heading-delimited section longer than this is cut further (same label, next numbers)
MAX_SECTION_CHARS = 2 * SECTION_CHARS

#: two or more blank lines (lines have no trailing blanks by then); a literal prefix searches fast
_BLANK_RUN = re.compile(r"\n\n\n+")
_LINE_BLANKS = " \t\f\v"
_NON_SPACE = re.compile(r"\S")
#: control characters never reach the index (an ESC sequence in a document must not reach a
#: terminal, a NUL must not reach SQLite): C0 but tab and newline, DEL, C1. Vertical tab, form feed
#: and NEL break a line, so they become one; the rest go. Bidirectional overrides stay (they are
#: text a reader sees the effect of; front ends print them escaped).
_CONTROLS: dict[int, str | None] = {
    **{c: None for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if c not in (0x09, 0x0A)},
    0x0B: "\n",
    0x0C: "\n",
    0x85: "\n",
}


def drop_controls(text: str) -> str:
    """``text`` without control characters other than newline and tab (vertical tab, form feed and
    NEL become newlines; a carriage return is dropped, so turn line ends into ``\\n`` first)."""
    return text.translate(_CONTROLS)


def normalize_text(text: str) -> str:
    """NFC, newlines as ``\\n``, no control characters but newline and tab (:func:`drop_controls`),
    no trailing spaces on lines, at most one blank line in a row, no leading/trailing blank space.
    Page.text is exactly this (chunk offsets refer to it)."""
    text = unicodedata.normalize("NFC", text)
    text = drop_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    # line by line: a regex for "blanks before a newline" rescans a long run of blanks that no
    # newline follows from each of its characters (quadratic), and is slower even on plain logs
    text = "\n".join(line.rstrip(_LINE_BLANKS) for line in text.split("\n"))
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def split_long(text: str, target: int = SECTION_CHARS) -> list[str]:
    """Cut ``text`` into pieces of about ``target`` characters at paragraph boundaries (then line,
    then space boundaries for very long paragraphs). Pieces are stripped, none is empty."""
    if len(text) <= target:
        return [text] if text.strip() else []
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for para in _paragraphs(text, target):
        if current and size + len(para) + 2 > target:
            pieces.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    if current:
        pieces.append("\n\n".join(current))
    return [p.strip() for p in pieces if p.strip()]


def _paragraphs(text: str, target: int) -> Iterable[str]:
    for para in text.split("\n\n"):
        para = para.strip()
        if not para:
            continue
        if len(para) <= target:
            yield para
            continue
        yield from _hard_split(para, target)


def _hard_split(para: str, target: int) -> Iterable[str]:
    """A paragraph longer than ``target``: cut at the last newline, else space, in the second half
    of the next ``target`` characters, else at ``target``. One pass over ``para`` (an index moves
    along it; the rest is never copied), so a 50 MB log without blank lines splits in linear time."""
    start, end = 0, len(para)  # para is stripped: para[start:end] never ends in blank space
    while end - start > target:
        limit = start + target
        cut = para.rfind("\n", start + target // 2, limit)
        if cut < 0:
            cut = para.rfind(" ", start + target // 2, limit)
        if cut < 0:
            cut = limit
        head = para[start:cut].strip()
        if head:
            yield head
        following = _NON_SPACE.search(para, cut)
        start = following.start() if following else end
    if start < end:
        yield para[start:end]


def sections_to_pages(sections: Iterable[tuple[str, str]]) -> tuple[Page, ...]:
    """(label, raw text) sections → numbered pages; long sections are cut, empty ones dropped."""
    pages: list[Page] = []
    for label, raw in sections:
        text = normalize_text(raw)
        pieces = [text] if len(text) <= MAX_SECTION_CHARS else split_long(text)
        for piece in pieces:
            if piece.strip():
                pages.append(Page(len(pages) + 1, piece, clean_label(label)))
    return tuple(pages)


def clean_label(label: str) -> str:
    """A section label as shown with a hit: one line, no control characters, 200 characters at most."""
    return " ".join(drop_controls(label).split())[:200]


def require_text(pages: tuple[Page, ...]) -> tuple[Page, ...]:
    """Raise ``empty`` when no page holds any text."""
    if not any(p.text.strip() for p in pages):
        raise ParseError("empty", "no text found")
    return pages


def first_line_title(pages: tuple[Page, ...], max_chars: int = 120) -> str:
    """The first line of the text when it looks like a title (short, followed by more text)."""
    for page in pages:
        text = page.text.strip()
        if not text:
            continue
        line, _, rest = text.partition("\n")
        line = line.strip().lstrip("#").strip()
        head, dot, tail = line.partition(". ")
        if dot and len(head) >= 3:  # "Title. Body text starts..." on one line
            return head if len(head) <= max_chars and tail[:1].isupper() else ""
        rest = rest.strip()
        if len(line) > 50 and rest[:1].islower() and line[-1:].isalpha():  # a wrapped paragraph line
            return ""
        if line and len(line) <= max_chars and rest:
            return line
        return ""
    return ""


def clean_title(title: str | None, path: Path) -> str:
    """A usable title: whitespace collapsed, common junk removed, the file stem as fallback."""
    title = " ".join(drop_controls(title or "").split())
    for prefix in ("Microsoft Word - ", "Microsoft PowerPoint - "):
        if title.startswith(prefix):
            title = title[len(prefix) :]
    if not title or title.lower() in {"untitled", "untitled document", "title"}:
        return path.stem
    return title[:300]
