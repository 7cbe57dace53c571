"""A DOCX paragraph's visible text: runs a reader does not see are left out and counted.

A run is left out when Word does not show it: marked hidden (``w:vanish``), set in a font too small
to read, or coloured too close to what lies under it (``visibility``'s rule, the same as for PDF).
Properties are resolved the way Word does: the run's own, then its character style and the styles
it is based on, then the paragraph style (the default one where none is named) and its bases, then
the document defaults (``w:docDefaults/w:rPrDefault``). An ``auto`` colour is Word's automatic one
(black or white, whichever shows) and stops a style's colour from applying.

What lies under a run is the first that is set of: its highlight (Word's 16 named colours; "none"
is none), its own shading, its paragraph's shading, its table cell's shading, the page colour
(``w:background/@w:color``), white. A shading whose fill is ``auto`` or whose pattern is ``nil`` is
none. A shading or page colour that names no colour that can be read (a theme colour only) leaves
the run's colour unjudged: kept. Limits: shading from paragraph and table styles and a whole
table's shading are not read; the page colour is judged whether or not Word is set to display it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, rgb_from_int, too_faint, too_small

_HEX = re.compile(r"[0-9A-Fa-f]{6}")
_BAD_STYLE = (KeyError, ValueError, AttributeError, TypeError)
#: Word's automatic colour: never too faint, and set where it is, so a style's colour does not apply
AUTO: Rgb = (-1.0, -1.0, -1.0)
#: Word's highlight colours (ST_HighlightColor)
HIGHLIGHTS: dict[str, int] = {
    "black": 0x000000, "blue": 0x0000FF, "cyan": 0x00FFFF, "green": 0x00FF00, "magenta": 0xFF00FF,
    "red": 0xFF0000, "yellow": 0xFFFF00, "white": 0xFFFFFF, "darkBlue": 0x000080, "darkCyan": 0x008080,
    "darkGreen": 0x008000, "darkMagenta": 0x800080, "darkRed": 0x800000, "darkYellow": 0x808000,
    "darkGray": 0x808080, "lightGray": 0xC0C0C0,
}
#: the layers under a run, innermost first
_LAYERS = (
    "./w:rPr/w:highlight",
    "./w:rPr/w:shd",
    "ancestor::w:p[1]/w:pPr/w:shd",
    "ancestor::w:tc[1]/w:tcPr/w:shd",
)


class _Unknown(Exception):
    """A layer under a run whose colour cannot be read."""


@dataclass(frozen=True)
class _Look:
    """Run properties that decide visibility (None: not set at this level)."""

    hidden: bool | None = None
    points: float | None = None
    color: Rgb | None = None

    def under(self, base: _Look) -> _Look:
        """These properties, with ``base``'s where these are not set."""
        return _Look(
            self.hidden if self.hidden is not None else base.hidden,
            self.points if self.points is not None else base.points,
            self.color if self.color is not None else base.color,
        )


class RunReader:
    """Reads paragraphs of one document, counting the runs with text it leaves out (``hidden``)."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.hidden = 0
        self._styles: dict[tuple[str | None, str | None], _Look] = {}
        self._defaults = _doc_defaults(document)
        self._page = _page_color(document)

    def text(self, paragraph: Any) -> str:
        """The paragraph's text, as python-docx's ``Paragraph.text`` but without unseen runs."""
        p = paragraph._p
        para_style = p.pPr.style if p.pPr is not None else None
        parts: list[str] = []
        for r in p.xpath("./w:r | ./w:hyperlink/w:r"):
            text = str(r.text)
            if not text:
                continue
            char_style = r.rPr.style if r.rPr is not None else None
            look = rpr_look(r.rPr).under(self._style_look(char_style, para_style))
            if self._unseen(r, look):
                self.hidden += bool(text.strip())
                continue
            parts.append(text)
        return "".join(parts)

    def _unseen(self, r: Any, look: _Look) -> bool:
        if look.hidden:
            return True
        if look.points is not None and too_small(look.points):
            return True
        if look.color is None or look.color == AUTO:
            return False
        try:
            background = _background(r, self._page)
        except _Unknown:
            return False
        return too_faint(look.color, background)

    def _style_look(self, char_style: str | None, para_style: str | None) -> _Look:
        key = (char_style, para_style)
        if key not in self._styles:
            from docx.enum.style import WD_STYLE_TYPE

            look = _Look()
            for style_id, kind in ((char_style, WD_STYLE_TYPE.CHARACTER), (para_style, WD_STYLE_TYPE.PARAGRAPH)):
                try:
                    style = self.document.part.get_style(style_id, kind)
                except _BAD_STYLE:
                    continue
                look = look.under(_chain_look(style))
            self._styles[key] = look.under(self._defaults)
        return self._styles[key]


def _chain_look(style: Any) -> _Look:
    """A style's properties with those of the styles it is based on (cycles stop)."""
    look = _Look()
    seen: set[int] = set()
    while style is not None and id(style.element) not in seen:
        seen.add(id(style.element))
        try:
            look = look.under(rpr_look(style.element.find(_qn("w:rPr"))))
            style = style.base_style
        except _BAD_STYLE:
            break
    return look


def _doc_defaults(document: Any) -> _Look:
    """The run properties every run starts from (``w:docDefaults/w:rPrDefault/w:rPr``)."""
    try:
        found = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr")
    except _BAD_STYLE:
        return _Look()
    return rpr_look(found[0]) if found else _Look()


def rpr_look(rpr: Any) -> _Look:
    """The visibility properties a ``w:rPr`` element sets (None: none set)."""
    if rpr is None:
        return _Look()
    hidden: bool | None = None
    vanish = rpr.find(_qn("w:vanish"))
    if vanish is not None:
        hidden = str(vanish.get(_qn("w:val"), "true")).lower() not in ("0", "false", "off")
    points: float | None = None
    size = rpr.find(_qn("w:sz"))
    if size is not None:
        try:
            points = int(str(size.get(_qn("w:val"), ""))) / 2  # half-points
        except ValueError:
            points = None
    color: Rgb | None = None
    element = rpr.find(_qn("w:color"))
    if element is not None:
        value = str(element.get(_qn("w:val"), ""))
        color = AUTO if value.lower() == "auto" else _hex(value)
    return _Look(hidden, points, color)


def _background(r: Any, page: Rgb | None) -> Rgb:
    """The colour under a run: the innermost highlight or shading, else the page's; raises
    :class:`_Unknown` where that cannot be told."""
    for layer in _LAYERS:
        found = r.xpath(layer)
        if not found:
            continue
        color = _layer_color(found[0])
        if color is not None:
            return color
    if page is None:
        raise _Unknown
    return page


def _layer_color(element: Any) -> Rgb | None:
    """A highlight's or shading's colour; None: none (look further out); raises when unreadable."""
    if element.tag == _qn("w:highlight"):
        name = str(element.get(_qn("w:val"), "none"))
        if name == "none":
            return None
        if name not in HIGHLIGHTS:
            raise _Unknown
        return rgb_from_int(HIGHLIGHTS[name])
    pattern = str(element.get(_qn("w:val"), "clear"))
    if pattern == "nil":
        return None
    # a solid pattern shows its pattern colour; any other shows the fill (patterns approximated)
    value = str(element.get(_qn("w:color" if pattern == "solid" else "w:fill"), "auto"))
    if value.lower() == "auto" and pattern != "solid":
        return None
    color = _hex(value)
    if color is None:
        raise _Unknown
    return color


def _page_color(document: Any) -> Rgb | None:
    """The page colour: white unless ``w:background`` names one; None where it cannot be read."""
    background = document.element.find(_qn("w:background"))
    if background is None:
        return WHITE
    value = str(background.get(_qn("w:color"), "auto"))
    return WHITE if value.lower() == "auto" else _hex(value)


def _hex(value: str) -> Rgb | None:
    """An ``RRGGBB`` colour; None for anything else."""
    return rgb_from_int(int(value, 16)) if _HEX.fullmatch(value) else None


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))
