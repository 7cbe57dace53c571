"""HTML parser (BeautifulSoup, html.parser): visible text only, sections at ``h1``/``h2``.

Text a reader never sees is left out: scripts, styles, templates, form controls, and elements marked
hidden (the ``hidden`` attribute, ``aria-hidden="true"``, or an inline style that hides them:
``display: none``, ``visibility: hidden``, ``opacity: 0``, a colour too faint on its background, a
font too small to read; see :mod:`ragtune.core.ingest.parsers.inline_style`), with everything inside
them. The same rule (:func:`left_out`) drops raw
HTML inside Markdown. Each hidden element with text is counted (``ParsedDocument.hidden_spans``):
scripts and styles are not text a person was meant to read, so they are dropped without a count.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, Tag
from bs4.element import CData, ProcessingInstruction

from ragtune.core.ingest.parsers.common import clean_title, require_text, sections_to_pages
from ragtune.core.ingest.parsers.inline_style import PAGE, Look, style_hides
from ragtune.core.types import ParsedDocument

#: elements that are not text to read, left out with all they hold
NOT_TEXT = _DROP = frozenset({"script", "style", "noscript", "head", "template", "svg", "math",
                              "iframe", "object", "canvas", "button", "select", "input", "textarea"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot",
    "tr", "ul", "html", "details", "summary",
})
_CELL = frozenset({"td", "th"})
_SECTION_HEADINGS = frozenset({"h1", "h2"})
_SKIP_STRINGS = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_LINE_START = re.compile(r"\n[ \t]+")
_SPACE_BEFORE_NL = re.compile(r"(?<![ \t])[ \t]+\n")  # starts only where a run starts: linear
#: pages often hide the whole body until a script has run; a saved copy is still read
_NEVER_HIDDEN = frozenset({"html", "body"})


def left_out(tag: Tag, look: Look = PAGE) -> tuple[bool, bool, Look]:
    """Whether ``tag`` (with all it holds) is left out of the text, whether because it is hidden
    (see :func:`_hidden`) rather than not text (a script, a style, a form control), and the look
    (background, font size) its children inherit from ``look`` and its inline style."""
    name = (tag.name or "").lower()
    if name in _DROP:
        return True, False, look
    hidden, child = _hidden(tag, name, look)
    return hidden, hidden, child


def _hidden(tag: Tag, name: str, look: Look) -> tuple[bool, Look]:
    """An element the page does not show: ``hidden`` (but ``hidden="until-found"``, which the
    browser's find reveals), ``aria-hidden="true"``, or an inline style that hides it."""
    style, bgcolor = str(tag.get("style") or ""), str(tag.get("bgcolor") or "")
    styled, child = style_hides(style, look, bgcolor) if style or bgcolor else (False, look)
    if name in _NEVER_HIDDEN:
        return False, child
    hidden = tag.get("hidden")
    if hidden is not None and str(hidden).strip().lower() != "until-found":
        return True, child
    if str(tag.get("aria-hidden") or "").strip().lower() == "true":
        return True, child
    return styled, child


def html_sections(markup: str | bytes) -> tuple[list[tuple[str, str]], str, int]:
    """(label, text) sections of the visible text, split at h1/h2, the ``<title>`` text, and the
    number of hidden elements with text that were left out."""
    soup = BeautifulSoup(markup, "html.parser")
    hidden_count = 0
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if isinstance(title_tag, Tag) else ""
    sections: list[tuple[str, list[str]]] = [("", [])]
    # iterative walk (untrusted input may nest deeper than Python's recursion limit)
    stack: list[tuple[bool, Tag | NavigableString, Look]] = [(False, soup, PAGE)]
    while stack:
        closing, node, look = stack.pop()
        out = sections[-1][1]
        if closing:
            out.append("\n\n" if isinstance(node, Tag) and node.name in _BLOCK else " ")
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIP_STRINGS):
                out.append(_SPACES.sub(" ", str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        dropped, hidden, look = left_out(node, look)
        if dropped:
            hidden_count += hidden and bool(node.get_text().strip())
            continue
        if name == "br":
            out.append("\n")
            continue
        if name in _SECTION_HEADINGS:
            heading = " ".join(node.get_text(" ").split())
            sections.append((heading, [heading, "\n\n"]))
            continue
        if name in _BLOCK:
            out.append("\n\n")
        if name in _BLOCK or name in _CELL:
            stack.append((True, node, look))
        for child in reversed(list(node.children)):
            if isinstance(child, Tag | NavigableString):
                stack.append((False, child, look))
    return [(label, _tidy("".join(parts))) for label, parts in sections], title, hidden_count


def _tidy(text: str) -> str:
    text = _LINE_START.sub("\n", text)
    text = _SPACE_BEFORE_NL.sub("\n", text)
    return re.sub(r" {2,}", " ", text)


def parse(path: Path) -> ParsedDocument:
    sections, title, hidden = html_sections(path.read_bytes())  # bs4 honours <meta charset>
    pages = require_text(sections_to_pages(sections))
    heading = next((p.label for p in pages if p.label), "")
    return ParsedDocument(str(path), clean_title(title or heading, path), "html", pages, hidden_spans=hidden)
