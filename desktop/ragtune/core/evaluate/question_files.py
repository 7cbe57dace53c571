"""Question sets as files: JSONL and CSV, read with line-numbered errors and written back.

Columns (JSONL keys; CSV header names), only ``question`` required:

- ``question``: the question.
- ``answer``: the expected short answer (empty for an absent question).
- ``alternatives``: other correct answers; a JSON list in JSONL, ``|``-separated in CSV.
- ``gold_file``: the file that holds the answer (its name, or a path ending in it).
- ``gold_page``: its page (PDF), or 0 for any page / not paged.
- ``kind``: ``answerable`` (default) or ``absent`` (the library does not hold the answer).
- ``split``: ``train`` or ``test``; when empty, the importer assigns the seeded split.
- ``origin``: ``written``, ``imported`` or ``generated``; rows without one are ``imported``.
- ``note``: free text.

A malformed row is reported as ``line N: reason`` and skipped; every other row is still read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ragtune.core.evaluate.questions import Kind, Origin, Question, Split
from ragtune.core.user_files import read_user_text, write_export
from ragtune.errors import RagtuneError

COLUMNS = ("question", "answer", "alternatives", "gold_file", "gold_page", "kind", "split", "origin", "note")
ALTERNATIVES_SEPARATOR = "|"
MAX_FILE_BYTES = 50_000_000


@dataclass
class ReadReport:
    """What a file gave: the items (``has_split`` tells which carried their own split) and one
    message per skipped row."""

    items: list[Question] = field(default_factory=list)
    has_split: list[bool] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    return value.strip()


def _alternatives(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = value.split(ALTERNATIVES_SEPARATOR)
    elif isinstance(value, list):
        parts = [_text(v, "alternatives") for v in value]
    else:
        raise ValueError("alternatives must be a list of texts")
    return tuple(p.strip() for p in parts if p.strip())


def _page(value: object) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError("gold_page must be a page number")
    try:
        page = int(str(value).strip())
    except ValueError:
        raise ValueError(f"gold_page must be a whole number, not {str(value)[:40]!r}") from None
    if page < 0:
        raise ValueError("gold_page cannot be negative")
    return page


def _choice(value: object, allowed: type[Kind] | type[Split] | type[Origin], name: str) -> str:
    text = _text(value, name).lower()
    valid = [member.value for member in allowed]
    if text not in valid:
        raise ValueError(f"{name} must be one of {', '.join(valid)}, not {text[:40]!r}")
    return text


def parse_row(row: Mapping[str, object]) -> tuple[Question, bool]:
    """One row as a ``Question`` and whether it named its split (ValueError saying what is wrong)."""
    question = _text(row.get("question"), "question")
    if not question:
        raise ValueError("the question is empty")
    kind = Kind(_choice(row.get("kind") or "answerable", Kind, "kind"))
    split_given = bool(_text(row.get("split"), "split"))
    split = Split(_choice(row.get("split"), Split, "split")) if split_given else Split.TEST
    origin = Origin(_choice(row.get("origin") or "imported", Origin, "origin"))
    answer = _text(row.get("answer"), "answer")
    if kind == Kind.ANSWERABLE and not answer:
        raise ValueError("an answerable question needs an answer")
    item = Question(
        question=question,
        answer=answer,
        alternatives=_alternatives(row.get("alternatives")),
        gold_file=_text(row.get("gold_file"), "gold_file"),
        gold_page=_page(row.get("gold_page")),
        kind=kind,
        split=split,
        origin=origin,
        note=_text(row.get("note"), "note"),
    )
    return item, split_given


def _read_text(path: Path) -> str:
    return read_user_text(path, MAX_FILE_BYTES, "a question set")


def read_jsonl(text: str) -> ReadReport:
    report = ReadReport()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("a line must be one JSON object")
            item, given = parse_row(row)
        except json.JSONDecodeError as exc:
            report.errors.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        except ValueError as exc:
            report.errors.append(f"line {number}: {exc}")
            continue
        report.items.append(item)
        report.has_split.append(given)
    return report


def read_csv(text: str) -> ReadReport:
    report = ReadReport()
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "question" not in fields:
        report.errors.append("line 1: the header has no \u201cquestion\u201d column")
        return report
    reader.fieldnames = fields
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        try:
            if None in row:  # more cells than the header names
                raise ValueError(f"{len(fields) + len(row[None])} cells, the header names {len(fields)}")
            item, given = parse_row(row)
        except (ValueError, csv.Error) as exc:
            report.errors.append(f"line {start}: {exc}")
            continue
        report.items.append(item)
        report.has_split.append(given)
    return report


def read_file(path: Path) -> ReadReport:
    """Read a ``.jsonl``/``.json`` or ``.csv`` question file (by suffix; JSONL otherwise)."""
    text = _read_text(path)
    try:
        return read_csv(text) if path.suffix.lower() == ".csv" else read_jsonl(text)
    except csv.Error as exc:
        raise RagtuneError(f"{path} is not a readable CSV file: {exc}.") from exc


def row_of(item: Question) -> dict[str, object]:
    """An item as a JSONL object (the columns above)."""
    return item.as_row()


def to_jsonl(items: Iterable[Question]) -> str:
    return "".join(json.dumps(row_of(q), ensure_ascii=False) + "\n" for q in items)


def to_csv(items: Iterable[Question]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        row = row_of(item)
        row["alternatives"] = f" {ALTERNATIVES_SEPARATOR} ".join(item.alternatives)
        writer.writerow(row)
    return out.getvalue()


def write_file(path: Path, items: Iterable[Question]) -> None:
    """Write ``items`` as CSV (``.csv``) or JSONL, through a temporary file (no half-written file)."""
    text = to_csv(items) if path.suffix.lower() == ".csv" else to_jsonl(items)
    partial = path.with_name(path.name + ".partial")
    try:
        write_export(partial, text, as_csv=path.suffix.lower() == ".csv")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise RagtuneError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
