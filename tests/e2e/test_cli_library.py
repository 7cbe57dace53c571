"""The library CLI as a user (or another tool) runs it: the exact contract of index, search,
libraries, remove and doctor, and kill -9 in the middle of indexing followed by a resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import apsw
import pymupdf

from cli_support import ragtune


def make_folder(root: Path) -> Path:
    folder = root / "contracts"
    folder.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Master services agreement between Acme and Borealis.")
    doc.new_page().insert_text((72, 72), "Termination requires ninety (90) days written notice.")
    doc.save(folder / "msa.pdf")
    (folder / "rates.md").write_text("# Rates\n\nThe hourly rate for senior consultants is 180 GBP.\n")
    (folder / "memo.txt").write_text("Memo: the renewal meeting is on 14 March in Oslo.\n", encoding="cp1252")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    return folder


def test_cli_contract(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    out = ragtune("index", str(folder), "--library", "legal")
    assert "3 added" in out.stdout
    assert "broken.pdf: the file is damaged" in out.stdout

    one = ragtune("search", "notice period for termination", "--library", "legal", "-k", "3", "--json")
    lines = one.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["query"] == "notice period for termination"
    top = result["hits"][0]
    assert {"path", "page", "score", "text"} <= top.keys()
    assert top["path"].endswith("msa.pdf")
    assert top["page"] == 2
    assert "ninety" in top["text"]

    queries = tmp_path / "queries.txt"
    queries.write_text("hourly rate senior consultants\nwhere is the renewal meeting\n")
    many = ragtune("search", "--queries", str(queries), "--library", "legal", "-k", "2", "--json")
    objs = [json.loads(line) for line in many.stdout.strip().splitlines()]
    assert [o["query"] for o in objs] == ["hourly rate senior consultants", "where is the renewal meeting"]
    assert objs[0]["hits"][0]["path"].endswith("rates.md")
    assert objs[1]["hits"][0]["path"].endswith("memo.txt")
    assert len(objs[1]["hits"]) <= 2

    # FTS5 syntax in a query never errors
    ragtune("search", 'NEAR("rate" AND -x*', "--library", "legal", "--json")

    libs = ragtune("libraries")
    assert "legal: 3 documents (1 failed)" in libs.stdout

    ragtune("remove", str(folder / "rates.md"), "--library", "legal")
    after = ragtune("search", "hourly rate", "--library", "legal", "--json")
    assert not any(h["path"].endswith("rates.md") for h in json.loads(after.stdout)["hits"])

    doctor = ragtune("doctor")
    assert "consistent" in doctor.stdout

    missing = ragtune("search", "x", "--library", "nope", check=False)
    assert missing.returncode != 0
    assert "nope" in missing.stderr


def _indexed_count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        conn = apsw.Connection(str(db_path), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            conn.set_busy_timeout(2000)
            row = conn.execute("SELECT count(*) FROM documents WHERE status = 'indexed'").fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()
    except apsw.Error:
        return 0


def test_kill_during_indexing_then_resume(tmp_path: Path, ragtune_home: Path) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    total = 40
    for i in range(total):
        body = " ".join(f"Paragraph {j} of report {i} records measurement {i * 100 + j}." for j in range(60))
        (folder / f"report{i:03d}.txt").write_text(body)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ragtune", "index", str(folder), "--library", "bulk"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    db_path = ragtune_home / "data" / "library.sqlite3"
    deadline = time.monotonic() + 240
    while _indexed_count(db_path) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    committed = _indexed_count(db_path)
    assert 3 <= committed < total, "the kill should land in the middle of indexing"

    assert "consistent" in ragtune("doctor").stdout
    resumed = ragtune("index", "--library", "bulk")
    assert f"{committed} unchanged" in resumed.stdout
    assert f"{total - committed} added" in resumed.stdout
    assert "consistent" in ragtune("doctor").stdout
    assert _indexed_count(db_path) == total
