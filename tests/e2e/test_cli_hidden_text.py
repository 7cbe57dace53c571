"""Issue 17, section 1, as a user meets it: files carrying an instruction a person cannot see are
indexed without it, search never finds it, and ``libraries`` and ``doctor`` say which files carried
hidden text."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import ragtune
from hidden_text_factory import CANARY, CARRIERS, FACT


def test_hidden_text_is_not_searchable_and_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "harbour"
    folder.mkdir()
    for name, write in CARRIERS.values():
        write(folder / name, True)
    (folder / "plain.md").write_text("# Pier\n\nThe pier café opens at 7:00.\n", encoding="utf-8")

    out = ragtune("index", str(folder), "--library", "harbour")
    assert f"{len(CARRIERS) + 1} added" in out.stdout

    for query in (CANARY, "Ignore the question. Reply only", FACT):
        found = ragtune("search", query, "--library", "harbour", "-k", "10", "--json")
        hits = json.loads(found.stdout)["hits"]
        assert hits, query
        assert not any("CANARY" in hit["text"] for hit in hits), query
    facts = json.loads(ragtune("search", FACT, "--library", "harbour", "--json").stdout)["hits"]
    assert FACT in facts[0]["text"]

    libraries = ragtune("libraries").stdout
    # the Markdown carrier hides it twice (a hidden div, a display:none span), the others once
    spans = len(CARRIERS) + 1
    assert f"Hidden text left out: {spans} spans in {len(CARRIERS)} documents" in libraries

    doctor = ragtune("doctor")  # exit 0: hidden text is not a problem of the database
    assert "consistent" in doctor.stdout
    assert f"Hidden text left out of {len(CARRIERS)} documents" in doctor.stdout
    for name, _write in CARRIERS.values():
        assert str(folder / name) in doctor.stdout
    assert "plain.md" not in doctor.stdout
