"""PowerPoint parser (python-pptx): one page per slide, numbered as PowerPoint numbers the slides,
so a passage is cited as "slide 3"; the slide's title is its label.

A slide holds the text of its title, text boxes, placeholders, tables and grouped shapes, in the
order of the slide's shape tree, then its speaker notes ("Notes: ..."), which a person sees below
the slide while editing. Text a person does not see in the show is left out and counted as hidden:
hidden slides (which keep their number, so later slides are cited as PowerPoint shows them),
shapes marked hidden in the selection pane or placed wholly off the slide, and runs too small or
too faint to see (``pptx_runs``, which says what it does not resolve).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ragtune.core.ingest.parsers.common import (
    clean_label,
    clean_title,
    normalize_text,
    require_text,
)
from ragtune.core.ingest.parsers.office import check_package
from ragtune.core.ingest.parsers.pptx_runs import frame_text, shape_background, slide_background
from ragtune.core.ingest.parsers.visibility import Rgb
from ragtune.core.types import Page, ParsedDocument

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def _hidden_shape(shape: Any) -> bool:
    """Hidden in the selection pane: ``hidden="1"`` on the shape's own ``cNvPr`` (its first one)."""
    props = shape._element.find(f".//{_P}cNvPr")
    return props is not None and props.get("hidden") in ("1", "true")


def _text_of(shape: Any, slide_color: Rgb | None) -> tuple[str, int]:
    """A shape's text without runs a person does not see (``pptx_runs``), and how many those were."""
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = []
        for row in shape.table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
        return "\n".join(rows), 0
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return frame_text(shape.text_frame, shape_background(shape, slide_color))
    return "", 0


def _off_slide(shape: Any, size: tuple[int, int]) -> bool:
    """Placed wholly outside the slide (a shape of the slide's own tree; a group's children are
    placed in the group's coordinates and are not judged)."""
    try:
        box = (shape.left, shape.top, shape.width, shape.height)
    except (AttributeError, KeyError, ValueError):
        return False
    if any(v is None for v in box):
        return False  # a placeholder placed by its layout
    left, top, width, height = (int(v) for v in box)
    return left >= size[0] or top >= size[1] or left + width <= 0 or top + height <= 0


def _shape_texts(shapes: Iterable[Any], slide_color: Rgb | None, size: tuple[int, int]) -> tuple[list[str], int]:
    """The texts of ``shapes`` (groups opened, iteratively) and how many hidden ones were left out:
    shapes hidden in the selection pane or placed off the slide, runs not seen."""
    texts: list[str] = []
    hidden = 0
    stack = [(shape, True) for shape in reversed(list(shapes))]
    while stack:
        shape, top_level = stack.pop()
        if _hidden_shape(shape) or (top_level and _off_slide(shape, size)):
            hidden += 1
            continue
        inner = getattr(shape, "shapes", None)
        if inner is not None:  # a group shape
            stack.extend((child, False) for child in reversed(list(inner)))
            continue
        text, unseen = _text_of(shape, slide_color)
        hidden += unseen
        if text.strip():
            texts.append(text.strip())
    return texts, hidden


def _notes(slide: Any) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return str(frame.text).replace("\v", "\n").strip() if frame is not None else ""


def _title(slide: Any) -> str:
    shape = slide.shapes.title
    return " ".join(str(shape.text_frame.text).split()) if shape is not None and shape.has_text_frame else ""


def parse(path: Path) -> ParsedDocument:
    from pptx import Presentation

    check_package(path, ".ppt")
    deck = Presentation(str(path))
    pages: list[Page] = []
    hidden = 0
    size = (int(deck.slide_width or 9144000), int(deck.slide_height or 6858000))  # 10 x 7.5 inches
    for number, slide in enumerate(deck.slides, start=1):
        texts, hidden_shapes = _shape_texts(slide.shapes, slide_background(slide), size)
        if slide._element.get("show") in ("0", "false"):  # a hidden slide: not in the show
            hidden += len(texts) + hidden_shapes
            continue
        hidden += hidden_shapes
        notes = _notes(slide)
        if notes:
            texts.append(f"Notes: {notes}")
        text = normalize_text("\n\n".join(texts))
        if text:
            pages.append(Page(number, text, clean_label(_title(slide))))
    require_text(tuple(pages))
    try:
        core_title = deck.core_properties.title or ""
    except (KeyError, ValueError, AttributeError):
        core_title = ""
    first_label = next((p.label for p in pages if p.label), "")
    title = clean_title(core_title or first_label, path)
    return ParsedDocument(str(path), title, "pptx", tuple(pages), hidden_spans=hidden)
