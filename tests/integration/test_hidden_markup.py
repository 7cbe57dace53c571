"""Markup that hides text by inline CSS (a faint colour, a tiny font, no opacity) is left out and
counted in HTML, Markdown and EPUB files; and Markdown code and prose that mention hidden HTML keep
the rest of the file (review of issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from epub_factory import make_epub
from hidden_text_factory import CANARY, FACT, INSTRUCTION
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.types import ParsedDocument

#: inline styles a reader cannot see, each on a plain white page
HIDING_STYLES = [
    "color:#fff",
    "color: #FFFFFF",
    "color:white",
    "color:rgb(255, 255, 255)",
    "color:rgba(0,0,0,0)",
    "color:transparent",
    "color:#fefefe !important",
    "font-size:0",
    "font-size:1px",
    "font-size:2pt",
    "font-size:0.1em",
    "font-size:10%",
    "opacity:0",
    "opacity:0.03",
]
#: inline styles a reader sees
VISIBLE_STYLES = ["color:#333", "color:red", "font-size:9px", "font-size:0.8em", "opacity:0.6", "color:#00ffff"]


def _text(doc: ParsedDocument) -> str:
    return "\n".join(page.text for page in doc.pages)


def _html(body: str) -> str:
    return f"<html><head><title>Harbour</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("style", HIDING_STYLES)
def test_html_text_styled_out_of_sight_is_left_out_and_counted(tmp_path: Path, style: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(_html(f'<p>{FACT} <span style="{style}">{INSTRUCTION}</span></p>'), "utf-8")
    parsed = parse_file(path)
    assert CANARY not in _text(parsed)
    assert FACT in _text(parsed)
    assert parsed.hidden_spans == 1


@pytest.mark.parametrize("style", VISIBLE_STYLES)
def test_html_text_a_reader_sees_stays(tmp_path: Path, style: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(_html(f'<p>{FACT} <span style="{style}">{INSTRUCTION}</span></p>'), "utf-8")
    parsed = parse_file(path)
    assert CANARY in _text(parsed)
    assert parsed.hidden_spans == 0


def test_white_text_on_an_inline_dark_background_stays(tmp_path: Path) -> None:
    path = tmp_path / "banner.html"
    path.write_text(
        _html(
            f'<div style="background:#003366"><p><span style="color:#fff">{INSTRUCTION}</span></p></div>'
            f'<table><tr><td bgcolor="black"><font>x</font><b style="color:white">{FACT}</b></td></tr></table>'
            f'<p style="background-color:#000"><span style="color:#000">hidden black on black</span></p>'
        ),
        "utf-8",
    )
    parsed = parse_file(path)
    assert CANARY in _text(parsed)
    assert FACT in _text(parsed)
    assert "black on black" not in _text(parsed)
    assert parsed.hidden_spans == 1


def test_a_relative_size_is_taken_from_the_inline_size_above(tmp_path: Path) -> None:
    path = tmp_path / "sizes.html"
    path.write_text(
        _html(
            f'<div style="font-size:4px"><span style="font-size:200%">{FACT}</span></div>'  # 6 pt: read
            f'<div style="font-size:8px"><span style="font-size:0.25em">{INSTRUCTION}</span></div>'  # 1.5 pt
        ),
        "utf-8",
    )
    parsed = parse_file(path)
    assert FACT in _text(parsed)
    assert CANARY not in _text(parsed)
    assert parsed.hidden_spans == 1


@pytest.mark.parametrize("style", ["color:#ffffff", "font-size:1px", "opacity:0", "color:rgba(255,255,255,0)"])
def test_markdown_raw_html_styled_out_of_sight_is_left_out_and_counted(tmp_path: Path, style: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f'# Harbour\n\n{FACT} <span style="{style}">{INSTRUCTION}</span>\n\nTickets at the pier.\n', "utf-8")
    parsed = parse_file(path)
    assert CANARY not in _text(parsed)
    assert "Tickets at the pier." in _text(parsed)
    assert parsed.hidden_spans == 1


def test_markdown_white_text_on_an_inline_dark_block_stays(tmp_path: Path) -> None:
    path = tmp_path / "banner.md"
    path.write_text(
        f'# Harbour\n\n<div style="background-color:#222">\n<span style="color:#fff">{FACT}</span>\n</div>\n\n'
        f'<span style="color:#fff">{INSTRUCTION}</span>\n',
        "utf-8",
    )
    parsed = parse_file(path)
    assert FACT in _text(parsed)
    assert CANARY not in _text(parsed)
    assert parsed.hidden_spans == 1


def test_epub_chapter_text_styled_out_of_sight_is_left_out_and_counted(tmp_path: Path) -> None:
    chapter = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>One</title></head><body><p>{FACT}</p>"
        f'<p style="color:#FFF">{INSTRUCTION}</p><p style="font-size:0px">CANARY-TWO</p></body></html>'
    )
    path = make_epub(tmp_path / "book.epub", "Harbour", [chapter])
    parsed = parse_file(path)
    assert FACT in _text(parsed)
    assert CANARY not in _text(parsed)
    assert "CANARY-TWO" not in _text(parsed)
    assert parsed.hidden_spans == 2


def test_markdown_prose_mentioning_an_unclosed_hidden_tag_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "tutorial.md"
    path.write_text(
        "# HTML tips\n\nWrite <p hidden> to hide a paragraph. Nothing else here.\n\n"
        "Important text: the ferry leaves at 9:40.\n\n## More\n\nTickets are sold at the pier.\n",
        "utf-8",
    )
    text = _text(parse_file(path))
    assert "Write" in text
    assert "Important text: the ferry leaves at 9:40." in text
    assert "Tickets are sold at the pier." in text


def test_markdown_fence_indented_in_a_list_item_is_code(tmp_path: Path) -> None:
    path = tmp_path / "tutorial.md"
    path.write_text(
        "# Hiding a block\n\n- Open the page.\n  1. Add the attribute:\n\n     ```html\n     <div hidden>\n     secret\n     ```\n\n"
        "2. Reload the page.\n\nThe ferry leaves at 9:40.\n",
        "utf-8",
    )
    parsed = parse_file(path)
    text = _text(parsed)
    assert "<div hidden>" in text
    assert "Reload the page." in text
    assert FACT in text
    assert parsed.hidden_spans == 0


def test_markdown_indented_code_block_is_code(tmp_path: Path) -> None:
    path = tmp_path / "tutorial.md"
    path.write_text(
        "# Hiding a block\n\nAn example:\n\n    <span style=\"display:none\">\n    secret\n\n"
        "The ferry leaves at 9:40.\n\n- a list item\n\n  continued\n\n      <p hidden>in the item's code\n\n"
        "Tickets are sold at the pier.\n",
        "utf-8",
    )
    parsed = parse_file(path)
    text = _text(parsed)
    assert '<span style="display:none">' in text
    assert FACT in text
    assert "<p hidden>in the item's code" in text
    assert "Tickets are sold at the pier." in text
    assert parsed.hidden_spans == 0


def test_markdown_hidden_html_in_a_list_continuation_is_still_left_out(tmp_path: Path) -> None:
    """Four spaces in a list item continue the item (CommonMark): not code, so the hidden span goes."""
    path = tmp_path / "list.md"
    path.write_text(f"# Notes\n\n- {FACT}\n\n    More <span hidden>{INSTRUCTION}</span> here.\n", "utf-8")
    parsed = parse_file(path)
    assert CANARY not in _text(parsed)
    assert parsed.hidden_spans == 1
