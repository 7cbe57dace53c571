"""Issue 17, section 1: text a person cannot see is not indexed, and each piece left out is counted.

Real files made here: PDFs drawn with PyMuPDF (white on white, a 1-point font, render mode 3, the
OCR layer of a scan), a DOCX with hidden runs (python-docx), Markdown with hidden raw HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pymupdf
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from hidden_text_factory import CANARY, CARRIERS, FACT, INSTRUCTION, blank_png, fact_sheet_pdf
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.types import ParsedDocument


def _text(doc: ParsedDocument) -> str:
    return "\n".join(page.text for page in doc.pages)


SCANNED = ((72.0, 100.0, "Minutes of the harbour board, scanned."), (72.0, 130.0, "The pier reopens on Monday after repairs."))
SCAN_AREA = pymupdf.Rect(50, 50, 550, 400)


def _scan_png() -> bytes:
    """What a scanner makes of a page printed with :data:`SCANNED`: the part in :data:`SCAN_AREA`
    as a 150 dpi picture (pale grey paper)."""
    src = pymupdf.open()
    page = src.new_page()
    page.draw_rect(page.rect, color=None, fill=(0.94, 0.94, 0.92))
    for x, y, line in SCANNED:
        page.insert_text((x, y), line, fontsize=11)
    png = bytes(page.get_pixmap(dpi=150, clip=SCAN_AREA).tobytes("png"))
    src.close()
    return png


def _ocrd_scan(page: pymupdf.Page) -> None:
    """The scan's picture on ``page`` with its OCR text layer over it in render mode 3 (what OCR
    tools write), and :data:`INSTRUCTION` in render mode 3 below the picture."""
    page.insert_image(SCAN_AREA, stream=_scan_png(), keep_proportion=False)
    for x, y, line in SCANNED:
        page.insert_text((x, y), line, fontsize=11, render_mode=3)
    page.insert_text((72, 600), INSTRUCTION, fontsize=11, render_mode=3)  # below the image: nothing shows it


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_every_hidden_carrier_keeps_its_fact_and_loses_its_instruction(tmp_path: Path, carrier: str) -> None:
    name, write = CARRIERS[carrier]
    parsed = parse_file(write(tmp_path / name, True))
    assert CANARY not in _text(parsed)
    assert FACT in _text(parsed)
    assert parsed.hidden_spans > 0


# -- PDF -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "canary",
    [
        {"color": (1, 1, 1)},  # white on a white page
        {"color": (0.96, 0.96, 0.96)},  # near white
        {"fontsize": 1},  # too small to read
        {"render_mode": 3},  # invisible, over no image
        {"fill_opacity": 0.02},  # all but transparent
    ],
    ids=["white", "near-white", "1pt", "render-mode-3", "transparent"],
)
def test_pdf_text_a_reader_cannot_see_is_left_out_and_counted(tmp_path: Path, canary: dict[str, Any]) -> None:
    doc = parse_file(fact_sheet_pdf(tmp_path / "facts.pdf", **canary))
    text = _text(doc)
    assert CANARY not in text
    assert FACT in text
    assert "Tickets are sold at the pier." in text
    assert doc.hidden_spans == 1


def test_pdf_visible_text_is_all_kept(tmp_path: Path) -> None:
    """Grey, small (6 pt) and stroked text, white text on a dark box, a cyan figure label (as real
    papers have): all seen, none counted."""
    path = tmp_path / "visible.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), FACT, fontsize=11)
    page.insert_text((72, 100), "Grey footnote text.", fontsize=6, color=(0.5, 0.5, 0.5))
    page.insert_text((72, 130), "Outlined heading", fontsize=14, render_mode=1)
    page.draw_rect(pymupdf.Rect(60, 150, 400, 180), color=None, fill=(0.1, 0.1, 0.3))
    page.insert_text((72, 170), "White on a dark banner.", fontsize=11, color=(1, 1, 1))
    page.insert_text((72, 200), "18-layer", fontsize=8, color=(0, 1, 1))  # a figure's cyan label
    doc.save(path)
    parsed = parse_file(path)
    text = _text(parsed)
    for line in (FACT, "Grey footnote text.", "Outlined heading", "White on a dark banner.", "18-layer"):
        assert line in text
    assert parsed.hidden_spans == 0


def test_pdf_white_text_on_a_white_box_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "box.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), FACT, fontsize=11)
    page.draw_rect(pymupdf.Rect(60, 150, 400, 180), color=None, fill=(1, 1, 1))
    page.insert_text((72, 170), INSTRUCTION, fontsize=11, color=(1, 1, 1))
    doc.save(path)
    parsed = parse_file(path)
    assert "CANARY" not in _text(parsed)
    assert parsed.hidden_spans == 1


@pytest.mark.parametrize("rotation", [0, 90])
def test_pdf_invisible_text_over_an_image_is_kept_as_the_scans_text_layer(tmp_path: Path, rotation: int) -> None:
    """An OCR'd scan: the picture shows the words, the text layer lies over them in render mode 3
    (also on a page shown turned, where the page as rendered is turned too)."""
    path = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    _ocrd_scan(page)
    page.set_rotation(rotation)
    doc.save(path)
    parsed = parse_file(path)
    text = _text(parsed)
    for _x, _y, line in SCANNED:
        assert line in text
    assert "CANARY" not in text
    assert parsed.hidden_spans == 1
    assert not parsed.pages[0].ocr  # the layer was read, not replaced by OCR


@pytest.mark.parametrize("rotation", [0, 90])
@pytest.mark.parametrize(
    "canary",
    [
        {"render_mode": 3},  # invisible over an image that shows nothing there
        {"render_mode": 3, "fontsize": 1},
        {"color": (0.95, 0.95, 0.95)},  # near white on the pale paper
        {"color": (0, 0, 0), "fill_opacity": 0.02},  # all but transparent
    ],
    ids=["render-mode-3", "1pt-render-mode-3", "near-white", "transparent"],
)
def test_pdf_text_over_a_blank_part_of_an_image_is_left_out(
    tmp_path: Path, canary: dict[str, object], rotation: int
) -> None:
    """An image under text does not make it visible: a scan's blank margin (its pale paper) with
    the instruction over it, beside the scan's real text layer, which stays."""
    path = tmp_path / "margin.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    _ocrd_scan(page)
    page.insert_image(pymupdf.Rect(50, 420, 550, 500), stream=blank_png(230), keep_proportion=False)
    page.insert_text((72, 460), "CANARY-MARGIN-5", **{"fontsize": 11, **canary})  # type: ignore[arg-type]
    page.set_rotation(rotation)
    doc.save(path)
    parsed = parse_file(path)
    text = _text(parsed)
    assert "CANARY" not in text
    for _x, _y, line in SCANNED:
        assert line in text
    assert parsed.hidden_spans == 2  # the margin's and the one below the picture


def test_pdf_text_over_images_that_show_it_is_kept(tmp_path: Path) -> None:
    """White on a dark picture, black and grey on a white one: all read."""
    path = tmp_path / "pictures.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(50, 50, 550, 120), stream=blank_png(40), keep_proportion=False)
    page.insert_text((72, 90), "White caption on a dark photo.", fontsize=11, color=(1, 1, 1))
    page.insert_image(pymupdf.Rect(50, 150, 550, 250), stream=blank_png(255), keep_proportion=False)
    page.insert_text((72, 190), FACT, fontsize=11)
    page.insert_text((72, 220), "Grey note on a white picture.", fontsize=11, color=(0.6, 0.6, 0.6))
    doc.save(path)
    parsed = parse_file(path)
    text = _text(parsed)
    for line in ("White caption on a dark photo.", FACT, "Grey note on a white picture."):
        assert line in text
    assert parsed.hidden_spans == 0


# -- DOCX -----------------------------------------------------------------------------------------
def _vanish(run: object) -> None:
    rpr = run._r.get_or_add_rPr()  # type: ignore[attr-defined]
    rpr.append(OxmlElement("w:vanish"))


def test_docx_hidden_runs_are_left_out_and_counted(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Harbour fact sheet", level=1)
    paragraph = document.add_paragraph(FACT + " ")
    _vanish(paragraph.add_run(INSTRUCTION))  # w:vanish written by hand, as a hostile file would
    styled = document.styles.add_style("Secret", WD_STYLE_TYPE.CHARACTER)
    styled.font.hidden = True
    document.add_paragraph("Tickets are sold at the pier. ").add_run("CANARY-STYLE-1", style="Secret")
    document.add_paragraph().add_run("CANARY-TINY-2").font.size = Pt(1)
    document.add_paragraph().add_run("CANARY-WHITE-3").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    cell = document.add_table(rows=1, cols=2).rows[0].cells
    cell[0].text = "Departures"
    cell[1].paragraphs[0].add_run("Every hour. ")
    cell[1].paragraphs[0].add_run("CANARY-CELL-4").font.hidden = True
    path = tmp_path / "facts.docx"
    document.save(str(path))

    parsed = parse_file(path)
    text = _text(parsed)
    assert "CANARY" not in text
    for seen in (FACT, "Tickets are sold at the pier.", "Departures | Every hour."):
        assert seen in text
    assert parsed.hidden_spans == 5


def test_docx_white_text_on_dark_shading_is_kept(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    run = paragraph.add_run("White on a dark band.")
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "1F3864")
    paragraph._p.get_or_add_pPr().append(shading)
    path = tmp_path / "band.docx"
    document.save(str(path))
    parsed = parse_file(path)
    assert "White on a dark band." in _text(parsed)
    assert parsed.hidden_spans == 0


# -- Markdown -------------------------------------------------------------------------------------
HIDDEN_MARKDOWN = f"""# Harbour fact sheet

{FACT}

<div hidden>
{INSTRUCTION}
</div>

Tickets are sold <span style="display: none">CANARY-SPAN-2</span>at the pier.

<p aria-hidden="true">CANARY-ARIA-3</p>
<div style="color:red"><b>Shown</b> in red.</div>
<script>CANARY-SCRIPT-4</script>

```html
<div hidden>code shows this</div>
```

Inline `<span hidden>also shown</span>` code.
"""


def test_markdown_hidden_html_is_left_out_as_the_html_parser_does(tmp_path: Path) -> None:
    path = tmp_path / "facts.md"
    path.write_text(HIDDEN_MARKDOWN, encoding="utf-8")
    parsed = parse_file(path)
    text = _text(parsed)
    assert "CANARY" not in text
    assert FACT in text
    assert "Tickets are sold at the pier." in text
    assert "Shown</b> in red." in text  # other HTML stays as it was
    assert "code shows this" in text
    assert "also shown" in text
    assert parsed.hidden_spans == 3  # the script is not counted: it is not text to read


def test_markdown_unclosed_hidden_div_hides_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "open.md"
    path.write_text(f"{FACT}\n\n<div hidden>\n\n{INSTRUCTION}\n\nmore\n\nA <script> mention stays.", "utf-8")
    parsed = parse_file(path)
    assert _text(parsed) == FACT
    assert parsed.hidden_spans == 1


def test_html_counts_its_hidden_elements(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><body><p>{FACT}</p><div hidden>{INSTRUCTION}</div><i aria-hidden='true'></i>"
        "<span style='display:none'>CANARY-2</span><script>var x = 1;</script></body></html>",
        "utf-8",
    )
    parsed = parse_file(path)
    assert "CANARY" not in _text(parsed)
    assert FACT in _text(parsed)
    assert parsed.hidden_spans == 2  # the empty icon and the script are not counted
