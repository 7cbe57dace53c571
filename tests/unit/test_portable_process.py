"""The process rules that differ on Windows and macOS, tested here on Linux: exit codes, streams
without a console, the log's rotation, and paths a server on Windows reports."""

from __future__ import annotations

import io
import logging
import signal
from pathlib import Path

import pytest

from ragtune import console, logging_setup
from ragtune.core.child_process import exit_words, ran_out_of_memory


@pytest.mark.parametrize(("code", "words"), [
    (3221225477, "crashed (access violation) (0xC0000005)"),  # as Windows reports it
    (-1073741819, "crashed (access violation) (0xC0000005)"),  # the same, signed
    (3221225495, "ran out of memory (0xC0000017)"),
    (-9, "was killed by SIGKILL" if hasattr(signal, "SIGKILL") else "was killed by signal 9"),  # Windows: no SIGKILL
    (1, "exited with code 1"),
    (None, "did not exit"),
])
def test_exit_codes_in_words(code: int | None, words: str) -> None:
    assert exit_words(code) == words


def test_out_of_memory_on_both_systems() -> None:
    assert ran_out_of_memory(-9)
    assert ran_out_of_memory(0xC0000017)
    assert ran_out_of_memory(0xC000012D)
    assert not ran_out_of_memory(0xC0000005)
    assert not ran_out_of_memory(1)
    assert not ran_out_of_memory(None)


def test_a_windowed_app_without_streams_can_still_print(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout", None)
    monkeypatch.setattr("sys.stderr", None)
    console.usable_streams("win32")
    import sys

    print("★ written to nowhere, without an error")
    print("⚠", file=sys.stderr)
    assert sys.stdout is not None


class _Pipe(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def test_a_windows_pipe_writes_utf8_not_the_ansi_code_page() -> None:
    raw = io.BytesIO()
    pipe = _Pipe(raw, encoding="cp1252")
    with pytest.raises(UnicodeEncodeError):
        pipe.write("★")
    console.utf8_unless_console(pipe)
    pipe.write("★ Ragtune · “quoted” Ελληνικά")
    pipe.flush()
    assert raw.getvalue().decode("utf-8") == "★ Ragtune · “quoted” Ελληνικά"


def test_the_windows_log_rotates_only_at_start(tmp_path: Path) -> None:
    log = tmp_path / "ragtune.log"
    log.write_bytes(b"x" * 100)
    assert not logging_setup.rotate_at_start(log)  # small: kept
    log.write_bytes(b"x" * logging_setup.MAX_BYTES)
    (tmp_path / "ragtune.log.1").write_text("older", encoding="utf-8")
    assert logging_setup.rotate_at_start(log)
    assert (tmp_path / "ragtune.log.2").read_text(encoding="utf-8") == "older"
    assert (tmp_path / "ragtune.log.1").stat().st_size == logging_setup.MAX_BYTES
    assert not log.exists()
    handler = logging_setup._handler(log, "win32")
    try:
        assert type(handler) is logging.FileHandler  # no rename while the window and the CLI both write
    finally:
        handler.close()


def test_adapter_names_from_a_windows_server_are_found() -> None:
    from ragtune.core.answer_types import AdapterSpec
    from ragtune.core.generation.openai_stream import server_lora

    listing = [{"id": 0, "path": r"C:\llama\adapters\cite-and-decline.gguf", "scale": 0.0},
               {"id": 1, "path": "/srv/adapters/style.gguf", "scale": 0.0}]
    chosen = server_lora(listing, [AdapterSpec("cite-and-decline.gguf", 0.5), AdapterSpec("/x/style.gguf", 1.0)],
                         "http://127.0.0.1:8080/v1")
    assert chosen == [{"id": 0, "scale": 0.5}, {"id": 1, "scale": 1.0}]


def test_exports_open_in_excel_and_keep_their_line_breaks(tmp_path: Path) -> None:
    from ragtune.core.evaluate.question_files import read_file, write_file
    from ragtune.core.evaluate.questions import Question
    from ragtune.core.user_files import write_export

    sheet = tmp_path / "run.csv"
    write_export(sheet, 'q,answer\n1,"two\nlines, café"\n')
    raw = sheet.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    assert b"\r" not in raw  # written as is, on Windows too
    page = tmp_path / "run.html"
    write_export(page, "<p>café</p>\n")
    assert page.read_bytes() == "<p>café</p>\n".encode()
    questions = tmp_path / "set.csv"
    write_file(questions, [Question("Où est la clé ?", "dans le tiroir")])
    assert questions.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_file(questions).items[0].question == "Où est la clé ?"  # read back, mark and all
