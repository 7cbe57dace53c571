"""The portable bundle check (macOS and Windows CI): where the app is, and the environment it
starts in (its own home, offscreen, offline, told to check itself)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
import check_bundle_any


def test_the_app_is_found_where_pyinstaller_puts_it(tmp_path: Path) -> None:
    assert check_bundle_any.app_executable(tmp_path, "darwin") == tmp_path / "Ragtune.app/Contents/MacOS/ragtune"
    assert check_bundle_any.app_executable(tmp_path, "win32") == tmp_path / "ragtune" / "ragtune.exe"
    assert check_bundle_any.app_executable(tmp_path, "linux") == tmp_path / "ragtune" / "ragtune"
    assert check_bundle_any.archive_name("win32", "AMD64").endswith("-windows-amd64")
    assert check_bundle_any.archive_name("darwin", "arm64").endswith("-macos-arm64")


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_the_app_starts_with_its_own_home_offscreen_and_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setenv("SystemRoot", r"C:\Windows")
    monkeypatch.setenv("HF_TOKEN", "secret-of-this-machine")
    env = check_bundle_any.clean_env(tmp_path, tmp_path / "report.json", 900, platform)
    assert env["RAGTUNE_HOME"].startswith(str(tmp_path))
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == "http://127.0.0.1:9"
    assert env["RAGTUNE_SELF_CHECK"] == str(tmp_path / "report.json")
    assert "HF_TOKEN" not in env  # nothing of this machine's user
    assert ("SystemRoot" in env) == (platform == "win32")  # Windows programs need it to start
    assert (tmp_path / "temp").is_dir()
