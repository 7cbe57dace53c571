"""Inline CSS that hides text: the HTML, Markdown (raw HTML) and EPUB parsers' one reading of ``style``.

An element is hidden by ``display: none``, ``visibility: hidden``/``collapse``, ``opacity`` at or
under 0.05, a text colour too faint against its background, or a font too small to read. The colour
and size thresholds are the drawn formats' (:mod:`ragtune.core.ingest.parsers.visibility`): one rule
for PDF, DOCX and markup. Only inline styles are read (no stylesheet, no class): the background is the
nearest inline ``background``/``background-color`` (or ``bgcolor``) on the element or an ancestor,
else white; a relative size (``em``, ``%``) is taken from the nearest inline ``font-size`` above, else
12 pt (``rem`` is always 12 pt). Colours: ``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``,
``rgb()``/``rgba()`` and the names ``white``, ``black`` and ``transparent``; a colour not understood
hides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, too_faint, too_small

#: an opacity at or under this hides what it holds
MAX_HIDING_OPACITY = 0.05
#: the size (points) a relative font size is taken from when no inline size is known
BASE_PT = 12.0
_PT_PER = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
_SIZE = re.compile(r"^(-?\d*\.?\d+)(pt|px|pc|in|cm|mm|em|rem|%)?$")
_HEX = re.compile(r"#([0-9a-f]{3,8})\b")
_FUNCTION = re.compile(r"rgba?\(([^)]*)\)")
_NAMES: dict[str, tuple[Rgb, float]] = {"white": (WHITE, 1.0), "black": ((0.0, 0.0, 0.0), 1.0),
                                         "transparent": ((0.0, 0.0, 0.0), 0.0)}
_NAME = re.compile(r"\b(" + "|".join(_NAMES) + r")\b")


@dataclass(frozen=True)
class Look:
    """What an element's children inherit: the background behind them and their font size."""

    background: Rgb = WHITE
    font_pt: float = BASE_PT


PAGE = Look()


def declarations(style: str) -> dict[str, str]:
    """``style``'s properties (lower case, spaces squeezed, ``!important`` removed), the last one
    of each name winning as in CSS."""
    found: dict[str, str] = {}
    for part in style.lower().split(";"):
        name, colon, value = part.partition(":")
        if colon:
            found[name.strip()] = " ".join(value.replace("!important", "").split())
    return found


def style_hides(style: str, look: Look = PAGE, bgcolor: str = "") -> tuple[bool, Look]:
    """Whether an element with this inline ``style`` (and ``bgcolor`` attribute) in ``look`` is
    hidden, and the look its children inherit."""
    props = declarations(style)
    background = look.background
    for value in (bgcolor.lower(), props.get("background", ""), props.get("background-color", "")):
        color = parse_color(value)
        if color is not None and color[1] > MAX_HIDING_OPACITY:
            background = color[0]
    font_pt = look.font_pt
    if "font-size" in props:
        size = font_points(props["font-size"], look.font_pt)
        font_pt = look.font_pt if size is None else size
    child = Look(background, font_pt)
    if props.get("display") == "none" or props.get("visibility") in ("hidden", "collapse"):
        return True, child
    opacity = _opacity(props.get("opacity", ""))
    if opacity is not None and opacity <= MAX_HIDING_OPACITY:
        return True, child
    if too_small(font_pt) and "font-size" in props:
        return True, child
    color = parse_color(props.get("color", ""))
    if color is not None and (color[1] <= MAX_HIDING_OPACITY or too_faint(color[0], background)):
        return True, child
    return False, child


def font_points(value: str, parent_pt: float = BASE_PT) -> float | None:
    """A CSS font size in points (``px`` at 0.75 pt), or None for a keyword or what is not a size."""
    match = _SIZE.match(value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or ("px" if float(match.group(1)) == 0 else "")
    if unit in _PT_PER:
        return number * _PT_PER[unit]
    if unit == "em":
        return number * parent_pt
    if unit == "rem":
        return number * BASE_PT
    if unit == "%":
        return number / 100 * parent_pt
    return None  # a bare number is no CSS length


def parse_color(value: str) -> tuple[Rgb, float] | None:
    """The first colour in a CSS value, as (rgb, alpha), or None when there is none understood."""
    if not value:
        return None
    hex_match = _HEX.search(value)
    if hex_match:
        digits = hex_match.group(1)
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) not in (6, 8):
            return None
        channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        return (channels[0], channels[1], channels[2]), channels[3] if len(channels) == 4 else 1.0
    function = _FUNCTION.search(value)
    if function:
        return _rgb_function(function.group(1))
    name = _NAME.search(value)
    return _NAMES[name.group(1)] if name else None


def _rgb_function(arguments: str) -> tuple[Rgb, float] | None:
    parts = [p for p in re.split(r"[\s,/]+", arguments.strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        channels = [float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts[:3]]
        alpha = 1.0 if len(parts) == 3 else (float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3]))
    except ValueError:
        return None
    return (channels[0], channels[1], channels[2]), alpha


def _opacity(value: str) -> float | None:
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value) if value else None
    except ValueError:
        return None
