"""Commands shown to copy name the very path they are about, quoted for this system's shell."""

from __future__ import annotations

import shlex
import sys
from pathlib import PureWindowsPath

import pytest

from ragtune.core import command_line
from ragtune.core.store.faults import move_aside_command


def test_a_plain_path_round_trips_through_a_posix_shell() -> None:
    path = "/home/ann/My Docs/it's here"
    command = command_line.command("remove", path, "--library", "default", platform="linux")
    assert command is not None
    assert shlex.split(command) == ["ragtune", "remove", path, "--library", "default"]


def test_windows_words_get_double_quotes_that_cmd_and_powershell_read() -> None:
    path = str(PureWindowsPath("C:/Users/Ann Lee/My Documents/contract 2024.pdf"))
    command = command_line.command("remove", path, "--library", "My Lib", platform="win32")
    assert command == r'ragtune remove "C:\Users\Ann Lee\My Documents\contract 2024.pdf" --library "My Lib"'
    assert "'" not in command  # single quotes are literal characters in cmd.exe
    assert command_line.quote("", platform="win32") == '""'
    # Windows' argument rules: backslashes are literal except before a quote, doubled at the end
    assert command_line.quote("C:\\My Dir\\", platform="win32") == '"C:\\My Dir\\\\"'
    assert command_line.quote('say "hi"', platform="win32") == '"say \\"hi\\""'
    assert command_line.quote("plain.pdf", platform="win32") == "plain.pdf"


def test_the_bundled_windows_cli_is_named_as_it_is_started() -> None:
    assert command_line.program(platform="win32", frozen=True) == "ragtune-cli"
    assert command_line.program(platform="win32", frozen=False) == "ragtune"
    assert command_line.program(platform="darwin", frozen=True) == "ragtune"


def test_no_command_is_offered_for_a_path_with_a_newline_or_control_character() -> None:
    # one_line would print the newline as a literal backslash-n inside the quotes: another path
    assert command_line.command("remove", "/docs/a\nb", "--library", "default") is None
    assert command_line.command("index", "/docs/x", "--library", "lib\x1b]52;c;") is None


@pytest.mark.parametrize("name", ["con", "NUL", "com1.gguf", "Lpt9.txt", "aux "])
def test_windows_device_names_are_known(name: str) -> None:
    assert command_line.is_reserved_name(name)


@pytest.mark.parametrize("name", ["contract", "console", "com10", "nully"])
def test_ordinary_names_are_not_reserved(name: str) -> None:
    assert not command_line.is_reserved_name(name)


def test_the_damaged_database_is_moved_aside_in_the_shell_of_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    windows = move_aside_command(PureWindowsPath(r"C:\Users\Ann's PC\AppData\Local\Ragtune\library.sqlite3"))  # type: ignore[arg-type]
    assert windows.startswith("foreach ($f in 'C:\\Users\\Ann''s PC\\")
    assert "library.sqlite3-wal'" in windows
    assert "Move-Item -LiteralPath $f \"$f.damaged\"" in windows
    assert " & " not in windows  # cmd.exe's separator is an error in PowerShell
    monkeypatch.setattr(sys, "platform", "linux")
    from pathlib import PurePosixPath

    posix = move_aside_command(PurePosixPath("/home/ann/My Data/library.sqlite3"))  # type: ignore[arg-type]
    assert posix.startswith("for f in '/home/ann/My Data/library.sqlite3'")


def test_an_install_command_is_quoted_whole() -> None:
    words = [r"C:\Program Files\Ragtune\python.exe", "-m", "pip", "install", "torch>=2.4", "peft"]
    windows = command_line.join(words, platform="win32")
    assert windows == r'"C:\Program Files\Ragtune\python.exe" -m pip install "torch>=2.4" peft'  # > redirects in cmd
    posix = command_line.join(["/opt/my env/bin/python", "-m", "pip", "install", "torch>=2.4"], platform="linux")
    assert shlex.split(posix) == ["/opt/my env/bin/python", "-m", "pip", "install", "torch>=2.4"]
    assert "'torch>=2.4'" in posix  # a bare > would be a redirect
