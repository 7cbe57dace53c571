"""Faults of the database's file and of the home folder, as a person meets them on the command line:
a damaged database (exit 3, the words and the command that moves it aside, never a traceback), a
home folder that cannot be created, and a library on read-only media (searched, never updated).
Real library made with the real embedder; real damaged pages; real read-only media (see
``store_faults_support``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from cli_support import ragtune
from store_faults_support import checkpoint, damage_pages, ragtune_read_only

LIBRARY = "harbour"


def make_library(root: Path) -> Path:
    """Two text files indexed into library ``harbour``; returns the database file (checkpointed)."""
    docs = root / "docs"
    docs.mkdir()
    (docs / "keeper.txt").write_text(
        "The lighthouse keeper lights the lamp at dusk and trims the wick at midnight.\n\n"
        "Storm warnings are raised on the harbour mast when the glass falls quickly.\n"
    )
    (docs / "ferries.txt").write_text("Ferries to the island leave every two hours from pier four.\n")
    out = ragtune("index", str(docs), "--library", LIBRARY)
    assert "2 added" in out.stdout
    db = Path(os.environ["RAGTUNE_HOME"]) / "data" / "library.sqlite3"
    checkpoint(db)
    return db


def no_traceback(result: subprocess.CompletedProcess[str]) -> str:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert "apsw." not in text, text
    return text


def test_a_damaged_database_is_named_with_exit_3_and_the_way_out(tmp_path: Path) -> None:
    db = make_library(tmp_path)
    assert damage_pages(db)
    for command in (
        ["doctor"],
        ["libraries"],
        ["search", "who lights the lamp", "--library", LIBRARY],
        ["index", "--library", LIBRARY],
        ["index", str(tmp_path / "docs"), "--library", LIBRARY],
    ):
        result = ragtune(*command, check=False)
        text = no_traceback(result)
        assert result.returncode == 3, (command, text)
        assert f"The library database {db} is damaged" in result.stderr, (command, text)
        assert "keeps no backup" in result.stderr
        assert "mv " in result.stderr
        assert str(db) in result.stderr.splitlines()[-1]

    # the command it gives works: the file (with its -wal/-shm) moves aside, a new library starts
    move = ragtune("doctor", check=False).stderr.splitlines()[-1].strip()
    subprocess.run(["sh", "-c", move], check=True)
    assert (db.parent / "library.sqlite3.damaged").is_file()
    assert not db.exists()
    assert "No libraries yet" in ragtune("libraries").stdout
    assert "2 added" in ragtune("index", str(tmp_path / "docs"), "--library", LIBRARY).stdout
    assert "OK: the library database is consistent." in ragtune("doctor").stdout
    assert "3 the library database is damaged" in " ".join(ragtune("--help").stdout.split())


def test_a_home_folder_in_the_way_of_a_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RAGTUNE_HOME", str(blocker / "home"))
    result = ragtune("libraries", check=False)
    text = no_traceback(result)
    assert result.returncode == 2, text
    assert f"Ragtune could not create its folder {blocker / 'home'}" in result.stderr
    assert "Not a directory" in result.stderr
    assert "RAGTUNE_HOME is set to" in result.stderr


def test_a_home_folder_on_read_only_media_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media = tmp_path / "media"
    media.mkdir()
    monkeypatch.setenv("RAGTUNE_HOME", str(media / "ragtune"))
    result = ragtune_read_only(media, "libraries")
    text = no_traceback(result)
    assert result.returncode == 2, text
    assert f"Ragtune could not create its folder {media / 'ragtune'}" in result.stderr, text
    assert "RAGTUNE_HOME" in result.stderr


def test_a_library_on_read_only_media_is_searched_but_never_updated(tmp_path: Path) -> None:
    db = make_library(tmp_path)
    home = Path(os.environ["RAGTUNE_HOME"])
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    found = ragtune_read_only(home, "search", "who lights the lamp at dusk", "--library", LIBRARY, "-k", "1")
    no_traceback(found)
    assert found.returncode == 0, found.stderr
    assert "keeper.txt" in found.stdout
    assert "opened read-only: it can be searched, but not indexed" in found.stderr

    listed = ragtune_read_only(home, "libraries")
    assert listed.returncode == 0, listed.stderr
    assert f"{LIBRARY}: 2 documents" in listed.stdout
    checked = ragtune_read_only(home, "doctor")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "skipped (the database is read-only)" in checked.stdout

    for command in (["index", "--library", LIBRARY], ["index", str(tmp_path / "docs"), "--library", LIBRARY],
                    ["remove", str(tmp_path / "docs"), "--library", LIBRARY]):
        refused = ragtune_read_only(home, *command)
        no_traceback(refused)
        assert refused.returncode == 2, (command, refused.stdout + refused.stderr)
        assert f"The library database {db} is on read-only media" in refused.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
