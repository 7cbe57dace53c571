"""Commands shown to a person to copy and paste: quoted for this system's shell, and naming the
program as it is started here.

- POSIX shells (Linux, macOS): ``shlex.quote`` (``'My Lib'``).
- Windows: for cmd.exe, double quotes where a word holds a space or a character cmd.exe acts on
  (``"My Lib"``, ``"torch>=2.4"``), with backslashes and quotes escaped by the rules programs read
  their arguments with; single quotes would be literal characters there. PowerShell reads the same
  words alike unless a word holds ``$`` or a backtick, which it expands inside double quotes.
- The program: ``ragtune`` from a pip install; the bundled app's console program on Windows is
  ``ragtune-cli`` (``ragtune.exe`` is the window, which prints nothing).
A word with a control character (a newline in a file name) gets no command: shown escaped, it would
name another file.
"""

from __future__ import annotations

import shlex
import sys

from ragtune.core.terminal_text import one_line

#: names Windows reserves for devices: a file of that name (any extension) cannot be made
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)


def on_windows(platform: str | None = None) -> bool:
    return (platform or sys.platform) == "win32"


def program(platform: str | None = None, frozen: bool | None = None) -> str:
    """How to start Ragtune's command line here."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    return "ragtune-cli" if frozen and on_windows(platform) else "ragtune"


def quote(word: str, platform: str | None = None) -> str:
    """``word`` as one argument for this system's shell."""
    if on_windows(platform):
        return _windows_quote(word)
    return shlex.quote(word)


#: characters that make cmd.exe split a word or act on it (redirects, pipes, escapes, variables)
_CMD_SPECIAL = frozenset(' \t&|<>^()%"')


def _windows_quote(word: str) -> str:
    if word and not any(c in _CMD_SPECIAL for c in word):
        return word
    out, backslashes = [], 0
    for c in word:
        if c == "\\":
            backslashes += 1
            continue
        out.append("\\" * (2 * backslashes + 1) + '"' if c == '"' else "\\" * backslashes + c)
        backslashes = 0
    return '"' + "".join(out) + "\\" * (2 * backslashes) + '"'


def join(words: list[str], platform: str | None = None) -> str:
    """Any command's ``words`` (a program path first) quoted to copy: ``torch>=2.4`` would be a
    redirect, ``C:\\Program Files\\...`` two words."""
    return " ".join(quote(word, platform) for word in words)


def command(*words: str, platform: str | None = None) -> str | None:
    """``ragtune WORDS...`` quoted to copy (the program's name first, as started here); None when
    a word holds a character ``one_line`` escapes (a newline, a control character)."""
    if any(one_line(word) != word for word in words):
        return None
    return " ".join([program(platform), join(list(words), platform)])


def is_reserved_name(name: str) -> bool:
    """Whether Windows refuses a file called ``name`` (``con``, ``nul.gguf``, ``COM1.txt``, ...)."""
    return name.split(".", 1)[0].strip().lower() in WINDOWS_RESERVED
