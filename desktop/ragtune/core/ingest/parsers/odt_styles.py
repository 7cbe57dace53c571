"""Which OpenDocument styles hide their text: the same rule as for PDF, DOCX and PowerPoint.

A style hides its text when its font effect is "hidden" (``text:display="none"``), its font size is
under the readable minimum (``fo:font-size``; a percentage of the parent style's size is resolved
where that is known), or its colour (``fo:color``) cannot be told from its background: the style's
own ``fo:background-color`` (text or paragraph properties), else the page's (the page layout of
the first master page), else white. Properties are inherited along ``style:parent-style-name``,
then from the family's default style (``style:default-style``), which also governs paragraphs that
name no style. ``style:use-window-font-color`` is the automatic colour: never too faint.

A style faint only against the page is judged again, in the text, against the background of the
nearest enclosing element whose style names one (a light span in a paragraph shaded dark is kept).
Limits: a paragraph whose style hides it is left out whole, spans in another style included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, rgb_from_int, too_faint, too_small

_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#: the key under which the paragraph family's default style is kept (no real style has this name)
DEFAULT_PARAGRAPH = "\0default-paragraph"
_AUTO: Rgb = (-1.0, -1.0, -1.0)
_SIZE = re.compile(r"([0-9]*\.?[0-9]+)\s*(pt|cm|mm|in|pc|px|%)")
_POINTS = {"pt": 1.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0, "pc": 12.0, "px": 0.75}
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass
class _Props:
    parent: str = ""
    display_none: bool = False
    size: str = ""
    color: Rgb | None = None
    background: Rgb | None = None


@dataclass(frozen=True)
class Verdicts:
    """Style names that hide their text, and those whose colour is faint only against the page (to
    be judged against an enclosing background), with each style's own resolved colour and background."""

    hidden: frozenset[str]
    faint_on_page: dict[str, Rgb]
    backgrounds: dict[str, Rgb]


def _color(value: str | None) -> Rgb | None:
    return rgb_from_int(int(value[1:], 16)) if value and _HEX.fullmatch(value) else None


def _read(element: Any, family_default: str) -> _Props:
    props = _Props(parent=element.get(f"{{{_STYLE}}}parent-style-name", "") or family_default)
    text = element.find(f"{{{_STYLE}}}text-properties")
    para = element.find(f"{{{_STYLE}}}paragraph-properties")
    if text is not None:
        props.display_none = text.get(f"{{{_TEXT}}}display") == "none"
        props.size = str(text.get(f"{{{_FO}}}font-size", ""))
        props.color = _color(text.get(f"{{{_FO}}}color"))
        if text.get(f"{{{_STYLE}}}use-window-font-color") == "true":
            props.color = _AUTO
        props.background = _color(text.get(f"{{{_FO}}}background-color"))
    if props.background is None and para is not None:
        props.background = _color(para.get(f"{{{_FO}}}background-color"))
    return props


def _page_color(*roots: Any) -> Rgb:
    layouts: dict[str, Rgb | None] = {}
    first_master = ""
    for root in roots:
        for layout in root.iter(f"{{{_STYLE}}}page-layout"):
            props = layout.find(f"{{{_STYLE}}}page-layout-properties")
            value = props.get(f"{{{_FO}}}background-color") if props is not None else None
            layouts[layout.get(f"{{{_STYLE}}}name", "")] = _color(value)
        for master in root.iter(f"{{{_STYLE}}}master-page"):
            first_master = first_master or master.get(f"{{{_STYLE}}}page-layout-name", "")
    return layouts.get(first_master) or WHITE


def judge_styles(*roots: Any) -> Verdicts:
    """Read the styles of ``roots`` (content.xml, styles.xml) and judge each (module docstring)."""
    styles: dict[str, _Props] = {}
    for root in roots:
        for element in root.iter(f"{{{_STYLE}}}default-style"):
            if element.get(f"{{{_STYLE}}}family") == "paragraph":
                styles[DEFAULT_PARAGRAPH] = _read(element, "")
        for element in root.iter(f"{{{_STYLE}}}style"):
            family = element.get(f"{{{_STYLE}}}family", "")
            base = DEFAULT_PARAGRAPH if family in ("paragraph", "text") else ""
            styles[element.get(f"{{{_STYLE}}}name", "")] = _read(element, base)
    page = _page_color(*roots)
    hidden: set[str] = set()
    faint: dict[str, Rgb] = {}
    backgrounds: dict[str, Rgb] = {}
    for name in styles:
        chain = _chain(styles, name)
        background = next((p.background for p in chain if p.background is not None), None)
        color = next((p.color for p in chain if p.color is not None), None)
        if background is not None:
            backgrounds[name] = background
        if any(p.display_none for p in chain) or _too_small(chain):
            hidden.add(name)
        elif color is not None and color != _AUTO and too_faint(color, background or page):
            if background is None:
                faint[name] = color
            else:
                hidden.add(name)
    return Verdicts(frozenset(hidden), faint, backgrounds)


def _chain(styles: dict[str, _Props], name: str) -> list[_Props]:
    chain: list[_Props] = []
    seen: set[str] = set()
    while name in styles and name not in seen:
        seen.add(name)
        chain.append(styles[name])
        name = styles[name].parent
    return chain


def _too_small(chain: list[_Props]) -> bool:
    """The chain's font size, percentages resolved against the parents' (unknown: not judged)."""
    factor = 1.0
    for props in chain:
        match = _SIZE.fullmatch(props.size.strip())
        if match is None:
            continue
        number, unit = float(match.group(1)), match.group(2)
        if unit != "%":
            return too_small(number * _POINTS[unit] * factor)
        factor *= number / 100
    return False
