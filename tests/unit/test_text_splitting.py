"""Cutting long text into sections (issue 7): on multi-MB text without blank lines the pieces cover
the text in order, none is longer than the target, and cuts fall on line or space boundaries (a hard
cut only where a window has neither); the result equals the original, quadratic algorithm's."""

from __future__ import annotations

import random
from collections.abc import Iterator

from ragtune.core.ingest.parsers.common import SECTION_CHARS, normalize_text, split_long


def _reference_hard_split(para: str, target: int) -> Iterator[str]:
    """The original algorithm (it copies the rest of the text at every cut): the expected output."""
    while len(para) > target:
        cut = para.rfind("\n", target // 2, target)
        if cut < 0:
            cut = para.rfind(" ", target // 2, target)
        if cut < 0:
            cut = target
        head, para = para[:cut].strip(), para[cut:].strip()
        if head:
            yield head
    if para:
        yield para


def _reference_split_long(text: str, target: int) -> list[str]:
    if len(text) <= target:
        return [text] if text.strip() else []
    paragraphs: list[str] = []
    for para in text.split("\n\n"):
        para = para.strip()
        if para:
            paragraphs.extend([para] if len(para) <= target else _reference_hard_split(para, target))
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for para in paragraphs:
        if current and size + len(para) + 2 > target:
            pieces.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    if current:
        pieces.append("\n\n".join(current))
    return [p.strip() for p in pieces if p.strip()]


def _big_text() -> str:
    """About 4 MB without a blank line: log lines, then one very long line of words, then a run of
    characters with no space at all (hard cuts), then log lines again."""
    log = "".join(
        f"2024-05-01T12:{i % 60:02d}:00Z INFO [worker-{i % 8}] request {i} handled in {i % 250} ms\n"
        for i in range(25_000)
    )
    words = " ".join(f"word{i}" for i in range(150_000))
    blob = "x" * 50_000
    return log + words + "\n" + blob + "\n" + log


def _positions(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Where each piece lies in ``text``, checking that they come in order without overlapping."""
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        start = text.find(piece, position)
        assert start >= 0, f"piece not found in order after {position}: {piece[:60]!r}"
        assert not text[position:start].strip(), "text skipped between two pieces"
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    assert not text[position:].strip(), "text after the last piece"
    return spans


def test_split_long_covers_big_text_in_order_at_boundaries() -> None:
    text = _big_text()
    assert len(text) > 4_000_000
    assert "\n\n" not in text
    blob_start = text.index("xxx")
    blob_end = text.index("\n", blob_start)
    pieces = split_long(text)
    assert all(0 < len(p) <= SECTION_CHARS for p in pieces)
    assert len(pieces) > len(text) // SECTION_CHARS
    spans = _positions(text, pieces)
    half = SECTION_CHARS // 2
    hard_cuts = 0
    for index, (start, end) in enumerate(spans[:-1]):
        window = text[start : start + SECTION_CHARS]
        cut = window.rfind("\n", half)  # the last line break in the second half of the window,
        if cut < 0:
            cut = window.rfind(" ", half)  # else the last space there,
        if cut < 0:
            cut = SECTION_CHARS  # else a hard cut at the target
            hard_cuts += 1
            assert blob_start < end <= blob_end, "a hard cut only where there is no space"
        assert end == start + len(window[:cut].rstrip())
        if start < blob_start // 2:  # the log lines at the start: whole lines only
            assert text[end] == "\n"
            assert pieces[index].endswith(" ms")
    assert hard_cuts >= (blob_end - blob_start) // SECTION_CHARS


def test_split_long_matches_the_original_algorithm() -> None:
    rng = random.Random(7)
    alphabet = ["a", "bc", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2003", "word ", "x" * 9]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        target = rng.randint(2, 50)
        assert split_long(text, target) == _reference_split_long(text, target), (text, target)
    text = _big_text()[:300_000]
    assert split_long(text) == _reference_split_long(text, SECTION_CHARS)


def test_normalize_text_long_blank_runs() -> None:
    padding = " " * 100_000
    text = f"start{padding}middle \t\nline two\t\n\n \n\n\nend{padding}"
    assert normalize_text(text) == f"start{padding}middle\nline two\n\nend"
