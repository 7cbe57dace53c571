"""Every SQL statement of Ragtune lives in ``ragtune.core.store``: no other module runs one."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "desktop" / "ragtune"
SQL_CALL = re.compile(r"\.execute(many)?\(")


def test_only_the_store_runs_sql() -> None:
    outside = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "store" not in path.relative_to(PACKAGE).parts[:2]
        and SQL_CALL.search(path.read_text(encoding="utf-8"))
    )
    assert outside == []
