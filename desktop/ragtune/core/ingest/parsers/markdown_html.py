"""Raw HTML inside Markdown: what the HTML parser leaves out is left out here too.

A Markdown file may carry HTML (``<div hidden>…</div>``, ``<span style="display:none">``); a
renderer passes it through, so a reader never sees what it hides. Each start tag outside code is
judged by the HTML parser's rule (:func:`ragtune.core.ingest.parsers.html.left_out`): one rule, not
two. Code shows its HTML as text: fenced blocks at any indentation (a fence inside a list item too),
indented code blocks (four spaces or a tab more than the list item they sit in, after a blank line)
and inline code spans. A left-out element goes with everything up to its matching end tag. A hidden
element never closed, whose start tag stands inside a line of text, ends at the end of its Markdown
block (the next blank line): a tutorial's "Write <p hidden> to hide a paragraph." loses the rest of
that paragraph, never the rest of the file. One whose start tag begins its line opens an HTML block
and, never closed, hides the rest of the file, as it does in a browser (``<div hidden>`` on its own
line, then a blank line, then an instruction, must not leak the instruction).
A script, style or form control never closed loses only its tag (a prose mention of "<script>" must
not swallow the document). Other tags stay as they were.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from bs4 import BeautifulSoup, Tag

from ragtune.core.ingest.parsers.html import NOT_TEXT, left_out
from ragtune.core.ingest.parsers.inline_style import PAGE, Look

_FENCE = re.compile(r"[ \t]*(```|~~~)")
#: a list item's marker and the spaces after it (its content starts where they end)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
#: the end of a Markdown block: a blank line
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: an inline code span on one line (CommonMark allows more; one line keeps the scan linear)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)")
_ATTRIBUTE = r"""(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
#: an HTML start or end tag as CommonMark defines one (attribute values may hold ">")
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:{_ATTRIBUTE})*)\s*(/?)>")
#: elements without content (a start tag is the whole element)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: attributes that can hide an element (a tag without any is judged without parsing it)
_MAY_HIDE = re.compile(r"hidden|style|bgcolor", re.I)


def drop_hidden_html(text: str) -> tuple[str, int]:
    """``text`` without the HTML elements the HTML parser leaves out, and how many of them were
    hidden elements with text (see the module docstring)."""
    code = _code_ranges(text)
    tags = [m for m in _TAG.finditer(text) if not _inside(m.start(), code)]
    ends = _matching_ends(tags)
    kept: list[str] = []
    position = hidden_count = i = 0
    looks: list[tuple[int, Look]] = [(len(text) + 1, PAGE)]  # (end, look) of open styled elements
    while i < len(tags):
        match = tags[i]
        name = match.group(2).lower()
        while looks[-1][0] <= match.start():
            looks.pop()
        if match.group(1):  # an end tag
            i += 1
            continue
        dropped, hidden, look = (False, False, looks[-1][1])
        if name in NOT_TEXT or _MAY_HIDE.search(match.group(3)):
            dropped, hidden, look = _judge(match.group(0), name, looks[-1][1])
        if not dropped:
            if look != looks[-1][1] and i in ends:  # a background or size its content inherits
                looks.append((ends[i], look))
            i += 1
            continue
        end = match.end() if match.group(4) or name in _VOID else ends.get(i)
        if end is None:
            end = match.end() if not hidden else _unclosed_end(text, match.start(), match.end())
        removed = text[match.start() : end]
        hidden_count += hidden and bool(_TAG.sub("", removed).strip())
        kept.append(text[position : match.start()])
        position = end
        while i < len(tags) and tags[i].start() < end:
            i += 1
    kept.append(text[position:])
    return "".join(kept), hidden_count


@lru_cache(maxsize=256)
def _judge(start_tag: str, name: str, look: Look) -> tuple[bool, bool, Look]:
    """(left out, hidden, the look its content inherits) for one start tag inside ``look``, by the
    HTML parser's rule."""
    tag = BeautifulSoup(start_tag, "html.parser").find(name)
    return left_out(tag, look) if isinstance(tag, Tag) else (False, False, look)


def _matching_ends(tags: list[re.Match[str]]) -> dict[int, int]:
    """Index of each start tag → end offset of the end tag that closes it (same name, nesting
    counted); a start tag never closed has none. One pass, whatever the number of tags."""
    open_tags: dict[str, list[int]] = {}
    ends: dict[int, int] = {}
    for i, match in enumerate(tags):
        name = match.group(2).lower()
        if not match.group(1):
            if not match.group(4) and name not in _VOID:
                open_tags.setdefault(name, []).append(i)
        elif open_tags.get(name):
            ends[open_tags[name].pop()] = match.end()
    return ends


def _unclosed_end(text: str, start: int, offset: int) -> int:
    """Where a hidden element never closed ends (see the module docstring): the end of the text
    when its tag (at ``start``) begins a line, else the end of the Markdown block holding
    ``offset`` (the next blank line)."""
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:start].strip():
        return len(text)
    blank = _BLANK_LINE.search(text, offset)
    return blank.start() + 1 if blank else len(text)


def _indent(line: str) -> int:
    """Columns of leading whitespace (a tab to the next multiple of four)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _block_code_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks (any indentation) and indented code blocks, in
    order. Inside a list item, an indented code block sits four columns past the item's content."""
    ranges: list[tuple[int, int]] = []
    fence_start, marker = -1, ""
    code_start = -1  # the indented code block being read
    content = 0  # where the current list item's content starts (0 outside a list)
    blank_before = True
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        fence = _FENCE.match(line)
        if marker:
            if fence and fence.group(1) == marker:
                ranges.append((fence_start, offset))
                marker = ""
            continue
        blank = not line.strip()
        indent = _indent(line)
        if code_start >= 0 and not blank and indent < content + 4:
            ranges.append((code_start, start))
            code_start = -1
        if code_start < 0 and not blank:
            if fence:
                fence_start, marker = start, fence.group(1)
            elif blank_before and indent >= content + 4:
                code_start = start
            elif (item := _LIST_ITEM.match(line)) and indent < content + 4:
                bullet = item.group(0).expandtabs(4)
                content = len(bullet) if line[item.end() :].strip() else len(bullet.rstrip()) + 1
            elif blank_before and indent < content:
                content = 0  # a paragraph at the margin after a blank line ends the list
        blank_before = blank
    if marker:  # an unclosed fence runs to the end
        ranges.append((fence_start, len(text)))
    if code_start >= 0:
        ranges.append((code_start, len(text)))
    return ranges


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of code blocks (see :func:`_block_code_ranges`) and inline code spans,
    in order."""
    ranges = _block_code_ranges(text)
    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text) if not _inside(m.start(), ranges)]
    return sorted(ranges + spans)


def _inside(offset: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies in one of ``ranges`` (sorted, not overlapping)."""
    i = bisect.bisect_right(ranges, (offset, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]
