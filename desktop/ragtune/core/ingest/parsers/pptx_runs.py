"""A PowerPoint text frame's visible text: runs a person does not see in the show are left out.

The same rule as for PDF and DOCX (``visibility``): a run is left out when its size is under the
readable minimum or its colour cannot be told from what lies under it. Deliberately simple, and
erring towards keeping text:

- size: the run's own (``a:rPr/@sz``), else its paragraph's default (``a:pPr/a:defRPr/@sz``); sizes
  inherited from placeholders, list styles and the master, and autofit's shrinking, are not read,
  so such a run's size is not judged.
- colour: judged only where set as an RGB colour (``a:srgbClr``) on the run or its paragraph's
  default; theme colours are not resolved and count as visible.
- what lies under the run: the shape's own solid RGB fill; a shape filled otherwise (a picture, a
  gradient, a theme colour, a fill from the shape's style) leaves the colour unjudged. A shape
  without a fill shows the slide's background: the first solid RGB ``p:bg`` of the slide, its
  layout and its master; a picture, gradient or pattern there leaves the colour unjudged; any other
  background (a theme reference, none) is taken as white.

Table cells are not judged (their fills come from table styles, which are not resolved).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, rgb_from_int, too_faint, too_small

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_PATTERNED = frozenset(f"{_A}{n}" for n in ("blipFill", "gradFill", "pattFill", "grpFill"))


class _Unknown(Exception):
    """A fill whose colour is not read."""


def _fill(props: Any) -> Rgb | None:
    """The colour of the fill ``props`` (an ``spPr`` or ``bgPr``) sets; None: no fill set."""
    if props is None:
        return None
    for child in props:
        if child.tag == f"{_A}solidFill":
            color = _rgb(child)
            if color is None:
                raise _Unknown
            return color
        if child.tag in _PATTERNED:
            raise _Unknown
        if child.tag == f"{_A}noFill":
            return None
    return None


def _rgb(parent: Any) -> Rgb | None:
    """An ``a:srgbClr`` child's colour (None: none, or another kind of colour)."""
    element = parent.find(f"{_A}srgbClr") if parent is not None else None
    try:
        return rgb_from_int(int(str(element.get("val")), 16)) if element is not None else None
    except ValueError:
        return None


def slide_background(slide: Any) -> Rgb | None:
    """The colour of ``slide``'s background (see the module docstring); None: not judged."""
    parts: list[Any] = [slide]
    with contextlib.suppress(AttributeError, KeyError, ValueError):  # a slide without its layout
        parts += [slide.slide_layout, slide.slide_layout.slide_master]
    for part in parts:
        bg = part._element.find(f"{_P}cSld/{_P}bg")
        if bg is None:
            continue
        try:
            return _fill(bg.find(f"{_P}bgPr")) or WHITE
        except _Unknown:
            return None
    return WHITE


def shape_background(shape: Any, slide_color: Rgb | None) -> Rgb | None:
    """What lies under ``shape``'s text; None: not judged."""
    element = shape._element
    try:
        own = _fill(element.find(f"{_P}spPr"))
    except _Unknown:
        return None
    if own is not None:
        return own
    fill_ref = element.find(f"{_P}style/{_A}fillRef")
    if fill_ref is not None and fill_ref.get("idx") not in (None, "0"):
        return None  # filled by the shape's style, from the theme
    return slide_color


def frame_text(frame: Any, background: Rgb | None) -> tuple[str, int]:
    """``frame``'s text without unseen runs (paragraphs on lines), and how many runs were left out."""
    lines: list[str] = []
    hidden = 0
    for paragraph in frame._txBody.findall(f"{_A}p"):
        default = paragraph.find(f"{_A}pPr/{_A}defRPr")
        parts: list[str] = []
        for child in paragraph:
            if child.tag == f"{_A}br":
                parts.append("\n")
                continue
            if child.tag not in (f"{_A}r", f"{_A}fld"):
                continue
            text = str(child.findtext(f"{_A}t") or "")
            if _unseen(child.find(f"{_A}rPr"), default, background):
                hidden += bool(text.strip())
                continue
            parts.append(text)
        lines.append("".join(parts))
    return "\n".join(lines), hidden


def _unseen(props: Any, default: Any, background: Rgb | None) -> bool:
    size = _first(props, default, lambda p: p.get("sz"))
    if size is not None:
        try:
            if too_small(int(size) / 100):  # hundredths of a point
                return True
        except ValueError:
            pass
    fills = [e.find(f"{_A}solidFill") for e in (props, default) if e is not None]
    fill = next((f for f in fills if f is not None), None)  # the run's own colour, else its paragraph's
    color = _rgb(fill)  # None for a theme colour: not resolved, visible
    return background is not None and color is not None and too_faint(color, background)


def _first(props: Any, default: Any, read: Callable[[Any], Any]) -> Any:
    for element in (props, default):
        if element is not None and (value := read(element)) is not None:
            return value
    return None
