"""Excel parser (openpyxl, read-only, cached values): one page per sheet, numbered in the workbook's
tab order, the sheet's name as its label; each row a line of its cells joined by " | ".

The sheet XML is streamed row by row with openpyxl's own sheet parser, which yields only the cells
the file holds (the public read-only iterator pads every missing row and column up to the sheet's
claimed size: a bomb of one cell at XFD1048576). At most ``MAX_CELLS`` cells and ``MAX_CHARS``
characters of a workbook are read; the rest is left out. Formulas give their last computed value.

Hidden sheets (hidden or "very hidden"), hidden rows and hidden columns are not shown to a person
in Excel: they are left out and counted as hidden text (one per sheet, row or column with text).
"""

from __future__ import annotations

import bisect
import datetime
import logging
from pathlib import Path
from typing import Any

from ragtune.core.ingest.parsers.common import (
    clean_label,
    clean_title,
    normalize_text,
    require_text,
)
from ragtune.core.ingest.parsers.office import check_package
from ragtune.core.types import Page, ParsedDocument

log = logging.getLogger(__name__)

#: a workbook's cells read at most (the rest is left out)
MAX_CELLS = 2_000_000
#: a workbook's characters of cell text read at most
MAX_CHARS = 20_000_000
#: empty cells kept between two cells of a row at most
MAX_GAP = 10


def _hidden(attrs: dict[str, str]) -> bool:
    return str(attrs.get("hidden", "")).lower() in ("1", "true")


def _hidden_columns(dimensions: dict[str, dict[str, str]]) -> set[int]:
    hidden: set[int] = set()
    for attrs in dimensions.values():
        if _hidden(attrs):
            low = int(attrs.get("min", 0))
            high = min(int(attrs.get("max", low)), 16384)  # Excel's last column
            hidden.update(range(low, high + 1))
    return hidden


def cell_text(value: Any) -> str:
    """A cell's value as a person reads it: 12 not 12.0, dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return " ".join(str(value).split())


def _row_cells(values: list[tuple[int, str]]) -> list[str]:
    """A row's texts in (shown) column order, an empty one for each column skipped between two (at
    most ``MAX_GAP``), so cells stay under their headings: "Oslo |  | three nights"."""
    cells: list[str] = []
    last = 0
    for column, text in sorted(values):
        if cells:
            cells.extend([""] * min(max(column - last - 1, 0), MAX_GAP))
        cells.append(text)
        last = column
    return cells


class _Budget:
    """How many cells and characters may still be read."""

    def __init__(self) -> None:
        self.cells = MAX_CELLS
        self.chars = MAX_CHARS

    def spent(self) -> bool:
        return self.cells <= 0 or self.chars <= 0


def _sheet_lines(workbook: Any, sheet: Any, budget: _Budget) -> tuple[list[str], int]:
    """The visible rows of one sheet as lines, and how many hidden rows and columns held text."""
    from openpyxl.worksheet._reader import WorkSheetParser

    lines: list[str] = []
    hidden_rows = 0
    hidden_cols: set[int] = set()
    hidden_sorted: list[int] = []
    hidden_cols_with_text: set[int] = set()
    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        columns_read = False
        for row_number, cells in parser.parse():
            if not columns_read:  # <cols> comes before <sheetData>: known by the first row
                hidden_cols = _hidden_columns(parser.column_dimensions)
                hidden_sorted = sorted(hidden_cols)  # a column's place among the shown ones
                columns_read = True
            budget.cells -= len(cells)
            values = [(cell["column"], cell_text(cell["value"])) for cell in cells]
            if _hidden(parser.row_dimensions.get(str(row_number), {})):
                hidden_rows += any(text for _, text in values)
                continue
            hidden_cols_with_text.update(c for c, text in values if c in hidden_cols and text)
            shown = _row_cells(
                [(c - bisect.bisect_left(hidden_sorted, c), text) for c, text in values if c not in hidden_cols and text]
            )
            if shown:
                line = " | ".join(shown)
                lines.append(line)
                budget.chars -= len(line)
            if budget.spent():
                log.info("%s: stopped reading after the cell or text limit", sheet.title)
                break
    return lines, hidden_rows + len(hidden_cols_with_text)


def parse(path: Path) -> ParsedDocument:
    import openpyxl

    check_package(path, ".xls")
    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        pages: list[Page] = []
        hidden = 0
        budget = _Budget()
        for number, name in enumerate(workbook.sheetnames, start=1):
            sheet = workbook[name]
            if budget.spent() or not hasattr(sheet, "_worksheet_path"):  # a chart sheet: no cells
                continue
            lines, hidden_parts = _sheet_lines(workbook, sheet, budget)
            if sheet.sheet_state != "visible":
                hidden += 1 if lines or hidden_parts else 0
                continue
            hidden += hidden_parts
            text = normalize_text("\n".join(lines))
            if text:
                pages.append(Page(number, text, clean_label(str(name))))
        require_text(tuple(pages))
        try:
            core_title = workbook.properties.title or ""
        except (KeyError, ValueError, AttributeError):
            core_title = ""
    finally:
        workbook.close()
    return ParsedDocument(str(path), clean_title(core_title, path), "xlsx", tuple(pages), hidden_spans=hidden)
