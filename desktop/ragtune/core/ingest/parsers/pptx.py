"""PowerPoint parser (python-pptx): one page per slide, numbered as PowerPoint numbers the slides,
so a passage is cited as "slide 3"; the slide's title is its label.

A slide holds the text of its title, text boxes, placeholders, tables and grouped shapes, in the
order of the slide's shape tree, then its speaker notes ("Notes: ..."), which a person sees below
the slide while editing. Text a person does not see in the show is left out and counted as hidden:
hidden slides (which keep their number, so later slides are cited as PowerPoint shows them) and
shapes marked hidden in the selection pane.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ragtune.core.ingest.parsers.common import clean_title, normalize_text, require_text
from ragtune.core.ingest.parsers.office import check_package
from ragtune.core.types import Page, ParsedDocument

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def _hidden_shape(shape: Any) -> bool:
    """Hidden in the selection pane: ``hidden="1"`` on the shape's own ``cNvPr`` (its first one)."""
    props = shape._element.find(f".//{_P}cNvPr")
    return props is not None and props.get("hidden") in ("1", "true")


def _text_of(shape: Any) -> str:
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = []
        for row in shape.table.rows:
            cells = [" ".join(cell.text.split()) for cell in row.cells]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
        return "\n".join(rows)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        return str(shape.text_frame.text).replace("\v", "\n")
    return ""


def _shape_texts(shapes: Iterable[Any]) -> tuple[list[str], int]:
    """The texts of ``shapes`` (groups opened, iteratively) and how many hidden ones were left out."""
    texts: list[str] = []
    hidden = 0
    stack = list(reversed(list(shapes)))
    while stack:
        shape = stack.pop()
        if _hidden_shape(shape):
            hidden += 1
            continue
        inner = getattr(shape, "shapes", None)
        if inner is not None:  # a group shape
            stack.extend(reversed(list(inner)))
            continue
        text = _text_of(shape).strip()
        if text:
            texts.append(text)
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
    for number, slide in enumerate(deck.slides, start=1):
        texts, hidden_shapes = _shape_texts(slide.shapes)
        if slide._element.get("show") in ("0", "false"):  # a hidden slide: not in the show
            hidden += len(texts) + hidden_shapes
            continue
        hidden += hidden_shapes
        notes = _notes(slide)
        if notes:
            texts.append(f"Notes: {notes}")
        text = normalize_text("\n\n".join(texts))
        if text:
            pages.append(Page(number, text, _title(slide)[:200]))
    require_text(tuple(pages))
    try:
        core_title = deck.core_properties.title or ""
    except (KeyError, ValueError, AttributeError):
        core_title = ""
    first_label = next((p.label for p in pages if p.label), "")
    title = clean_title(core_title or first_label, path)
    return ParsedDocument(str(path), title, "pptx", tuple(pages), hidden_spans=hidden)
