"""Issue 17, review round 2: the tricks round the office parsers' visibility rules.

Real files made here: DOCX with python-docx (XML elements added as a hostile file would write them),
PowerPoint decks with python-pptx, LibreOffice-shaped .odt archives, e-mails with the standard
library. In each, a CANARY a person cannot see stays out of the index and is counted; ordinary text
and light text on a dark ground are kept.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from pptx import Presentation
from pptx.dml.color import RGBColor as PptxRgb
from pptx.util import Inches
from pptx.util import Pt as PptxPt

from ragtune.core.ingest.parsers import parse_file
from ragtune.core.types import ParsedDocument

FACT = "The ferry leaves at 9:40."


def _text(doc: ParsedDocument) -> str:
    return "\n".join(page.text for page in doc.pages)


def _element(tag: str, **attrs: str) -> object:
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _white_run_docx(path: Path, *layers: tuple[str, dict[str, str]], color: str | None = "FFFFFF") -> Path:
    """FACT, then a run "CANARY-RUN" in ``color`` (None: not set) with ``layers`` (tag, attributes)
    added to the run's properties."""
    document = docx.Document()
    document.add_paragraph(FACT)
    run = document.add_paragraph().add_run("CANARY-RUN")
    if color is not None:
        run.font.color.rgb = RGBColor.from_string(color)
    rpr = run._r.get_or_add_rPr()
    for tag, attrs in layers:
        rpr.append(_element(tag, **attrs))
    document.save(str(path))
    return path


@pytest.mark.parametrize(
    "layer",
    [("w:highlight", {"val": "none"}), ("w:highlight", {"val": "white"}), ("w:shd", {"val": "clear", "fill": "auto"}),
     ("w:shd", {"val": "nil", "fill": "000000"})],
    ids=["highlight-none", "highlight-white", "shading-auto", "shading-nil"],
)
def test_docx_white_run_under_an_empty_highlight_or_shading_is_left_out(
    tmp_path: Path, layer: tuple[str, dict[str, str]]
) -> None:
    parsed = parse_file(_white_run_docx(tmp_path / "trick.docx", layer))
    assert FACT in _text(parsed)
    assert "CANARY" not in _text(parsed)
    assert parsed.hidden_spans == 1


@pytest.mark.parametrize(
    "layer",
    [("w:highlight", {"val": "darkBlue"}), ("w:shd", {"val": "clear", "fill": "1F3864"})],
    ids=["highlight-dark", "shading-dark"],
)
def test_docx_white_run_on_a_dark_highlight_or_shading_is_kept(tmp_path: Path, layer: tuple[str, dict[str, str]]) -> None:
    parsed = parse_file(_white_run_docx(tmp_path / "band.docx", layer))
    assert "CANARY-RUN" in _text(parsed)
    assert parsed.hidden_spans == 0


def test_docx_white_highlight_over_dark_paragraph_shading_hides_white_text(tmp_path: Path) -> None:
    path = _white_run_docx(tmp_path / "trick.docx", ("w:highlight", {"val": "white"}))
    document = docx.Document(str(path))
    document.paragraphs[1]._p.get_or_add_pPr().append(_element("w:shd", val="clear", fill="000000"))
    document.save(str(path))
    assert "CANARY" not in _text(parse_file(path))


def _page_colored(path: Path, page: str, color: str | None) -> Path:
    _white_run_docx(path, color=color)
    document = docx.Document(str(path))
    document.element.insert(0, _element("w:background", color=page))
    document.save(str(path))
    return path


def test_docx_page_color_is_judged_not_a_reason_to_keep_everything(tmp_path: Path) -> None:
    white_page = parse_file(_page_colored(tmp_path / "white.docx", "FFFFFF", "FFFFFF"))
    assert FACT in _text(white_page)
    assert "CANARY" not in _text(white_page)
    assert white_page.hidden_spans == 1
    black_on_black = parse_file(_page_colored(tmp_path / "black.docx", "000000", "000000"))
    assert "CANARY" not in _text(black_on_black)
    white_on_navy = parse_file(_page_colored(tmp_path / "navy.docx", "1F3864", "FFFFFF"))
    assert "CANARY-RUN" in _text(white_on_navy)
    assert FACT in _text(white_on_navy)  # automatic colour: Word shows it light on a dark page
    assert white_on_navy.hidden_spans == 0


def _with_defaults(path: Path, *props: tuple[str, dict[str, str]]) -> Path:
    """FACT in a run that overrides the defaults' colour and vanish, then "CANARY-DEFAULT" with no
    properties of its own, under document defaults ``props``."""
    document = docx.Document()
    kept = document.add_paragraph().add_run(FACT)
    kept_rpr = kept._r.get_or_add_rPr()
    kept_rpr.append(_element("w:vanish", val="0"))
    kept_rpr.append(_element("w:color", val="auto"))
    document.add_paragraph("CANARY-DEFAULT")
    defaults = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr")[0]
    for tag, attrs in props:
        defaults.append(_element(tag, **attrs))
    document.save(str(path))
    return path


@pytest.mark.parametrize("prop", [("w:color", {"val": "FFFFFF"}), ("w:vanish", {})], ids=["white", "vanish"])
def test_docx_document_defaults_are_where_the_style_chain_starts(tmp_path: Path, prop: tuple[str, dict[str, str]]) -> None:
    parsed = parse_file(_with_defaults(tmp_path / "defaults.docx", prop))
    assert FACT in _text(parsed)
    assert "CANARY" not in _text(parsed)
    assert parsed.hidden_spans == 1


def test_docx_ordinary_text_is_all_kept(tmp_path: Path) -> None:
    parsed = parse_file(_white_run_docx(tmp_path / "plain.docx", ("w:highlight", {"val": "yellow"}), color=None))
    assert "CANARY-RUN" in _text(parsed)
    assert parsed.hidden_spans == 0


# -- PowerPoint -----------------------------------------------------------------------------------
def _deck(path: Path, dark_slide: bool = False) -> Path:
    """One slide: FACT in the body, then boxes with a CANARY in white, in 1 pt, off the slide; and a
    white box on a navy fill. ``dark_slide``: the slide's background is solid navy."""
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Ferry times"
    slide.placeholders[1].text = FACT
    if dark_slide:
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = PptxRgb(0x1F, 0x38, 0x64)
    white = slide.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1)).text_frame.paragraphs[0]
    white.text = "Kept: "
    run = white.add_run()
    run.text = "CANARY-WHITE"
    run.font.color.rgb = PptxRgb(0xFF, 0xFF, 0xFF)
    tiny = slide.shapes.add_textbox(Inches(1), Inches(6), Inches(4), Inches(1)).text_frame.paragraphs[0]
    tiny.text = "CANARY-TINY"
    tiny.runs[0].font.size = PptxPt(1)
    slide.shapes.add_textbox(Inches(11), Inches(1), Inches(2), Inches(1)).text_frame.text = "CANARY-OFF"
    band = slide.shapes.add_textbox(Inches(5), Inches(5), Inches(4), Inches(1))
    band.fill.solid()
    band.fill.fore_color.rgb = PptxRgb(0x1F, 0x38, 0x64)
    band.text_frame.text = "White on a navy band."
    band.text_frame.paragraphs[0].runs[0].font.color.rgb = PptxRgb(0xFF, 0xFF, 0xFF)
    deck.save(str(path))
    return path


def test_pptx_white_tiny_and_off_slide_text_is_left_out_and_counted(tmp_path: Path) -> None:
    parsed = parse_file(_deck(tmp_path / "talk.pptx"))
    text = _text(parsed)
    assert "CANARY" not in text
    for seen in (FACT, "Kept:", "White on a navy band."):
        assert seen in text
    assert parsed.hidden_spans == 3


def test_pptx_white_text_on_a_dark_slide_is_kept(tmp_path: Path) -> None:
    parsed = parse_file(_deck(tmp_path / "dark.pptx", dark_slide=True))
    text = _text(parsed)
    assert "CANARY-WHITE" in text
    assert "CANARY-TINY" not in text
    assert "CANARY-OFF" not in text
    assert parsed.hidden_spans == 2


# -- OpenDocument ---------------------------------------------------------------------------------
_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)


def _odt(path: Path, styles: str, body: str, defaults: str = "") -> Path:
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {_ODT_NS}><office:automatic-styles>{styles}</office:automatic-styles>
<office:body><office:text>{body}</office:text></office:body></office:document-content>"""
    shared = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODT_NS}><office:styles>{defaults}</office:styles></office:document-styles>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("styles.xml", shared)
    return path


def _text_style(name: str, props: str, family: str = "text", parent: str = "") -> str:
    parent_attr = f' style:parent-style-name="{parent}"' if parent else ""
    return (f'<style:style style:name="{name}" style:family="{family}"{parent_attr}>'
            f"<style:text-properties {props}/></style:style>")


def test_odt_white_and_tiny_text_is_left_out_and_counted(tmp_path: Path) -> None:
    styles = "".join([
        _text_style("White", 'fo:color="#ffffff"'),
        _text_style("Tiny", 'fo:font-size="1pt"'),
        _text_style("Small", 'fo:font-size="10pt"', "paragraph"),
        _text_style("Tenth", 'fo:font-size="10%"', parent="Small"),
        '<style:style style:name="Band" style:family="paragraph"><style:paragraph-properties '
        'fo:background-color="#1f3864"/></style:style>',
    ])
    body = f"""<text:p>{FACT} <text:span text:style-name="White">CANARY-WHITE</text:span></text:p>
<text:p>Tickets at the pier.<text:span text:style-name="Tiny">CANARY-TINY</text:span></text:p>
<text:p text:style-name="Small">Shown at ten points.<text:span text:style-name="Tenth">CANARY-PERCENT</text:span></text:p>
<text:p text:style-name="Band"><text:span text:style-name="White">White on a navy band.</text:span></text:p>"""
    parsed = parse_file(_odt(tmp_path / "guide.odt", styles, body))
    text = _text(parsed)
    assert "CANARY" not in text
    for seen in (FACT, "Tickets at the pier.", "Shown at ten points.", "White on a navy band."):
        assert seen in text
    assert parsed.hidden_spans == 3


def test_odt_white_default_paragraph_style_hides_unstyled_paragraphs(tmp_path: Path) -> None:
    defaults = ('<style:default-style style:family="paragraph"><style:text-properties fo:color="#ffffff"/>'
                "</style:default-style>")
    styles = _text_style("Auto", 'style:use-window-font-color="true"', "paragraph")
    body = f'<text:p text:style-name="Auto">{FACT}</text:p><text:p>CANARY-DEFAULT</text:p>'
    parsed = parse_file(_odt(tmp_path / "defaults.odt", styles, body, defaults))
    assert FACT in _text(parsed)
    assert "CANARY" not in _text(parsed)
    assert parsed.hidden_spans == 1
