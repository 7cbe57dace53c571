"""The CLI refuses bad input and keeps what a person decided: a typo'd path is not registered, a
vanished source is shown as missing (its documents kept), a removed file stays removed until it is
added again, and two ``ragtune index`` of one library at once embed every chunk once."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import apsw

from cli_support import ragtune


def _indexed_count(db_path: Path) -> int:
    try:
        conn = apsw.Connection(str(db_path), flags=apsw.SQLITE_OPEN_READONLY)
    except apsw.Error:
        return 0
    try:
        conn.set_busy_timeout(2000)
        row = conn.execute("SELECT count(*) FROM documents WHERE status = 'indexed'").fetchone()
        return int(row[0]) if row else 0
    except apsw.Error:
        return 0
    finally:
        conn.close()


def test_typo_is_refused_and_a_vanished_source_is_shown_missing(tmp_path: Path) -> None:
    typo = ragtune("index", str(tmp_path / "nonexistent"), "-l", "first", check=False)
    assert typo.returncode != 0
    assert "does not exist" in typo.stderr
    assert "nonexistent" in typo.stderr
    assert "first" not in ragtune("libraries").stdout

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("The harbour opens at six in the morning.\n")
    (folder / "b.txt").write_text("Ferries to the island leave every two hours.\n")
    assert "2 added" in ragtune("index", str(folder), "-l", "notes").stdout
    folder.rename(tmp_path / "elsewhere")  # an unplugged drive looks like this
    rescan = ragtune("index", "-l", "notes")
    assert "0 removed" in rescan.stdout
    assert f"Missing source: {folder}" in rescan.stdout
    libs = ragtune("libraries").stdout
    assert "notes: 2 documents" in libs
    assert f"source: {folder}  (MISSING" in libs


def test_removed_file_stays_removed_until_indexed_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("The harbour opens at six in the morning.\n")
    (folder / "drop.txt").write_text("Ferries to the island leave every two hours.\n")
    ragtune("index", str(folder), "-l", "lib")
    removed = ragtune("remove", str(folder / "drop.txt"), "-l", "lib").stdout
    assert "1 document" in removed
    assert "stays out" in removed

    rescan = ragtune("index", "-l", "lib").stdout
    assert "0 added" in rescan
    assert "1 unchanged" in rescan
    assert ragtune("remove", "--list", "-l", "lib").stdout.strip() == str(folder / "drop.txt")
    assert f"excluded: {folder / 'drop.txt'}" in ragtune("libraries").stdout

    assert "1 added" in ragtune("index", str(folder / "drop.txt"), "-l", "lib").stdout
    assert "Nothing is excluded" in ragtune("remove", "--list", "-l", "lib").stdout
    assert "lib: 2 documents" in ragtune("libraries").stdout


def _report(stdout: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) added, \d+ updated, (\d+) unchanged, .* (\d+) chunks written", stdout)
    assert found, stdout
    return int(found[1]), int(found[2]), int(found[3])


def test_two_runs_at_once_embed_every_chunk_once(tmp_path: Path, ragtune_home: Path) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    total = 30
    for i in range(total):
        body = " ".join(f"Paragraph {j} of report {i} records measurement {i * 100 + j}." for j in range(50))
        (folder / f"report{i:03d}.txt").write_text(body)
    command = [sys.executable, "-m", "ragtune", "index", str(folder), "--library", "bulk"]

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )

    first = start()
    db_path = ragtune_home / "data" / "library.sqlite3"
    deadline = time.monotonic() + 240
    while _indexed_count(db_path) < 1 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    second = start()
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1 + err2
    assert second.returncode == 0, err1 + err2
    assert _report(out1)[0] == total
    assert _report(out2) == (0, total, 0), out2  # it waited, then found everything done
    assert "Waiting for another indexing run on library 'bulk'" in err2

    doctor = ragtune("doctor").stdout
    assert "consistent" in doctor
    counted = re.search(r"(\d+) chunks,", doctor)
    assert counted
    assert int(counted[1]) == _report(out1)[2]
