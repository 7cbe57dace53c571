"""A dropped folder with logs, data, slides, sheets and mail is indexed through the real service
(parser child, embedder, SQLite): search finds text from each, cited by slide and sheet where the
format has them, and the run says which files it skipped and why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from office_factory import make_eml, make_odt, make_pptx, make_xlsx
from ragtune.core.locations import locator
from ragtune.core.services import Ragtune


@pytest.fixture
def svc(embedder: Any) -> Iterator[Ragtune]:
    service = Ragtune(embedder=embedder)
    yield service
    service.close()


def make_office_folder(root: Path) -> Path:
    folder = root / "dropped"
    folder.mkdir()
    (folder / "server.log").write_text("2024-03-02 12:00:01 WARN backup volume quokka-7 is 93% full\n")
    (folder / "fares.csv").write_text("route,price\nBergen-Hirtshals,1450 NOK\n")
    make_pptx(folder / "talk.pptx")
    make_xlsx(folder / "budget.xlsx")
    make_eml(folder / "mail.eml")
    make_odt(folder / "guide.odt")
    (folder / "drawing.xyz").write_bytes(b"\x00\x01 not for us")
    (folder / ".DS_Store").write_bytes(b"\x00junk")  # hidden: not counted
    return folder


def test_every_kind_is_found_and_skipped_files_are_counted(svc: Ragtune, tmp_path: Path) -> None:
    report = svc.library.index("dropped", [make_office_folder(tmp_path)])
    assert report.failed == []
    assert report.added == 6
    assert report.skipped == {".xyz": 1}
    assert report.skipped_sentence() == "1 file of a type Ragtune does not read: .xyz \u00d71"

    expected = {
        "which backup volume is almost full": ("server.log", "quokka-7", "section 1"),
        "price of the Bergen Hirtshals route": ("fares.csv", "1450 NOK", "section 1"),
        "lighthouse tour notes in the budget talk": ("talk.pptx", "lighthouse tour", "slide 3"),
        "cost of ferry tickets": ("budget.xlsx", "Ferry tickets | 48", "sheet 1"),
        "when does the ferry leave": ("mail.eml", "9:40", "section 1"),
        "when does the lighthouse open": ("guide.odt", "opens at dawn", "section 1"),
    }
    for query, (name, text, where) in expected.items():
        hits = svc.library.search("dropped", query, k=8)
        hit = next((h for h in hits if h.path.endswith(name)), None)
        assert hit is not None, query
        assert text in hit.text, query
        assert locator(hit.path, hit.page) == where, query
    for query in ("CANARY-SLIDE draft figures", "CANARY-SHEET", "CANARY-ROW", "CANARY-HTML"):
        assert all("CANARY" not in h.text for h in svc.library.search("dropped", query, k=8))
    indexed = {Path(d.path).name for d in svc.library.documents("dropped")}
    assert indexed == {"server.log", "fares.csv", "talk.pptx", "budget.xlsx", "mail.eml", "guide.odt"}
