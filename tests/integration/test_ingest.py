"""Parsers for every format on real files made here, token-aware chunking with the real tokenizer,
the parser child process (timeout, crash, memory cap) and the scanner's edge cases."""

from __future__ import annotations

import os
import time
from itertools import pairwise
from pathlib import Path

import pymupdf
import pytest

from epub_factory import make_epub
from ragtune.core.chunking import MODEL_MAX_TOKENS, chunk_document
from ragtune.core.ingest.isolation import ParserPool
from ragtune.core.ingest.parsers import parse_file
from ragtune.core.ingest.scan import scan_sources
from ragtune.core.types import Page, ParsedDocument
from ragtune.errors import ParseError
from ragtune.paths import catalogue_dir


@pytest.fixture(scope="module")
def tokenizer() -> object:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(catalogue_dir() / "all-minilm-l6-v2" / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


# -- parsers --------------------------------------------------------------------------------------
def test_pdf_pages_and_two_columns(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 40, 520, 70), "Two column report", fontsize=14)
    left = "Left column first. " * 20
    right = "Right column second. " * 20
    page.insert_textbox(pymupdf.Rect(50, 90, 290, 700), left, fontsize=10)
    page.insert_textbox(pymupdf.Rect(310, 90, 550, 700), right, fontsize=10)
    doc.new_page().insert_text((72, 72), "Second page about tariffs.")
    doc.save(tmp_path / "r.pdf")
    parsed = parse_file(tmp_path / "r.pdf")
    assert parsed.format == "pdf"
    assert [p.number for p in parsed.pages] == [1, 2]
    first = parsed.pages[0].text
    assert first.startswith("Two column report")
    assert first.rindex("Left column") < first.index("Right column")  # columns not interleaved
    assert "tariffs" in parsed.pages[1].text


def test_pdf_without_text_layer_or_readable_image_is_empty(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(100, 100, 300, 300), color=(0, 0, 0), fill=(0.5, 0.5, 0.5))
    doc.save(tmp_path / "scan.pdf")
    with pytest.raises(ParseError) as err:  # OCR'd (tests/integration/test_ocr.py), nothing found
        parse_file(tmp_path / "scan.pdf")
    assert err.value.reason == "empty"


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Refund policy", level=1)
    d.add_paragraph("Refunds are paid within 14 days.")
    d.add_heading("Shipping", level=1)
    d.add_paragraph("Parcels ship from Rotterdam.")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Zone"
    table.rows[0].cells[1].text = "EU"
    d.save(str(tmp_path / "p.docx"))
    parsed = parse_file(tmp_path / "p.docx")
    text = "\n".join(p.text for p in parsed.pages)
    assert parsed.format == "docx"
    assert "14 days" in text
    assert "Rotterdam" in text
    assert "Zone" in text
    assert any(p.label == "Shipping" for p in parsed.pages)


def test_text_encodings_and_bad_bytes(tmp_path: Path) -> None:
    sample = "Café prices: crème brûlée costs €4 in Zürich.\n" * 3
    (tmp_path / "utf8.txt").write_text(sample, encoding="utf-8")
    (tmp_path / "utf16.txt").write_text(sample, encoding="utf-16")  # with BOM
    (tmp_path / "cp1252.txt").write_bytes(sample.encode("cp1252"))
    for name in ("utf8.txt", "utf16.txt", "cp1252.txt"):
        assert "crème brûlée costs €4" in parse_file(tmp_path / name).pages[0].text, name
    (tmp_path / "bad.txt").write_bytes(b"good start \xff\xfe\x80\x81 still text here\n" * 5)
    assert "still text here" in parse_file(tmp_path / "bad.txt").pages[0].text


def test_markdown_and_html_visible_text(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("# Notes\n\nIntro.\n\n## Setup\n\nRun **make** first.\n")
    md = parse_file(tmp_path / "n.md")
    assert md.title == "Notes"
    assert any("Run" in p.text and "make" in p.text for p in md.pages)
    html = (
        "<html><head><title>Help page</title><style>body{color:red}</style>"
        "<script>var secret = 1;</script></head><body><nav>Menu</nav><h1>Help</h1>"
        "<p>Call support on 0800 123.</p><!-- hidden comment --></body></html>"
    )
    (tmp_path / "h.html").write_text(html)
    parsed = parse_file(tmp_path / "h.html")
    text = "\n".join(p.text for p in parsed.pages)
    assert parsed.title == "Help page"
    assert "0800 123" in text
    assert "secret" not in text
    assert "color:red" not in text
    assert "hidden comment" not in text


def test_epub_chapters(tmp_path: Path) -> None:
    path = make_epub(
        tmp_path / "b.epub",
        "Sea Book",
        [
            "<html><body><h1>Tides</h1><p>Tides rise twice a day.</p></body></html>",
            "<html><body><h1>Waves</h1><p>Waves break on reefs.</p></body></html>",
        ],
    )
    parsed = parse_file(path)
    text = "\n".join(p.text for p in parsed.pages)
    assert parsed.title == "Sea Book"
    assert text.index("twice a day") < text.index("reefs")


def test_bad_inputs_have_reasons(tmp_path: Path) -> None:
    (tmp_path / "x.xyz").write_text("hello")
    (tmp_path / "zero.md").write_bytes(b"")
    (tmp_path / "fake.docx").write_bytes(b"not a zip at all")
    (tmp_path / "fake.epub").write_bytes(b"PK\x03\x04 truncated")
    expected = {"x.xyz": "unsupported", "zero.md": "empty", "fake.docx": "corrupt", "fake.epub": "corrupt"}
    for name, reason in expected.items():
        with pytest.raises(ParseError) as err:
            parse_file(tmp_path / name)
        assert err.value.reason == reason, name


# -- chunking -------------------------------------------------------------------------------------
def test_chunks_are_token_bounded_with_exact_offsets(tokenizer: object) -> None:
    sentences = [f"Sentence number {i} mentions the value {i * 37} and a harbour." for i in range(200)]
    page_text = " ".join(sentences[:100]) + "\n\n" + " ".join(sentences[100:])
    doc = ParsedDocument("/d.txt", "Harbour ledger", "text", (Page(1, "short first page"), Page(2, page_text)))
    chunks = chunk_document(doc, tokenizer, max_tokens=220, overlap=40)
    assert chunks[0].page == 1
    assert chunks[0].text == "short first page"
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks[1:]:
        assert doc.pages[1].text[c.start : c.end] == c.text
        assert c.embed_text.startswith("Harbour ledger\n")
        n = len(tokenizer.encode(c.embed_text).ids)  # type: ignore[attr-defined]
        assert n <= MODEL_MAX_TOKENS, n
        assert c.text.rstrip().endswith(".")  # cut at a sentence end
    later = chunks[1:]
    assert all(a.end > b.start for a, b in pairwise(later))  # they overlap
    assert later[-1].end == len(page_text)
    covered = "".join(doc.pages[1].text[c.start : c.end] for c in later)
    assert all(s in covered for s in sentences)


def test_chunking_without_tokenizer_falls_back_to_words() -> None:
    doc = ParsedDocument("/a.md", "T", "markdown", (Page(1, "word " * 500, "Intro"),))
    chunks = chunk_document(doc, None, max_tokens=100, overlap=10)
    assert len(chunks) >= 5
    assert chunks[0].embed_text.startswith("T — Intro\n")


# -- the parser child process ---------------------------------------------------------------------
def slow_parse(path: Path) -> ParsedDocument:
    if "slow" in path.name:
        time.sleep(30)
    return ParsedDocument(str(path), path.stem, "text", (Page(1, path.read_text()),))


def crashing_parse(path: Path) -> ParsedDocument:
    if "crash" in path.name:
        os._exit(11)
    return ParsedDocument(str(path), path.stem, "text", (Page(1, path.read_text()),))


def greedy_parse(path: Path) -> ParsedDocument:
    if "greedy" in path.name:
        blob = bytearray(3 * 1024**3)  # over the cap
        return ParsedDocument(str(path), str(len(blob)), "text", ())
    return ParsedDocument(str(path), path.stem, "text", (Page(1, path.read_text()),))


def _files(tmp_path: Path, names: list[str]) -> list[Path]:
    paths = []
    for name in names:
        (tmp_path / name).write_text(f"content of {name}")
        paths.append(tmp_path / name)
    return paths


def test_pool_times_out_one_file_and_goes_on(tmp_path: Path) -> None:
    paths = _files(tmp_path, ["a.txt", "slow.txt", "b.txt", "c.txt"])
    with ParserPool(timeout_s=3, parse_function=slow_parse) as pool:
        results = list(pool.imap(paths))
    assert [p.name for p, _ in results] == ["a.txt", "slow.txt", "b.txt", "c.txt"]
    slow = results[1][1]
    assert isinstance(slow, ParseError)
    assert slow.reason == "timed out"
    assert all(isinstance(r, ParsedDocument) for i, (_, r) in enumerate(results) if i != 1)


def test_pool_survives_a_crash(tmp_path: Path) -> None:
    paths = _files(tmp_path, ["crash.txt", "ok.txt"])
    with ParserPool(parse_function=crashing_parse) as pool:
        results = dict(pool.imap(paths))
        crashed = results[paths[0]]
        assert isinstance(crashed, ParseError)
        assert crashed.reason == "corrupt"
        again = pool.parse(paths[1])
    assert isinstance(results[paths[1]], ParsedDocument)
    assert isinstance(again, ParsedDocument)


def test_pool_memory_cap(tmp_path: Path) -> None:
    paths = _files(tmp_path, ["greedy.txt", "fine.txt"])
    with ParserPool(memory_mb=1024, parse_function=greedy_parse) as pool:
        greedy, fine = (r for _, r in pool.imap(paths))
    assert isinstance(greedy, ParseError)
    assert greedy.reason == "too large"
    assert isinstance(fine, ParsedDocument)


def test_pool_parses_real_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nAlpha text.\n")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    with ParserPool() as pool:
        ok, bad = (r for _, r in pool.imap([tmp_path / "a.md", tmp_path / "broken.pdf"]))
    assert isinstance(ok, ParsedDocument)
    assert "Alpha" in ok.pages[0].text
    assert isinstance(bad, ParseError)
    assert bad.reason == "corrupt"


# -- scanning -------------------------------------------------------------------------------------
def test_scan_symlink_loops_hidden_and_missing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("a")
    (root / ".hidden.txt").write_text("h")
    (root / "~$lock.docx").write_text("l")
    (root / "notes.xyz").write_text("{}")
    (root / "Thumbs.db").write_bytes(b"clutter")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    result = scan_sources([root, tmp_path / "gone"])
    assert [f.path.name for f in result.files] == ["a.txt"]
    assert [Path(p).name for p in result.skipped] == ["notes.xyz"]  # hidden files and clutter: no word
    assert any(p.reason == "not found" for p in result.problems)
