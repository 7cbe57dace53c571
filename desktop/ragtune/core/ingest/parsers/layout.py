"""Reading order of text blocks on a page, shared by the PDF text layer and OCR'd lines.

Blocks are read top to bottom; where a page is laid out in two columns (two runs of paragraphs side
by side, between full-width blocks such as a title or a figure caption), the left column is read
before the right one instead of interleaving their lines. Coordinates are page points.
"""

from __future__ import annotations

from collections.abc import Sequence

#: x0, y0, x1, y1, text
Block = tuple[float, float, float, float, str]

#: a side of a band counts as a text column only with at least this much text
COLUMN_CHARS = 200
#: how far (points) a block may reach past the page's middle and still belong to one column
_SLACK = 10.0


def reading_order(blocks: Sequence[Block], middle: float) -> list[int]:
    """Indices of ``blocks`` (already top to bottom) in reading order: a full-width block closes
    the band above it; a band with enough text on both sides of ``middle`` is read left column,
    then right column."""
    ordered: list[int] = []
    band: list[int] = []
    for i, (x0, _y0, x1, _y1, _text) in enumerate(blocks):
        if x0 < middle - _SLACK and x1 > middle + _SLACK:  # full width: closes the band above it
            ordered.extend(_band_order(blocks, band, middle))
            band = []
            ordered.append(i)
        else:
            band.append(i)
    ordered.extend(_band_order(blocks, band, middle))
    return ordered


def _band_order(blocks: Sequence[Block], band: list[int], middle: float) -> list[int]:
    left = [i for i in band if blocks[i][2] <= middle + _SLACK]
    right = [i for i in band if blocks[i][2] > middle + _SLACK]
    if sum(len(blocks[i][4]) for i in left) < COLUMN_CHARS or sum(len(blocks[i][4]) for i in right) < COLUMN_CHARS:
        return band  # not two columns of prose (a table, a short aside): keep top-to-bottom order

    def key(i: int) -> tuple[float, float]:
        return blocks[i][1], blocks[i][0]

    return sorted(left, key=key) + sorted(right, key=key)


def join_blocks(blocks: Sequence[Block]) -> str:
    """Blocks separated by a blank line where there is a paragraph gap, by a line break where one
    block simply continues the next line (some PDFs make every line its own block)."""
    parts: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = block[4].strip()
        if previous is not None:
            lines = max(1, previous[4].strip().count("\n") + 1)
            line_height = (previous[3] - previous[1]) / lines
            gap = block[1] - previous[3]
            parts.append("\n" if -2 <= gap < 0.5 * line_height else "\n\n")
        parts.append(text)
        previous = block
    return "".join(parts)


def rows_top_down(boxes: Sequence[tuple[float, float, float, float]]) -> list[int]:
    """Indices of line boxes top to bottom, boxes on one row (vertical centres closer than half a
    line height) left to right: the order a text layer's ``sort=True`` gives, for OCR'd lines."""
    by_centre = sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    order: list[int] = []
    row: list[int] = []
    row_centre = 0.0
    for i in by_centre:
        _x0, y0, _x1, y1 = boxes[i]
        centre = (y0 + y1) / 2
        if row and abs(centre - row_centre) > 0.5 * (y1 - y0):
            order.extend(sorted(row, key=lambda j: boxes[j][0]))
            row = []
        if not row:
            row_centre = centre
        row.append(i)
    order.extend(sorted(row, key=lambda j: boxes[j][0]))
    return order
