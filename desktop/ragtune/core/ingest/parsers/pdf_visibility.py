"""A PDF page's text blocks without the text a reader cannot see.

A span (a run of text in one style) is left out and counted when the page does not show it:

- set in a font too small to read (``visibility.MIN_READABLE_PT``), invisible or not.
- drawn invisibly (render mode 3: neither filled nor stroked, MuPDF's ``char_flags``), unless it
  lies over an image that shows something where it lies. That is how an OCR'd scan carries its
  text layer: the image shows the words the invisible text holds, so it stays. Anywhere else, or
  over a blank part of an image (a white picture stretched under the text), nothing shows it, so
  it goes. "Shows something": at least :data:`_MIN_INK` of the span's box, on the page rendered
  at 1 pixel a point (invisible text is not drawn), stands out from the box's middle colour by
  ``visibility.MIN_CONTRAST``.
- too faint (``visibility.MIN_CONTRAST``; a transparent span is blended first): faint against a
  white page, and, on the page as rendered (the span drawn too, over whatever lies under it:
  drawings, images, in their paint order), it stands out from under :data:`_MIN_SHOWN` of its
  box. White text on a dark banner or a photo is read; on a white box or a white image it is not.

Only a page with an invisible span over an image, or a span faint against white, is rendered
(once, at 72 dpi); most pages have neither.

Not covered: text painted over by a later drawing or image unless it is faint, text clipped away
(MuPDF's extraction keeps both), and invisible text over an image showing other marks (a real
photo, other words: telling those from the words the text holds needs OCR).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pymupdf

from ragtune.core.ingest.parsers.layout import Block
from ragtune.core.ingest.parsers.visibility import (
    MIN_CONTRAST,
    WHITE,
    Rgb,
    luminance,
    rgb_from_int,
    too_faint,
    too_small,
)

#: MuPDF's per-character flags: drawn by filling or by stroking (neither: render mode 3)
_PAINTED = 16 | 32  # FZ_STEXT_FILLED | FZ_STEXT_STROKED
#: the same flags ``get_text("blocks")`` uses, so the text is what the page read before
_FLAGS = pymupdf.TEXTFLAGS_BLOCKS
#: invisible text over an image stays when this share of its box shows ink (a scanned word's
#: strokes cover a tenth to a third of its box at 72 dpi; a blank or evenly tinted image, none)
_MIN_INK = 0.02
#: faint text is seen when it stands out over this share of its box (its own glyphs cover less)
_MIN_SHOWN = 0.33

Pixels = npt.NDArray[np.uint8]  # (n, 3) sRGB, 0 to 255


def _luminance_table() -> npt.NDArray[np.float64]:
    """[value, channel]: a 0-255 channel value's share of the relative luminance (the sum of a
    pixel's three is ``visibility.luminance`` of its colour: the rule kept in one place)."""
    table = np.zeros((256, 3))
    for value in range(256):
        for channel in range(3):
            rgb = [0.0, 0.0, 0.0]
            rgb[channel] = value / 255
            table[value, channel] = luminance((rgb[0], rgb[1], rgb[2]))
    return table


_LUMINANCE = _luminance_table()


class _Page:
    """What lies under text on one page, read only when a span needs it (most pages have no
    invisible or faint text, and listing images or rendering the page costs as much as reading
    the text)."""

    def __init__(self, page: pymupdf.Page) -> None:
        self.page = page
        self._images: list[pymupdf.Rect] | None = None
        self._rendered: Pixels | None = None  # (height, width, 3), 1 pixel a point

    def over_image(self, centre: pymupdf.Point) -> bool:
        if self._images is None:
            self._images = [pymupdf.Rect(info["bbox"]) for info in self.page.get_image_info()]
        return any(centre in box for box in self._images)

    def box(self, span: dict[str, Any]) -> Pixels:
        """The page as rendered (invisible text not drawn) inside ``span``'s box, one row a pixel."""
        if self._rendered is None:
            pix = self.page.get_pixmap(dpi=72, colorspace=pymupdf.csRGB, alpha=False)
            rows = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)
            self._rendered = rows[:, : pix.width * 3].reshape(pix.height, pix.width, 3)
        rect = pymupdf.Rect(span["bbox"]) * self.page.rotation_matrix  # as the page shows
        height, width = self._rendered.shape[:2]
        x0, y0 = max(math.floor(rect.x0), 0), max(math.floor(rect.y0), 0)
        x1, y1 = min(math.ceil(rect.x1), width), min(math.ceil(rect.y1), height)
        return self._rendered[y0:max(y0, y1), x0:max(x0, x1)].reshape(-1, 3)

    def unseen(self, span: dict[str, Any]) -> bool:
        """A reader cannot see ``span`` (see the module docstring)."""
        if too_small(float(span.get("size", 0.0))):
            return True
        if not span.get("char_flags", _PAINTED) & _PAINTED:
            return not self.over_image(_centre(span)) or not _shows_ink(self.box(span))
        if span.get("color", 0) == 0 and span.get("alpha", 255) == 255:
            return False  # opaque black, the common case
        alpha = float(span.get("alpha", 255)) / 255
        color = rgb_from_int(int(span.get("color", 0)))
        if not too_faint(_blend(color, WHITE, alpha)):
            return False  # readable on a white page: nothing under it needs reading
        return not _stands_out(color, alpha, self.box(span))


def _luminance(pixels: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.float64]:
    """Relative luminance of each (r, g, b) 0-255 pixel."""
    shares: npt.NDArray[np.float64] = _LUMINANCE[pixels, np.arange(3)].sum(axis=-1)
    return shares


def _distinct(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64] | float) -> npt.NDArray[np.bool_]:
    """Luminances told apart by a reader (``visibility.contrast`` at least ``MIN_CONTRAST``)."""
    ratio = (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)
    return np.asarray(ratio >= MIN_CONTRAST)


def _shows_ink(pixels: Pixels) -> bool:
    """Something shows in ``pixels``: enough of them stand out from their median colour."""
    if not len(pixels):
        return False
    lum = _luminance(pixels)
    return float(_distinct(lum, float(np.median(lum))).mean()) >= _MIN_INK


def _stands_out(color: Rgb, alpha: float, pixels: Pixels) -> bool:
    """Text in ``color`` at ``alpha``, rendered in ``pixels``, stands out over enough of them: each
    pixel is judged against the text as it would look painted over that pixel."""
    if not len(pixels):
        return False
    painted = np.rint(alpha * 255 * np.array(color) + (1 - alpha) * pixels).astype(np.intp)
    shown = _distinct(_luminance(painted), _luminance(pixels))
    return float(shown.mean()) >= _MIN_SHOWN


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


def _blend(color: Rgb, background: Rgb, alpha: float) -> Rgb:
    """``color`` painted at ``alpha`` opacity over ``background``."""
    r, g, b = (alpha * c + (1 - alpha) * under for c, under in zip(color, background, strict=True))
    return r, g, b
