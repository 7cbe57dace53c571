"""Raw HTML inside Markdown: what the HTML parser leaves out is left out here too.

A Markdown file may carry HTML (``<div hidden>…</div>``, ``<span style="display:none">``); a
renderer passes it through, so a reader never sees what it hides. Each start tag outside code (fenced
blocks and inline code spans, which show their HTML as text) is judged by the HTML parser's rule
(:func:`ragtune.core.ingest.parsers.html.left_out`): one rule, not two. A left-out element goes with
everything up to its matching end tag; a hidden element never closed hides the rest of the file, as it
would in a browser. A script, style or form control never closed loses only its tag (a prose mention
of "<script>" must not swallow the document). Other tags stay as they were.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from bs4 import BeautifulSoup, Tag

from ragtune.core.ingest.parsers.html import NOT_TEXT, left_out

_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
#: an inline code span on one line (CommonMark allows more; one line keeps the scan linear)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)")
_ATTRIBUTE = r"""(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)"""
#: an HTML start or end tag as CommonMark defines one (attribute values may hold ">")
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:{_ATTRIBUTE})*)\s*(/?)>")
#: elements without content (a start tag is the whole element)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: attributes that can hide an element (a tag without any is judged without parsing it)
_MAY_HIDE = re.compile(r"hidden|display|visibility", re.I)


def drop_hidden_html(text: str) -> tuple[str, int]:
    """``text`` without the HTML elements the HTML parser leaves out, and how many of them were
    hidden elements with text (see the module docstring)."""
    code = _code_ranges(text)
    tags = [m for m in _TAG.finditer(text) if not _inside(m.start(), code)]
    ends = _matching_ends(tags)
    kept: list[str] = []
    position = hidden_count = i = 0
    while i < len(tags):
        match = tags[i]
        name = match.group(2).lower()
        if match.group(1):  # an end tag
            i += 1
            continue
        dropped, hidden = (False, False)
        if name in NOT_TEXT or _MAY_HIDE.search(match.group(3)):
            dropped, hidden = _judge(match.group(0), name)
        if not dropped:
            i += 1
            continue
        end = match.end() if match.group(4) or name in _VOID else ends.get(i)
        if end is None:
            end = len(text) if hidden else match.end()
        removed = text[match.start() : end]
        hidden_count += hidden and bool(_TAG.sub("", removed).strip())
        kept.append(text[position : match.start()])
        position = end
        while i < len(tags) and tags[i].start() < end:
            i += 1
    kept.append(text[position:])
    return "".join(kept), hidden_count


@lru_cache(maxsize=256)
def _judge(start_tag: str, name: str) -> tuple[bool, bool]:
    """(left out, hidden) for one start tag, by the HTML parser's rule."""
    tag = BeautifulSoup(start_tag, "html.parser").find(name)
    return left_out(tag) if isinstance(tag, Tag) else (False, False)


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


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks and inline code spans, in order."""
    ranges: list[tuple[int, int]] = []
    fence_start, marker = -1, ""
    for fence in _FENCE.finditer(text):
        if not marker:
            fence_start, marker = fence.start(), fence.group(1)
        elif fence.group(1) == marker:
            ranges.append((fence_start, fence.end()))
            marker = ""
    if marker:  # an unclosed fence runs to the end
        ranges.append((fence_start, len(text)))
    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text) if not _inside(m.start(), ranges)]
    return sorted(ranges + spans)


def _inside(offset: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies in one of ``ranges`` (sorted, not overlapping)."""
    i = bisect.bisect_right(ranges, (offset, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]
