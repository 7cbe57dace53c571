"""An index run reports its plan (``Stage.PLANNED``: the files it will read) by the indexer's own
rules, so the window lists exactly those as waiting: new and touched files, not unchanged or
excluded ones, and an excluded file again once it is added back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ragtune.core.services import Ragtune
from ragtune.core.types import Progress, Stage
from ragtune.settings import Settings


def _planned(svc: Ragtune, library: str, paths: list[Path] | None = None) -> list[str]:
    seen: list[Progress] = []
    svc.library.index(library, paths or [], progress=seen.append)
    plans = [p for p in seen if p.stage == Stage.PLANNED]
    assert len(plans) == 1
    stages = [p.stage for p in seen]
    assert stages.index(Stage.PLANNED) < stages.index(Stage.DONE)  # before any file is read
    return sorted(Path(p).name for p in plans[0].planned)


def test_the_plan_follows_the_indexers_rules(tmp_path: Path, embedder: Any) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nAlpha facts.\n")
    (folder / "b.md").write_text("# B\n\nBeta facts.\n")
    (folder / "c.md").write_text("# C\n\nGamma facts.\n")
    svc = Ragtune(settings=Settings(), embedder=embedder)
    try:
        assert _planned(svc, "Docs", [folder]) == ["a.md", "b.md", "c.md"]
        assert _planned(svc, "Docs") == []  # nothing new

        touched = folder / "b.md"
        st = touched.stat()
        os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # same size, new mtime
        svc.library.remove("Docs", folder / "c.md")  # excluded: stays out of re-scans
        (folder / "c.md").write_text("# C\n\nGamma facts, changed.\n")
        assert _planned(svc, "Docs") == ["b.md"]

        assert _planned(svc, "Docs", [folder / "c.md"]) == ["c.md"]  # adding it lifts the exclusion
    finally:
        svc.close()
