"""A PDF page's text blocks without the text a reader cannot see.

A span (a run of text in one style) is left out and counted when the page does not show it:

- drawn invisibly (render mode 3: neither filled nor stroked, MuPDF's ``char_flags``), unless it
  lies over an image. That is how an OCR'd scan carries its text layer: the image shows the words
  the invisible text holds, so it stays. Anywhere else nothing shows it, so it goes.
- set in a font too small to read (``visibility.MIN_READABLE_PT``), unless invisible over an image.
- too faint against what lies under it (``visibility.MIN_CONTRAST``; a transparent span is blended
  with its background first). What lies under it: an image makes the background unknown, so the
  span stays (white text on a photo is read); else the fill colour of the last filled drawing
  whose box holds the span's centre (a white box under white text is judged as white); else the
  page, which is white.

Not covered: text painted over by a later drawing or image, and text clipped away (MuPDF's
extraction keeps both); judging those needs the page's paint order, left for later.
"""

from __future__ import annotations

from typing import Any

import pymupdf

from ragtune.core.ingest.parsers.layout import Block
from ragtune.core.ingest.parsers.visibility import WHITE, Rgb, rgb_from_int, too_faint, too_small

#: MuPDF's per-character flags: drawn by filling or by stroking (neither: render mode 3)
_PAINTED = 16 | 32  # FZ_STEXT_FILLED | FZ_STEXT_STROKED
#: the same flags ``get_text("blocks")`` uses, so the text is what the page read before
_FLAGS = pymupdf.TEXTFLAGS_BLOCKS


class _Page:
    """What lies under text on one page, read only when a span needs it (most pages have no
    invisible or faint text, and listing images or drawings costs as much as reading the text)."""

    def __init__(self, page: pymupdf.Page) -> None:
        self.page = page
        self._images: list[pymupdf.Rect] | None = None
        self._fills: list[tuple[pymupdf.Rect, Rgb]] | None = None

    def over_image(self, centre: pymupdf.Point) -> bool:
        if self._images is None:
            self._images = [pymupdf.Rect(info["bbox"]) for info in self.page.get_image_info()]
        return any(centre in box for box in self._images)

    def background(self, centre: pymupdf.Point) -> Rgb | None:
        """The colour under ``centre``: None over an image (unknown), else the last filled
        drawing's fill there, else white."""
        if self.over_image(centre):
            return None
        if self._fills is None:
            self._fills = [
                (pymupdf.Rect(d["rect"]), _rgb(d["fill"]))
                for d in self.page.get_drawings()
                if d.get("fill") is not None and len(d["fill"]) >= 3
            ]
        for box, fill in reversed(self._fills):
            if centre in box:
                return fill
        return WHITE

    def unseen(self, span: dict[str, Any]) -> bool:
        """A reader cannot see ``span`` (see the module docstring)."""
        if not span.get("char_flags", _PAINTED) & _PAINTED:
            return not self.over_image(_centre(span))
        if too_small(float(span.get("size", 0.0))):
            return True
        if span.get("color", 0) == 0 and span.get("alpha", 255) == 255:
            return False  # opaque black, the common case
        alpha = float(span.get("alpha", 255)) / 255
        color = rgb_from_int(int(span.get("color", 0)))
        if not too_faint(_blend(color, WHITE, alpha)):
            return False  # readable on a white page: nothing under it needs reading
        background = self.background(_centre(span))
        return background is not None and too_faint(_blend(color, background, alpha), background)


def visible_blocks(page: pymupdf.Page) -> tuple[list[Block], int]:
    """The page's text blocks (top to bottom, as ``get_text("blocks", sort=True)``) with the
    spans a reader cannot see left out, and the number of spans with text left out."""
    judge = _Page(page)
    blocks: list[Block] = []
    hidden = 0
    reshaped = False
    for block in page.get_text("dict", flags=_FLAGS, sort=True)["blocks"]:
        if block.get("type", 0) != 0:
            continue
        lines: list[str] = []
        boxes: list[tuple[float, float, float, float]] = []  # the visible spans'
        dropped = False
        for line in block["lines"]:
            parts: list[str] = []
            for span in line["spans"]:
                text = span["text"]
                if text.strip() and judge.unseen(span):
                    hidden += 1
                    dropped = True
                    continue
                parts.append(text)
                if text.strip():
                    boxes.append(span["bbox"])
            if parts:
                lines.append("".join(parts))
        text = "\n".join(lines)
        if not text.strip():
            continue
        x0, y0, x1, y1 = block["bbox"]
        if dropped:  # the block is where its visible spans are
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        reshaped = reshaped or dropped
        blocks.append((x0, y0, x1, y1, text))
    if reshaped:  # a block lost its hidden lines: its place is where its visible ones are
        blocks.sort(key=lambda b: (b[3], b[0]))
    return blocks, hidden


def _centre(span: dict[str, Any]) -> pymupdf.Point:
    x0, y0, x1, y1 = span["bbox"]
    return pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2)


def _rgb(color: Any) -> Rgb:
    return float(color[0]), float(color[1]), float(color[2])


def _blend(color: Rgb, background: Rgb, alpha: float) -> Rgb:
    """``color`` painted at ``alpha`` opacity over ``background``."""
    r, g, b = (alpha * c + (1 - alpha) * under for c, under in zip(color, background, strict=True))
    return r, g, b
