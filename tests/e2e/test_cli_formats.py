"""``ragtune index`` on a dropped folder says which files it skipped and why, and ``search`` cites
slides and sheets by their number."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import ragtune
from office_factory import make_pptx, make_xlsx


def test_index_names_skipped_types_and_search_cites_slides(tmp_path: Path) -> None:
    folder = tmp_path / "dropped"
    folder.mkdir()
    (folder / "server.log").write_text("WARN backup volume quokka-7 is 93% full\n")
    make_pptx(folder / "talk.pptx")
    make_xlsx(folder / "budget.xlsx")
    (folder / "drawing.xyz").write_text("not for us")
    (folder / ".hidden.xyz").write_text("not counted")

    out = ragtune("index", str(folder), "--library", "dropped")
    assert "3 added" in out.stdout
    assert "Skipped 1 file of a type Ragtune does not read: .xyz \u00d71." in out.stdout.splitlines()

    hits = ragtune("search", "lighthouse tour", "--library", "dropped", "-k", "8", "--json")
    found = [h for h in json.loads(hits.stdout.strip().splitlines()[0])["hits"] if h["path"].endswith("talk.pptx")]
    assert found
    assert found[0]["location"] == "slide 3"
    plain = ragtune("search", "ferry tickets cost", "--library", "dropped", "-k", "8")
    assert "budget.xlsx, sheet 1" in plain.stdout
