"""OCR of a PDF page without a text layer (RapidOCR on onnxruntime, models inside its wheel).

The page is rendered at ``OCR_DPI`` and read line by line; the lines are put in reading order by
``layout`` (two columns: left before right), and every word keeps its box in page points, so the
source viewer can highlight an OCR'd passage. The engine never downloads: its three models are
passed by path from the installed package, and a missing one is a clear error.

Text turned by 90° or 180° on the page (a scan fed sideways; ``/Rotate`` is already applied by
rendering) reads as tall boxes or low-confidence garbage; only then are the other turns tried, and
the one read most confidently wins. RapidOCR's own line classifier (0°/180°) is off: on clean
pages it flipped correct lines and turned them into garbage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.core.ingest.parsers.layout import Block, join_blocks, reading_order, rows_top_down
from ragtune.core.types import WordBox
from ragtune.errors import ParseError

#: render resolution for OCR: 150 dpi reads 8-11 pt print as well as 200 dpi (benchmarks/bench_ocr.py)
OCR_DPI = 150
#: files under ``rapidocr/models`` in the rapidocr wheel
MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}
#: longest side of the image OCR reads: a huge page is rendered smaller (the detector would shrink
#: it anyway) instead of filling the parser's memory cap
MAX_SIDE_PX = 4000
#: a line read with at least this confidence counts as read
_CONFIDENT = 0.85

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class OcrText:
    """A page's OCR'd text in reading order and its words with their boxes (page points)."""

    text: str
    words: tuple[WordBox, ...]


@dataclass(frozen=True)
class _Line:
    box: Box  # pixels of the image it was read from
    text: str
    score: float
    words: tuple[WordBox, ...]  # pixels, same image


@cache
def engine() -> Any:
    """The RapidOCR engine, loaded once per process, from the models shipped in its package."""
    try:
        import rapidocr
    except ImportError as exc:
        raise ParseError("OCR unavailable", f"the rapidocr package is missing ({exc}); reinstall Ragtune") from exc
    root = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {"Global.log_level": "error"}
    for task, name in MODELS.items():
        model = root / name
        if not model.is_file():
            raise ParseError("OCR unavailable", f"the OCR model {name} is missing from {root}; reinstall Ragtune")
        params[f"{task}.model_path"] = str(model)
    for name in ("RapidOCR", "rapidocr"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return rapidocr.RapidOCR(params=params)


def ocr_page(page: Any, dpi: int = OCR_DPI) -> OcrText:
    """Read a ``pymupdf.Page`` by OCR; empty for a blank page."""
    import pymupdf

    longest = max(float(page.rect.width), float(page.rect.height), 1.0)
    zoom = min(dpi / 72, MAX_SIDE_PX / longest)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride // 3, 3)[:, : pix.width]
    return read_image(np.ascontiguousarray(rgb[..., ::-1]), zoom)  # the engine takes BGR


def read_image(image: np.ndarray, zoom: float) -> OcrText:
    """OCR a BGR image of a page rendered at ``zoom`` pixels per point."""
    if float((image.min(axis=2) < 160).mean()) < 0.0002:  # nothing dark on it: a blank page
        return OcrText("", ())
    best, turns = _read(image), 0
    if _doubtful(best):
        tall = _tall_share(best) > 0.5
        for k in (1, 3) if tall else (2,):
            lines = _read(np.ascontiguousarray(np.rot90(image, k)))
            if _quality(lines) > _quality(best):
                best, turns = lines, k
                if not _doubtful(best):
                    break
    return _page_text(best, turns, image.shape[1], image.shape[0], zoom)


def _read(image: np.ndarray) -> list[_Line]:
    out = engine()(image, use_cls=False, return_word_box=True)
    if out.boxes is None or out.txts is None:
        return []
    word_results = out.word_results or ()
    lines: list[_Line] = []
    for i, (poly, text, score) in enumerate(zip(out.boxes, out.txts, out.scores, strict=False)):
        if not str(text).strip():
            continue
        xs, ys = [float(p[0]) for p in poly], [float(p[1]) for p in poly]
        box = (min(xs), min(ys), max(xs), max(ys))
        found = word_results[i] if i < len(word_results) else ()
        lines.append(_Line(box, str(text).strip(), float(score), _line_words(str(text), box, found)))
    return lines


def _line_words(text: str, box: Box, found: Any) -> tuple[WordBox, ...]:
    """The line's words with boxes: the engine's word boxes when they match the line's words,
    else the line's box cut in proportion to the characters."""
    words = text.split()
    if found and len(found) == len(words):
        boxes = []
        for word, (_text, _score, poly) in zip(words, found, strict=True):
            xs, ys = [float(p[0]) for p in poly], [float(p[1]) for p in poly]
            boxes.append((min(xs), min(ys), max(xs), max(ys), word))
        return tuple(boxes)
    x0, y0, x1, y1 = box
    per_char = (x1 - x0) / max(1, len(text))
    result, at = [], 0
    for word in words:
        start = text.index(word, at)
        at = start + len(word)
        result.append((x0 + start * per_char, y0, x0 + at * per_char, y1, word))
    return tuple(result)


def _tall_share(lines: list[_Line]) -> float:
    sized = [ln for ln in lines if len(ln.text) >= 3]
    tall = [ln for ln in sized if ln.box[3] - ln.box[1] > 1.5 * (ln.box[2] - ln.box[0])]
    return len(tall) / len(sized) if sized else 0.0


def _doubtful(lines: list[_Line]) -> bool:
    """Read sideways or upside down? (tall lines, or most characters read without confidence)"""
    chars = sum(len(ln.text) for ln in lines)
    if not chars:
        return False
    confident = sum(len(ln.text) for ln in lines if ln.score >= _CONFIDENT)
    return confident < 0.8 * chars or _tall_share(lines) > 0.5


def _quality(lines: list[_Line]) -> float:
    """Characters read, weighted by confidence; tall lines (text across the lines) count half."""
    total = 0.0
    for ln in lines:
        tall = ln.box[3] - ln.box[1] > 1.5 * (ln.box[2] - ln.box[0])
        total += len(ln.text) * ln.score * (0.5 if tall else 1.0)
    return total


def _unturn(x: float, y: float, turns: int, width: float, height: float) -> tuple[float, float]:
    """A point of the image turned ``turns`` times 90° counter-clockwise (``np.rot90``) back on the
    original image (``width`` by ``height``)."""
    if turns == 1:
        return width - y, x
    if turns == 2:
        return width - x, height - y
    if turns == 3:
        return y, height - x
    return x, y


def _page_box(box: Box, turns: int, width: float, height: float, zoom: float) -> Box:
    ax, ay = _unturn(box[0], box[1], turns, width, height)
    bx, by = _unturn(box[2], box[3], turns, width, height)
    return (
        round(min(ax, bx) / zoom, 1), round(min(ay, by) / zoom, 1),
        round(max(ax, bx) / zoom, 1), round(max(ay, by) / zoom, 1),
    )


def _page_text(lines: list[_Line], turns: int, width: int, height: int, zoom: float) -> OcrText:
    """Lines in reading order (worked out on the upright image) joined into the page's text, and
    their words with boxes in points on the page as rendered."""
    if not lines:
        return OcrText("", ())
    upright_width = height if turns in (1, 3) else width
    blocks: list[Block] = [
        (ln.box[0] / zoom, ln.box[1] / zoom, ln.box[2] / zoom, ln.box[3] / zoom, ln.text) for ln in lines
    ]
    top_down = rows_top_down([(b[0], b[1], b[2], b[3]) for b in blocks])
    rows = [blocks[i] for i in top_down]
    order = [top_down[i] for i in reading_order(rows, upright_width / zoom / 2)]
    words: list[WordBox] = []
    for i in order:
        for x0, y0, x1, y1, word in lines[i].words:
            words.append((*_page_box((x0, y0, x1, y1), turns, width, height, zoom), word))
    return OcrText(join_blocks([blocks[i] for i in order]), tuple(words))
