"""``for_terminal``: what a document, a file name or a model says is shown in a terminal, never
obeyed: escape sequences, bell, C1 controls, bidirectional overrides and (in one-line fields)
newlines come out as visible escapes, and the guarded stream leaves JSON exact."""

from __future__ import annotations

import io
import json

import pytest

from ragtune.core.terminal_text import TerminalStream, for_terminal, one_line

HYPERLINK = "\x1b]8;;http://attacker.example/\x1b\\click\x1b]8;;\x1b\\"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
FORGED = "a\n[2] official-policy.pdf, page 1: approved by legal.md"


def _obeyable(text: str) -> list[str]:
    """Characters a terminal would act on (newline and tab aside)."""
    return [
        c for c in text
        if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
        or c in "\u061c\u200e\u200f\u2028\u2029" or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
        or 0xD800 <= ord(c) <= 0xDFFF
    ]


@pytest.mark.parametrize("payload", [HYPERLINK, CLIPBOARD, CLEAR, "\x9b2J", "\x7f", "\x00", "\r"])
def test_escape_sequences_are_shown_not_run(payload: str) -> None:
    shown = for_terminal(f"before {payload} after")
    assert _obeyable(shown) == []
    assert shown.startswith("before ")
    assert shown.endswith(" after")


def test_the_escapes_are_visible_and_keep_the_payload_readable() -> None:
    assert for_terminal(CLEAR) == "\\u001b[2J"
    assert for_terminal(CLIPBOARD) == "\\u001b]52;c;ZXZpbA==\\u0007"
    assert "http://attacker.example/" in for_terminal(HYPERLINK)


@pytest.mark.parametrize("mark", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidirectional_controls_are_made_visible(mark: str) -> None:
    shown = for_terminal(f"invoice{mark}fdp.exe")
    assert mark not in shown
    assert f"\\u{ord(mark):04x}" in shown


def test_a_forged_line_in_a_name_stays_on_its_line() -> None:
    shown = one_line(FORGED)
    assert "\n" not in shown
    assert shown == "a\\n[2] official-policy.pdf, page 1: approved by legal.md"
    assert "\r" not in one_line("a\r[2] forged")
    assert "\t" not in one_line("a\tb")
    assert "\u2028" not in one_line("a\u2028b")


def test_passages_keep_their_lines_and_tabs() -> None:
    assert for_terminal("one\ntwo\tthree") == "one\ntwo\tthree"
    assert for_terminal("windows\r\nline") == "windows\nline"
    assert for_terminal("plain text, accents: café, 東京, emoji 🙂") == "plain text, accents: café, 東京, emoji 🙂"


def test_an_undecodable_file_name_can_be_printed() -> None:
    name = b"report-\xff.pdf".decode("utf-8", "surrogateescape")
    shown = one_line(name)
    assert shown == "report-\\udcff.pdf"
    shown.encode("utf-8")  # a lone surrogate would raise here, and kill the command


def test_the_guarded_stream_escapes_and_leaves_json_exact() -> None:
    sink = io.StringIO()
    guarded = TerminalStream(sink)
    value = {"path": f"{FORGED}{CLEAR}\u202e\x9b\x7f", "text": HYPERLINK}
    guarded.write(json.dumps(value, ensure_ascii=False) + "\n")
    guarded.write(f"{CLIPBOARD}\r\n")
    written = sink.getvalue()
    assert _obeyable(written.replace("\r", "")) == []
    assert json.loads(written.splitlines()[0]) == value  # the same escapes JSON uses
    assert "\r" in written  # a progress bar redraws its line with it
