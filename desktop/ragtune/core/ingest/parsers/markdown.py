"""Markdown parser: sections at ATX headings (``#``, ``##``), link and image syntax reduced to text.

Raw HTML that hides what it holds (``<div hidden>``, ``style="display:none"``) is left out and
counted, by the HTML parser's rule (``markdown_html``)."""

from __future__ import annotations

import re
from pathlib import Path

from ragtune.core.ingest.parsers.common import clean_title, require_text, sections_to_pages
from ragtune.core.ingest.parsers.markdown_html import drop_hidden_html
from ragtune.core.ingest.parsers.text import decode_bytes
from ragtune.core.types import ParsedDocument

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")  # any indentation: a fence in a list item too
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.S)
_FRONT_TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]+\S+.*$", re.M)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def clean_markdown(text: str) -> tuple[str, int]:
    """Keep the readable text: ``![alt](src)`` → alt, ``[text](url)`` → text, drop link
    definitions, HTML comments and hidden HTML; and the number of hidden elements left out."""
    text, hidden = drop_hidden_html(_COMMENT.sub("", text))
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    return _REF_DEF.sub("", text), hidden


def split_sections(text: str) -> tuple[list[tuple[str, str]], str]:
    """(label, text) sections split at level-1/2 headings outside code fences, and the first
    level-1 heading (or "")."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    first_h1 = ""
    in_fence = ""
    for line in text.split("\n"):
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            in_fence = "" if in_fence == marker else (in_fence or marker)
        heading = None if in_fence or fence else _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and not first_h1:
                first_h1 = title
            if level <= 2:
                sections.append((title, [title]))
                continue
            line = title
        sections[-1][1].append(line)
    return [(label, "\n".join(lines)) for label, lines in sections], first_h1


def parse(path: Path) -> ParsedDocument:
    text = decode_bytes(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    front_title = ""
    front = _FRONT_MATTER.match(text)
    if front:
        found = _FRONT_TITLE.search(front.group(1))
        front_title = found.group(1).strip("'\"") if found else ""
        text = text[front.end() :]
    readable, hidden = clean_markdown(text)
    sections, first_h1 = split_sections(readable)
    pages = require_text(sections_to_pages(sections))
    title = clean_title(front_title or first_h1, path)
    return ParsedDocument(str(path), title, "markdown", pages, hidden_spans=hidden)
