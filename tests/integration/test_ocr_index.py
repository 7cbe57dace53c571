"""A scanned PDF indexed end to end (real parser child, OCR, embedder, SQLite): its words are
found, hits and citations say the text was OCR'd, and the page view highlights the OCR'd words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ragtune.cli import hit_json
from ragtune.core.locations import place
from ragtune.core.page_render import render_pdf_page
from ragtune.core.services import Ragtune
from ragtune.core.types import Progress
from scan_factory import ScanSpec, make_scanned_pdf

SCANNED = (
    "The survey team measured the glacier front with a theodolite every Tuesday morning. "
    "Meltwater from the glacier fills the reservoir that supplies the village mill."
)


@pytest.fixture
def svc(embedder: Any) -> Iterator[Ragtune]:
    service = Ragtune(embedder=embedder)
    yield service
    service.close()


def overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_scanned_pdf_is_searchable_cited_as_ocr_and_highlighted(svc: Ragtune, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = make_scanned_pdf(
        folder / "survey.pdf",
        [ScanSpec("Contents: a field report about kettles, lanterns and rope.", kind="text"), ScanSpec(SCANNED)],
    )
    seen: list[Progress] = []
    report = svc.library.index("field", [folder], progress=seen.append)
    assert (report.added, report.failed) == (1, [])
    assert any(p.parsing == "survey.pdf (OCR of page 2 of 2)" for p in seen)

    hits = svc.library.search("field", "theodolite measurements of the glacier front", k=3)
    top = hits[0]
    assert (top.page, top.ocr) == (2, True)
    assert "theodolite" in top.text
    assert place(top.path, top.page, ocr=top.ocr) == "survey.pdf, p. 2 (OCR)"
    assert hit_json(top)["location"] == "p. 2 (OCR)"
    text_hits = [h for h in svc.library.search("field", "kettles lanterns rope", k=3) if h.page == 1]
    assert text_hits
    assert not text_hits[0].ocr

    words = svc.library.ocr_words(str(pdf), 2)
    assert words is not None
    assert svc.library.ocr_words(str(pdf), 1) is None
    rendered = render_pdf_page(pdf, 2, top.text, 1.5, words)
    assert rendered.ocr
    assert rendered.highlights
    word = next(w for w in words if w[4] == "theodolite")
    box = (word[0] * 1.5, word[1] * 1.5, word[2] * 1.5, word[3] * 1.5)
    assert any(overlaps(h, box) for h in rendered.highlights)
    assert all(h[1] < 300 for h in rendered.highlights)  # on the text at the top, not below it
    assert render_pdf_page(pdf, 2, top.text, 1.5).highlights == []  # no text layer to search
    assert svc.library.doctor().ok

    (pdf).unlink()
    assert svc.library.index("field").removed == 1
    assert svc.library.ocr_words(str(pdf), 2) is None  # gone with its document
