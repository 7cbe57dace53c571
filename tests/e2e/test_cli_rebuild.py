"""A changed chunking, as the CLI shows it: ``libraries`` and ``doctor`` say which library needs a
re-index, ``index --rebuild`` does it; a command without ``--library`` uses the core's default
library (the window's too), or the CLI's older one where only that exists."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cli_support import ragtune
from ragtune import settings as settings_store
from ragtune.core.library_names import DEFAULT_LIBRARY

SHIPS = " ".join(f"Line {j}: the ship number {j * 31} carried grain and timber to the harbour." for j in range(80))


def _folder(root: Path) -> Path:
    folder = root / "ships"
    folder.mkdir()
    (folder / "log.txt").write_text(SHIPS, encoding="utf-8")
    (folder / "notes.md").write_text("# Notes\n\n" + SHIPS, encoding="utf-8")
    return folder


def _chunks(name: str) -> int:
    listing = ragtune("libraries").stdout
    line = next(x for x in listing.splitlines() if x.startswith(f"{name}:"))
    return int(line.split(" pages, ")[1].split(" chunks")[0])


def test_changed_chunking_is_shown_then_rebuilt(tmp_path: Path) -> None:
    ragtune("index", str(_folder(tmp_path)), "--library", "fleet")
    before = _chunks("fleet")
    assert "re-index" not in ragtune("libraries").stdout

    settings_store.save(replace(settings_store.load(), chunk_tokens=100))
    listing = ragtune("libraries").stdout
    assert "Needs a re-index: 2 documents were split with another chunk size" in listing
    assert "ragtune index --library fleet --rebuild" in listing
    doctor = ragtune("doctor")  # information, not damage: exit 0
    assert "Library 'fleet': Needs a re-index: 2 documents" in doctor.stdout

    out = ragtune("index", "--library", "fleet", "--rebuild").stdout
    assert "2 updated" in out
    assert _chunks("fleet") > before
    assert "re-index" not in ragtune("libraries").stdout
    assert "re-index" not in ragtune("doctor").stdout


def test_no_library_named_uses_the_default_one(tmp_path: Path) -> None:
    out = ragtune("index", str(_folder(tmp_path))).stdout
    assert f"Library {DEFAULT_LIBRARY!r}" in out
    hits = ragtune("search", "grain and timber", "--json").stdout
    assert '"path"' in hits


def test_the_older_cli_default_is_kept_where_it_is_the_only_one(tmp_path: Path) -> None:
    ragtune("index", str(_folder(tmp_path)), "--library", "default")
    hits = ragtune("search", "grain and timber", "--json").stdout  # no --library: "default"
    assert '"path"' in hits


def test_a_command_without_a_library_option_does_not_open_the_database() -> None:
    """The default library is looked up only for commands that take ``--library``."""
    from ragtune import paths

    ragtune("models")
    assert not paths.database_path().exists()
