"""The terminal progress line names a file the parser is stuck on, with the time before it gives up."""

from __future__ import annotations

import io

from ragtune.cli_progress import ProgressBar
from ragtune.core.types import Progress, Stage


def test_a_stuck_file_is_named_with_its_time_limit() -> None:
    bar = ProgressBar(io.StringIO())
    stuck = Progress(Stage.INDEXING, 4, 11, current="notes.md", parsing="encrypted.pdf", parse_left_s=107)
    assert "reading encrypted.pdf (gives up in 01:47)" in bar.render(stuck)
    moving = Progress(Stage.INDEXING, 5, 11, current="notes.md")
    line = bar.render(moving)
    assert line.endswith("notes.md")
    assert "gives up" not in line
