"""The window lists as waiting exactly the files the indexer plans: one rule, size and mtime."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from ragtune.core.services import Ragtune
from ragtune.gui.context import AppContext
from ragtune.gui.indexing import pending_files
from ragtune.settings import Settings


def test_a_touched_file_is_waiting_as_the_indexer_plans_it(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nAlpha facts.\n")
    (folder / "b.md").write_text("# B\n\nBeta facts.\n")
    svc = Ragtune(settings=Settings(), embedder=embedder)
    try:
        svc.index("Docs", [folder])
        ctx = cast(AppContext, SimpleNamespace(svc=svc))
        assert pending_files(ctx, "Docs", []) == []
        touched = folder / "b.md"
        st = touched.stat()
        os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same size, new mtime
        assert pending_files(ctx, "Docs", []) == [str(touched.resolve())]
        report = svc.index("Docs")  # the indexer plans it too (then finds the content unchanged)
        assert report.unchanged == 2
        assert report.updated == 0
        assert pending_files(ctx, "Docs", []) == []
    finally:
        svc.close()
