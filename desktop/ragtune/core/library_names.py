"""The one rule for library names: runs of whitespace (spaces, tabs, newlines) become one space,
the ends are trimmed, and the result is 1-200 characters. Every path that takes a library name
(index, search, ask, remove, libraries, eval, train, serve, the window) meets it, because names are
cleaned where a library is created or renamed and where a name is looked up
(``LibraryStore.library_id``): ``--library "my  docs"`` finds the library listed as "my docs"."""

from __future__ import annotations

from ragtune.errors import RagtuneError

MAX_LIBRARY_NAME = 200


def library_name(name: str) -> str:
    """``name`` as libraries are stored and found; refused when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RagtuneError("A library needs a name.")
    if len(cleaned) > MAX_LIBRARY_NAME:
        raise RagtuneError(f"A library name can be at most {MAX_LIBRARY_NAME} characters.")
    return cleaned
