"""Question files: JSONL and CSV read with line-numbered errors (the other rows still read), and
written back so that reading them again gives the same items."""

from __future__ import annotations

from pathlib import Path

import pytest

from ragtune.core.evaluate.question_files import (
    read_csv,
    read_file,
    read_jsonl,
    to_csv,
    to_jsonl,
    write_file,
)
from ragtune.core.evaluate.questions import Kind, Origin, Question, Split
from ragtune.errors import RagtuneError

JSONL = "\n".join([
    '{"question": "How long is the warranty?", "answer": "18 months", "alternatives": ["eighteen months"],'
    ' "gold_file": "lamp.md", "gold_page": 0}',
    '{"question": "Broken", ',  # line 2: not JSON
    '["a list"]',  # line 3: not an object
    '{"question": "", "answer": "x"}',  # line 4: empty question
    '{"question": "Who won the 1966 World Cup?", "kind": "absent", "split": "train", "origin": "written"}',
    '',
    '{"question": "Late fee?", "answer": "25 cents", "gold_page": "three"}',  # line 7: bad page
    '{"question": "Late fee?", "answer": "25 cents", "kind": "maybe"}',  # line 8: bad kind
    '{"question": "No answer given?"}',  # line 9: answerable without an answer
    '{"question": "Page?", "answer": "1", "gold_file": "a.pdf", "gold_page": 3, "note": "checked"}',
])


def test_jsonl_reads_good_rows_and_numbers_each_bad_one() -> None:
    report = read_jsonl(JSONL)
    assert [q.question for q in report.items] == [
        "How long is the warranty?", "Who won the 1966 World Cup?", "Page?"
    ]
    assert [e.split(":")[0] for e in report.errors] == ["line 2", "line 3", "line 4", "line 7", "line 8", "line 9"]
    assert "not valid JSON" in report.errors[0]
    assert "gold_page must be a whole number" in report.errors[3]
    assert "kind must be one of answerable, absent" in report.errors[4]
    warranty, absent, paged = report.items
    assert warranty.alternatives == ("eighteen months",)
    assert warranty.origin == Origin.IMPORTED  # rows without an origin were imported
    assert absent.kind == Kind.ABSENT
    assert absent.split == Split.TRAIN
    assert absent.origin == Origin.WRITTEN
    assert report.has_split == [False, True, False]
    assert paged.gold_page == 3
    assert paged.note == "checked"


def test_csv_reads_quoted_multiline_cells_and_reports_the_line_a_bad_row_starts_on() -> None:
    text = (
        "Question,Answer,Alternatives,gold_file,gold_page,kind\n"
        'What is the fee?,25 cents,"a quarter | 0.25 dollars",policy.pdf,3,answerable\n'
        '"A question\nover two lines?",yes,,,,\n'
        "Bad page?,1,,a.pdf,-2,\n"
        "Too many,1,,a.pdf,1,answerable,extra\n"
        "Who won?,,,,,absent\n"
    )
    report = read_csv(text)
    assert [q.question for q in report.items] == ["What is the fee?", "A question\nover two lines?", "Who won?"]
    assert report.items[0].alternatives == ("a quarter", "0.25 dollars")
    assert report.errors == [
        "line 5: gold_page cannot be negative",
        "line 6: 7 cells, the header names 6",
    ]


def test_csv_without_a_question_column_says_so() -> None:
    assert read_csv("q,a\nx,y\n").errors == ["line 1: the header has no \u201cquestion\u201d column"]


def test_written_files_read_back_the_same(tmp_path: Path) -> None:
    items = [
        Question("Fee, exactly?", "25 cents", ("a quarter",), "policy.pdf", 3, Kind.ANSWERABLE, Split.TRAIN,
                 Origin.GENERATED, 'said "twice"'),
        Question("Capital of Australia?", kind=Kind.ABSENT, split=Split.TEST),
    ]
    for name in ("set.jsonl", "set.csv"):
        write_file(tmp_path / name, items)
        assert read_file(tmp_path / name).items == items
        assert not (tmp_path / f"{name}.partial").exists()
    assert to_jsonl(items).count("\n") == 2
    assert to_csv(items).startswith("question,answer,")


def test_unreadable_files_get_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(RagtuneError, match="does not exist"):
        read_file(tmp_path / "missing.jsonl")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("question,answer\nCaf\xe9?,oui\n".encode("latin-1"))
    with pytest.raises(RagtuneError, match="not UTF-8"):
        read_file(latin)
