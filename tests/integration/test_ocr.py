"""OCR of scanned PDF pages on real image-only PDFs made here (text rendered to an image, the image
placed on a page): plain, turned by /Rotate, turned sideways in the image, two columns, blank; in
the parser's child process with its memory cap, the time limit applying per OCR'd page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ragtune.core.ingest import heartbeat
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.types import Page, ParsedDocument
from ragtune.errors import ParseError
from scan_factory import ScanSpec, make_scanned_pdf

GLACIER = (
    "Glaciers in the northern valley retreated eleven metres during the dry summer of 2023. "
    "The survey team measured the ice front with a theodolite every Tuesday morning."
)
TURNED = "The lighthouse keeper logged forty ships passing the harbour mouth in one stormy week."
SIDEWAYS = "Beekeepers in the orchard counted nine hives and harvested copper coloured honey."
LEFT = "Apples ripen in the western orchard before the pears are picked. " * 5
RIGHT = "Submarines surfaced near the eastern pier after the winter storms. " * 5


Scanned = tuple[ParsedDocument, list[tuple[float | None, str]]]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    """One scanned PDF parsed once in a real ParserPool; also what on_wait reported."""
    path = make_scanned_pdf(
        tmp_path_factory.mktemp("scan") / "scan.pdf",
        [
            ScanSpec(GLACIER),
            ScanSpec(TURNED, kind="rotate"),
            ScanSpec(SIDEWAYS, kind="sideways"),
            ScanSpec(LEFT, RIGHT, fontsize=10),
            ScanSpec(kind="blank"),
        ],
    )
    waits: list[tuple[float | None, str]] = []
    with ParserPool(timeout_s=120) as pool:
        result = next(iter(pool.imap([path], on_wait=lambda _p, left, note: waits.append((left, note)))))[1]
    assert isinstance(result, ParsedDocument), result
    return result, waits


def similar(got: str, want: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, " ".join(got.split()), " ".join(want.split())).ratio()


def page(doc: ParsedDocument, number: int) -> Page:
    return doc.pages[number - 1]


def ink(doc: ParsedDocument, number: int, box: tuple[float, float, float, float]) -> float:
    """Share of dark pixels inside ``box`` (points) on the page as rendered."""
    import numpy as np
    import pymupdf

    with pymupdf.open(doc.path) as pdf:
        pix = pdf[number - 1].get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)
    gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    x0, y0, x1, y1 = (round(v) for v in box)
    return float((gray[y0:y1, x0:x1] < 128).mean())


def test_plain_scanned_page_is_read_and_marked(scanned: Scanned) -> None:
    doc, _ = scanned
    first = page(doc, 1)
    assert first.ocr
    assert similar(first.text, GLACIER) > 0.95
    assert len(first.words) == len(GLACIER.split())
    # words keep their boxes in page points, in reading order: "Glaciers" top left of the text
    x0, y0, x1, y1, text = first.words[0]
    assert text == "Glaciers"
    assert 55 <= x0 < x1 <= 140
    assert 55 <= y0 < y1 <= 90
    assert ink(doc, 1, (x0, y0, x1, y1)) > 0.05
    assert ink(doc, 1, (x0, y0 + 100, x1, y1 + 100)) == 0.0  # below the text: white


def test_rotated_pages_are_read_upright(scanned: Scanned) -> None:
    doc, _ = scanned
    assert similar(page(doc, 2).text, TURNED) > 0.95  # /Rotate 90
    assert similar(page(doc, 3).text, SIDEWAYS) > 0.95  # the image itself turned on the page
    assert page(doc, 2).ocr
    assert page(doc, 3).ocr
    # the first word's box is where it is drawn on the page as shown: sideways, a tall box
    x0, y0, x1, y1, text = page(doc, 3).words[0]
    assert text == "Beekeepers"
    assert y1 - y0 > x1 - x0
    assert ink(doc, 3, (x0, y0, x1, y1)) > 0.05
    x0, y0, x1, y1, text = page(doc, 2).words[0]
    assert text == "The"
    assert ink(doc, 2, (x0, y0, x1, y1)) > 0.05


def test_two_columns_left_before_right(scanned: Scanned) -> None:
    text = page(scanned[0], 4).text
    assert text.count("Apples") == 5
    assert text.count("Submarines") == 5
    assert text.rindex("Apples") < text.index("Submarines")


def test_blank_image_page_is_empty(scanned: Scanned) -> None:
    blank = page(scanned[0], 5)
    assert blank.text == ""
    assert blank.words == ()


def test_each_ocr_page_is_reported_with_a_fresh_time_limit(
    scanned: Scanned,
) -> None:
    notes = [note for _left, note in scanned[1] if note]
    assert notes[-1] == "OCR of page 5 of 5"
    assert {"OCR of page 2 of 5", "OCR of page 3 of 5", "OCR of page 4 of 5"} <= set(notes)
    assert scanned[1][-1] == (None, "")  # done


def test_mixed_pdf_only_the_scanned_page_is_ocrd(tmp_path: Path) -> None:
    from ragtune.core.ingest.parsers import parse_file

    path = make_scanned_pdf(tmp_path / "mixed.pdf", [ScanSpec("Kettles boil water for tea.", kind="text"), ScanSpec(TURNED)])
    doc = parse_file(path)
    assert not doc.pages[0].ocr
    assert doc.pages[0].text == "Kettles boil water for tea."
    assert doc.pages[1].ocr
    assert "lighthouse" in doc.pages[1].text


def test_pdf_with_nothing_to_read_says_so(tmp_path: Path) -> None:
    from ragtune.core.ingest.parsers import parse_file

    path = make_scanned_pdf(tmp_path / "blank.pdf", [ScanSpec(kind="blank")])
    with pytest.raises(ParseError) as err:
        parse_file(path)
    assert err.value.reason == "empty"
    assert "OCR" in err.value.detail


# -- the time limit per step --------------------------------------------------------------------
def stepping_parse(path: Path) -> ParsedDocument:
    """Five steps of 1.5 s each with a heartbeat note before each; "hung" files hang in step 3."""
    for step in range(1, 6):
        heartbeat.note(f"step {step}")
        time.sleep(30 if "hung" in path.name and step == 3 else 1.5)
    return ParsedDocument(str(path), path.stem, "text", (Page(1, "done"),))


def test_heartbeats_restart_the_time_limit_but_a_hung_step_still_times_out(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("x")
    (tmp_path / "hung.txt").write_text("x")
    notes: list[str] = []
    # 7.5 s in all, over the 6 s limit; a step (1.5 s) leaves the worker's start 4.5 s on a busy machine
    with ParserPool(timeout_s=6, parse_function=stepping_parse) as pool:
        results = dict(pool.imap([tmp_path / "long.txt", tmp_path / "hung.txt"], lambda _p, _l, n: notes.append(n)))
    assert isinstance(results[tmp_path / "long.txt"], ParsedDocument)
    hung = results[tmp_path / "hung.txt"]
    assert isinstance(hung, ParseError)
    assert hung.reason == "timed out"
    assert "step 3" in hung.detail
    assert "step 5" in notes


def test_stop_ends_a_long_parse_at_once(tmp_path: Path) -> None:
    import threading

    (tmp_path / "long.txt").write_text("x")
    (tmp_path / "next.txt").write_text("x")
    cancel = threading.Event()
    with ParserPool(timeout_s=60, parse_function=stepping_parse) as pool:
        timer = threading.Timer(2.0, cancel.set)
        timer.start()
        started = time.monotonic()
        results = list(pool.imap([tmp_path / "long.txt", tmp_path / "next.txt"], cancel=cancel))
        stopped_after = time.monotonic() - started
        timer.cancel()
        assert len(results) == 1  # the run ends: the next file is not read
        result = results[0][1]
        assert isinstance(result, ParseError)
        assert result.reason == "cancelled"
        assert stopped_after < 5.0  # not the 7.5 s the file takes
        cancel.clear()
        again = pool.parse(tmp_path / "next.txt")  # a fresh worker serves the next run
    assert isinstance(again, ParsedDocument)


def test_a_missing_ocr_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from ragtune.core.ingest.parsers import ocr

    ocr.engine.cache_clear()
    monkeypatch.setitem(ocr.MODELS, "Rec", "no-such-model.onnx")
    try:
        with pytest.raises(ParseError) as err:
            ocr.engine()
    finally:
        ocr.engine.cache_clear()
    assert err.value.reason == "OCR unavailable"
    assert "no-such-model.onnx" in err.value.detail
