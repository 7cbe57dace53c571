"""A DOCX paragraph's visible text: runs a reader does not see are left out and counted.

A run is left out when Word does not show it: marked hidden (``w:vanish``, on the run, through its
character style or through the paragraph's style), set in a font too small to read, or coloured too
close to its background (``visibility``'s rule, the same as for PDF). Properties are resolved the way
Word does: the run's own, then its character style and the styles it is based on, then the
paragraph style and its bases. The background is white unless the run, its paragraph or its table
cell is shaded or highlighted, or the document has a page colour; then the colour is judged against
the shading's fill where it names one, and not judged at all where it does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, rgb_from_int, too_faint, too_small

#: shading and highlighting that put something other than the page under a run
_SHADING = "./w:rPr/w:shd | ./w:rPr/w:highlight | ancestor::w:p[1]/w:pPr/w:shd | ancestor::w:tc[1]/w:tcPr/w:shd"
_BAD_STYLE = (KeyError, ValueError, AttributeError, TypeError)


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
        self._page_colored = document.element.find(_qn("w:background")) is not None

    def text(self, paragraph: Any) -> str:
        """The paragraph's text, as python-docx's ``Paragraph.text`` but without unseen runs."""
        from docx.text.run import Run

        p = paragraph._p
        para_style = p.pPr.style if p.pPr is not None else None
        parts: list[str] = []
        for r in p.xpath("./w:r | ./w:hyperlink/w:r"):
            text = str(r.text)
            if not text:
                continue
            char_style = r.rPr.style if r.rPr is not None else None
            look = _font_look(Run(r, paragraph).font).under(self._style_look(char_style, para_style))
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
        if look.color is None:
            return False
        background = _background(r, self._page_colored)
        return background is not None and too_faint(look.color, background)

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
            self._styles[key] = look
        return self._styles[key]


def _chain_look(style: Any) -> _Look:
    """A style's properties with those of the styles it is based on (cycles stop)."""
    look = _Look()
    seen: set[int] = set()
    while style is not None and id(style.element) not in seen:
        seen.add(id(style.element))
        try:
            look = look.under(_font_look(style.font))
            style = style.base_style
        except _BAD_STYLE:
            break
    return look


def _font_look(font: Any) -> _Look:
    try:
        hidden = font.hidden
        size = font.size
        rgb = font.color.rgb if font.color is not None else None
    except _BAD_STYLE:
        return _Look()
    color = (rgb[0] / 255, rgb[1] / 255, rgb[2] / 255) if rgb is not None else None
    return _Look(hidden, size.pt if size is not None else None, color)


def _background(r: Any, page_colored: bool) -> Rgb | None:
    """The colour under a run: white, a shading's fill, or None where it cannot be told."""
    if page_colored:
        return None
    shading = r.xpath(_SHADING)
    if not shading:
        return WHITE
    innermost = shading[-1]  # document order: the cell's, the paragraph's, the run's
    fill = str(innermost.get(_qn("w:fill")) or "")
    if innermost.tag != _qn("w:shd") or len(fill) != 6:
        return None  # a highlight ("yellow") or a shading without a fill colour
    try:
        return rgb_from_int(int(fill, 16))
    except ValueError:
        return None


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))
