"""Real image-only PDF pages for OCR tests: text typeset on a page, rendered to a PNG, and the PNG
placed on a new page, which then has no text layer. Shared by the OCR tests and the benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf

#: letter-ish page size of the pages made here (points)
WIDTH, HEIGHT = 595.0, 842.0


@dataclass(frozen=True)
class ScanSpec:
    """One page: ``text`` in one column, or ``right`` too for two columns; ``kind`` says how the
    image sits on the page: "plain", "sideways" (the image turned 90° on an upright page),
    "rotate" (the image stored turned, the page's /Rotate set so it shows upright), "blank" (an
    empty white image), "text" (a normal page with a text layer, no image)."""

    text: str = ""
    right: str = ""
    kind: str = "plain"
    fontsize: float = 11.0


def _png(spec: ScanSpec, dpi: int) -> bytes:
    src = pymupdf.open()
    page = src.new_page(width=WIDTH, height=HEIGHT)
    if spec.right:
        page.insert_textbox(pymupdf.Rect(50, 60, 285, 800), spec.text, fontsize=spec.fontsize)
        page.insert_textbox(pymupdf.Rect(325, 60, 560, 800), spec.right, fontsize=spec.fontsize)
    elif spec.kind != "blank":
        page.insert_textbox(pymupdf.Rect(60, 60, 540, 800), spec.text, fontsize=spec.fontsize)
    png: bytes = page.get_pixmap(dpi=dpi).tobytes("png")
    src.close()
    return png


def add_scanned_page(doc: pymupdf.Document, spec: ScanSpec, dpi: int = 150) -> None:
    """Append one page made from ``spec`` to ``doc``."""
    if spec.kind == "text":
        page = doc.new_page(width=WIDTH, height=HEIGHT)
        page.insert_textbox(pymupdf.Rect(60, 60, 540, 800), spec.text, fontsize=spec.fontsize)
        return
    png = _png(spec, dpi)
    if spec.kind == "sideways":
        page = doc.new_page(width=WIDTH, height=HEIGHT)
        page.insert_image(page.rect, stream=png, rotate=90)
    elif spec.kind == "rotate":
        page = doc.new_page(width=HEIGHT, height=WIDTH)
        page.insert_image(page.rect, stream=png, rotate=90)
        page.set_rotation(90)
    else:
        page = doc.new_page(width=WIDTH, height=HEIGHT)
        page.insert_image(page.rect, stream=png)


def make_scanned_pdf(path: Path, specs: list[ScanSpec], dpi: int = 150) -> Path:
    doc = pymupdf.open()
    for spec in specs:
        add_scanned_page(doc, spec, dpi)
    doc.save(path)
    doc.close()
    return path
