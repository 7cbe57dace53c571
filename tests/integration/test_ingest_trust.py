"""Issue 7 ("Trust") on real files made here: a big log without blank lines is indexed instead of
timing out, PDF words hyphenated across lines are joined, hidden HTML/EPUB text is not indexed."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from epub_factory import make_epub
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.ingest.parsers.common import SECTION_CHARS
from ragtune.core.types import ParsedDocument


# -- a big log file -------------------------------------------------------------------------------
def _write_log(path: Path, size_bytes: int) -> tuple[str, str]:
    """Log lines (an emoji in each, as many services write) without a blank line, one of them with
    a long run of padding blanks; returns the first and the last line."""
    lines: list[str] = []
    size = i = 0
    while size < size_bytes:
        line = f"2024-05-01T12:{i % 60:02d}:{i % 59:02d}Z INFO [worker-{i % 8}] job {i} 🟢 done in {i % 250} ms"
        if i == 1000:
            line += " " * 200_000 + "padded"
        lines.append(line)
        size += len(line.encode("utf-8")) + 1
        i += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines[0], lines[-1]


def test_big_log_without_blank_lines_parses_within_the_time_limit(tmp_path: Path) -> None:
    """Cutting a 20 MB single-paragraph text used to copy the rest of it at every cut: the parser
    child hit its time limit and the file was never indexed."""
    path = tmp_path / "service.log.txt"
    first, last = _write_log(path, 20_000_000)
    with ParserPool() as pool:  # the real parser process with its normal time limit
        result = pool.parse(path)
    assert isinstance(result, ParsedDocument), result
    pages = result.pages
    assert len(pages) > 20_000_000 // 4 // SECTION_CHARS
    assert all(len(p.text) <= SECTION_CHARS for p in pages)
    assert pages[0].text.startswith(first)
    assert pages[-1].text.endswith(last)
    assert [p.number for p in pages[:3]] == [1, 2, 3]
    assert any("padded" in p.text for p in pages)


# -- PDF: words hyphenated across lines -----------------------------------------------------------
def _pdf(path: Path, lines: list[str]) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    for n, line in enumerate(lines):
        page.insert_text((72, 72 + 14 * n), line, fontsize=11)
    doc.save(path)


def test_pdf_joins_words_hyphenated_at_line_ends(tmp_path: Path) -> None:
    _pdf(
        tmp_path / "bert.pdf",
        [
            "For the pre-training corpus we use the BooksCor-",
            "pus (800M words) and English Wikipedia, a well-",
            "known source; this is state-of-the-",
            "art work, and well-known results are repli-",
            "cated with pre-",
            "training on the EU-",
            "Staaten data.",
        ],
    )
    text = parse_file(tmp_path / "bert.pdf").pages[0].text
    assert "BooksCorpus (800M words)" in text
    assert "BooksCor-" not in text
    assert "replicated" in text
    assert "pre-training corpus" in text
    assert "well-known results" in text
    assert "state-of-the-art work" in text  # the hyphen belongs to the compound
    assert "a well-known source" in text
    assert "with pre-training on" in text
    assert "EU-Staaten" in text  # a capital after the break: a hyphenated name


def test_pdf_keeps_line_end_hyphens_that_do_not_break_a_word(tmp_path: Path) -> None:
    _pdf(tmp_path / "list.pdf", ["Prices rose -", "sharply. Cases of COVID-", "19 fell.", "A dash--", "then more."])
    text = parse_file(tmp_path / "list.pdf").pages[0].text
    assert "Prices rose -\nsharply." in text  # a dash after a space is not a broken word
    assert "COVID-19 fell." in text
    assert "dash--\nthen" in text


# -- HTML and EPUB: hidden elements ---------------------------------------------------------------
_HIDDEN_BODY = """
<p>Visible opening paragraph.</p>
<div hidden>SECRET-HIDDEN-ATTRIBUTE</div>
<div hidden="hidden"><p>SECRET-XHTML-HIDDEN</p></div>
<p aria-hidden="true">SECRET-ARIA <b>nested</b></p>
<span style="color: red; DISPLAY : None !important">SECRET-DISPLAY-NONE</span>
<p style="visibility:hidden">SECRET-VISIBILITY</p>
<template><p>SECRET-TEMPLATE</p></template>
<noscript>SECRET-NOSCRIPT</noscript>
<p aria-hidden="false">Visible aria false.</p>
<p style="display: block">Visible styled <em>text</em>.</p>
<div hidden="until-found">Visible until found.</div>
"""


def _assert_only_visible(text: str) -> None:
    assert "SECRET" not in text
    assert "nested" not in text
    for visible in ("Visible opening paragraph.", "Visible aria false.", "Visible styled text.",
                    "Visible until found."):
        assert visible in text


def test_html_hidden_elements_are_not_indexed(tmp_path: Path) -> None:
    html = f"<html><head><title>Hidden</title></head><body>{_HIDDEN_BODY}</body></html>"
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    _assert_only_visible("\n".join(p.text for p in parse_file(tmp_path / "page.html").pages))
    # a saved page whose body is hidden until its scripts run is still read
    html = f'<html><body style="display:none">{_HIDDEN_BODY}</body></html>'
    (tmp_path / "fouc.html").write_text(html, encoding="utf-8")
    _assert_only_visible("\n".join(p.text for p in parse_file(tmp_path / "fouc.html").pages))


def test_epub_hidden_elements_are_not_indexed(tmp_path: Path) -> None:
    chapter = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>One</title></head><body><h1>Chapter one</h1>{_HIDDEN_BODY}</body></html>"
    )
    path = make_epub(tmp_path / "book.epub", "Hidden Book", [chapter])
    parsed = parse_file(path)
    assert parsed.title == "Hidden Book"
    _assert_only_visible("\n".join(p.text for p in parsed.pages))
