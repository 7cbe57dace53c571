"""Reading order of OCR'd lines, matching a passage to OCR'd words, and the turn arithmetic."""

from __future__ import annotations

import numpy as np

from ragtune.core.ingest.parsers.layout import Block, join_blocks, reading_order, rows_top_down
from ragtune.core.ingest.parsers.ocr import _unturn
from ragtune.core.locations import locator, place
from ragtune.core.page_render import find_ocr_passage
from ragtune.core.types import WordBox


def test_lines_on_one_row_read_left_to_right() -> None:
    # the second box sits a little higher but on the same row; the third is the next row
    boxes = [(300.0, 102.0, 500.0, 114.0), (60.0, 100.0, 280.0, 112.0), (60.0, 120.0, 500.0, 132.0)]
    assert rows_top_down(boxes) == [1, 0, 2]


def test_two_column_lines_left_column_first() -> None:
    title: Block = (60, 40, 540, 60, "Report title across the page")
    left = [(50.0, 80.0 + 14 * i, 280.0, 92.0 + 14 * i, f"left line {i} " + "a" * 40) for i in range(6)]
    right = [(320.0, 80.0 + 14 * i, 550.0, 92.0 + 14 * i, f"right line {i} " + "b" * 40) for i in range(6)]
    blocks: list[Block] = [title]
    for a, b in zip(left, right, strict=True):  # top to bottom, rows interleave the columns
        blocks += [a, b]
    order = reading_order(blocks, 297.5)
    texts = [blocks[i][4].split(" ")[0] for i in order]
    assert texts == ["Report"] + ["left"] * 6 + ["right"] * 6
    joined = join_blocks([blocks[i] for i in order])
    assert joined.index("left line 5") < joined.index("right line 0")


def test_short_side_by_side_lines_are_not_columns() -> None:
    blocks: list[Block] = [(50, 80, 200, 92, "Name"), (320, 80, 500, 92, "Value"), (50, 96, 200, 108, "Age")]
    assert reading_order(blocks, 297.5) == [0, 1, 2]  # a small table: row by row


def _words(lines: list[str], top: float = 100.0) -> list[WordBox]:
    words: list[WordBox] = []
    for row, line in enumerate(lines):
        x = 60.0
        for word in line.split():
            words.append((x, top + 20 * row, x + 8 * len(word), top + 20 * row + 12, word))
            x += 8 * len(word) + 5
    return words


def test_passage_found_among_ocr_words_one_box_per_line() -> None:
    words = _words(["Intro words of the page here.", "The glacier retreated eleven", "metres in 2023, said the team.", "Unrelated tail of the page."])
    rects = find_ocr_passage(words, "glacier retreated eleven metres in 2023, said")
    assert len(rects) == 2  # the matched words joined along each of their two lines
    first, second = rects
    assert first[1] == 120.0
    assert first[0] == words[7][0]
    assert first[2] == words[9][2]
    assert second[1] == 140.0
    assert second[0] == 60.0
    assert second[2] == words[13][2]


def test_passage_matching_ignores_case_punctuation_and_stray_words() -> None:
    words = _words(["of the mill", "filler text", "filler text", "filler text", "Meltwater fills the reservoir of", "the village mill."])
    rects = find_ocr_passage(words, "meltwater fills the RESERVOIR of the village mill")
    assert all(r[1] >= 180.0 for r in rects)  # not the "of the mill" at the top
    assert {r[1] for r in rects} == {180.0, 200.0}


def test_passage_not_on_the_page() -> None:
    assert find_ocr_passage(_words(["nothing to see"]), "completely different sentence here") == []
    assert find_ocr_passage([], "anything") == []


def test_unturn_maps_back_through_rot90() -> None:
    image = np.arange(6 * 4).reshape(4, 6)  # height 4, width 6
    for turns in (1, 2, 3):
        turned = np.rot90(image, turns)
        for y in range(turned.shape[0]):
            for x in range(turned.shape[1]):
                # pixel (x, y) spans (x, y)-(x+1, y+1): its centre maps onto the original pixel's centre
                ox, oy = _unturn(x + 0.5, y + 0.5, turns, 6, 4)
                assert image[int(oy), int(ox)] == turned[y, x]


def test_ocr_citations_say_so() -> None:
    assert locator("scan.pdf", 3, ocr=True) == "p. 3 (OCR)"
    assert locator("scan.pdf", 3, short=False, ocr=True) == "page 3 (OCR)"
    assert place("/x/scan.pdf", 3, ocr=True) == "scan.pdf, p. 3 (OCR)"
    assert locator("notes.md", 2, ocr=True) == "section 2"
