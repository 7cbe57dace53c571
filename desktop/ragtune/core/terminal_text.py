"""Text from a document, a file name, a library or chat name or a model, made safe to print in a
terminal: it is shown, never obeyed.

A terminal obeys control characters: ``ESC]8;;URL`` makes a link the reader does not see, ``ESC]52``
writes the clipboard, ``ESC[2J`` clears the screen, a carriage return or a newline inside a file
name forges a line of output (a fake citation), and bidirectional overrides reorder what is shown.
``for_terminal`` writes every such character as a JSON-style escape (``\\u001b``), the same
spelling ``--json`` output uses, so a guarded stream (``TerminalStream``) leaves JSON exact:

- C0 controls (other than newline and tab), DEL and C1 controls (U+0080-U+009F, which include the
  8-bit ESC and CSI);
- bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E,
  U+2066-U+2069) and the Unicode line and paragraph separators (U+2028, U+2029);
- lone surrogates (an undecodable byte in a file name), which a terminal cannot even encode.

``single_line=True`` is for a field printed on one line (a file name, a citation, a library name):
newline, carriage return and tab are escaped too (``\\n``, ``\\r``, ``\\t``), so the field cannot
start a line of its own. Otherwise newlines and tabs stay, and ``\\r\\n`` becomes ``\\n``.
A backslash is not doubled (Windows paths stay readable), so ``\\u001b`` may also be literal text.
"""

from __future__ import annotations

import re
from typing import Any

#: always escaped: C0 except \t \n \r, DEL, C1, bidi controls, line/paragraph separators, surrogates
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ud800-\udfff"
_MULTI_LINE = re.compile(f"[{_UNSAFE}\r]")
_SINGLE_LINE = re.compile(f"[{_UNSAFE}\t\n\r]")
_STREAM = re.compile(f"[{_UNSAFE}]")  # the stream guard keeps \r: a progress bar redraws with it
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def for_terminal(text: str, *, single_line: bool = False) -> str:
    """``text`` with every character a terminal would obey written as a visible escape (see the
    module docstring); ``single_line`` escapes newline, carriage return and tab too."""
    if single_line:
        return _SINGLE_LINE.sub(_escape, text)
    return _MULTI_LINE.sub(_escape, text.replace("\r\n", "\n"))


def one_line(value: object) -> str:
    """``for_terminal(str(value), single_line=True)``: a name or path inside a line of output."""
    return for_terminal(str(value), single_line=True)


class TerminalStream:
    """A text stream that escapes what ``for_terminal`` escapes (newline, tab and carriage return
    pass) before writing to ``stream``: the last guard on stdout and stderr for anything printed
    without ``for_terminal``. Its escapes are JSON's, so JSON written through it parses the same."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_STREAM.sub(_escape, text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, buffer, ...
        return getattr(self._stream, name)
