"""The one rule for library names: runs of whitespace (spaces, tabs, newlines) become one space,
the ends are trimmed, and the result is 1-200 characters. Every path that takes a library name
(index, search, ask, remove, libraries, eval, train, serve, the window) meets it, because names are
cleaned where a library is created or renamed and where a name is looked up
(``LibraryStore.library_id``): ``--library "my  docs"`` finds the library listed as "my docs"."""

from __future__ import annotations

from ragtune.errors import RagtuneError

MAX_LIBRARY_NAME = 200
#: the library a command or a drop uses when none is named, in the CLI and the window alike
DEFAULT_LIBRARY = "My documents"
#: the CLI's default before 2026-12: kept as the default where it exists and the new one does not
LEGACY_DEFAULT_LIBRARY = "default"
#: the library the first start indexes the sample documents into
SAMPLE_LIBRARY = "Sample library"


def default_library(existing: list[str]) -> str:
    """The library to use when none is named: :data:`DEFAULT_LIBRARY`, or the CLI's older default
    when a library of that name exists and the new one does not (so ``ragtune search`` keeps
    finding what an earlier ``ragtune index`` without ``--library`` made)."""
    if DEFAULT_LIBRARY not in existing and LEGACY_DEFAULT_LIBRARY in existing:
        return LEGACY_DEFAULT_LIBRARY
    return DEFAULT_LIBRARY


def library_name(name: str) -> str:
    """``name`` as libraries are stored and found; refused when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RagtuneError("A library needs a name.")
    if len(cleaned) > MAX_LIBRARY_NAME:
        raise RagtuneError(f"A library name can be at most {MAX_LIBRARY_NAME} characters.")
    return cleaned
