"""SQLite's errors about the database file itself, turned into errors a person can act on: a damaged
file (:class:`DatabaseDamaged`, with the command that moves it aside), a full disk, read-only media.

``connect`` and ``transaction`` (``db``) raise these where SQLite reports them; queries run in many
places, so :func:`translate_errors` wraps the public methods of the service facade once, and
whatever a query meets on the way reaches the CLI and the window as one of these errors.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import apsw

from ragtune.core.command_line import on_windows, quote
from ragtune.errors import DatabaseDamaged, DiskFullError, ReadOnlyLibrary

#: what SQLite raises for a file whose pages are damaged or that is not a database at all
DAMAGE_ERRORS: tuple[type[apsw.Error], ...] = (apsw.CorruptError, apsw.NotADBError)
#: words of sqlite-vec's (and SQLite's) generic errors that mean damaged pages, not a bad query
_DAMAGE_WORDS = ("malformed", "corrupt", "could not read", "not a database")

_T = TypeVar("_T")


def disk_full_error(path: str | Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {path} is full. Free some space and try again; "
        "what was already saved is intact."
    )


def _sqlite_words(exc: BaseException | None) -> str:
    text = str(exc or "").strip()
    head, sep, tail = text.partition(": ")
    return tail if sep and head.endswith("Error") else text  # "CorruptError: database disk ..."


def companion_files(path: Path) -> list[Path]:
    """The database file and its ``-wal`` / ``-shm`` files (they belong together: a ``-wal`` left
    behind would be replayed into the next database of that name)."""
    return [path] + [path.with_name(path.name + s) for s in ("-wal", "-shm")]


def move_aside_command(path: Path) -> str:
    """The command that moves the database, with its -wal/-shm where they exist, aside as
    ``NAME.damaged``: a POSIX shell loop, or on Windows a PowerShell one (the Windows terminal's
    default shell; cmd.exe's ``&`` is an error there). Ragtune must be closed first on Windows,
    which cannot move a file another program holds open."""
    files = companion_files(path)
    if on_windows():
        names = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
        return f'foreach ($f in {names}) {{ if (Test-Path -LiteralPath $f) {{ Move-Item -LiteralPath $f "$f.damaged" }} }}'
    quoted = " ".join(quote(str(p)) for p in files)
    return f'for f in {quoted}; do if [ -e "$f" ]; then mv "$f" "$f.damaged"; fi; done'


def damaged_error(path: str | Path, exc: BaseException | None = None, found: str = "") -> DatabaseDamaged:
    """The error for a damaged library database: what happened, and what to do about it."""
    path = Path(path)
    detail = found or _sqlite_words(exc) or "damaged pages"
    return DatabaseDamaged(
        f"The library database {path} is damaged ({detail}); Ragtune cannot read it reliably. "
        "Ragtune keeps no backup copy of it. If you have a copy of this file from before, put it "
        "back in its place. Otherwise move it aside, so that Ragtune starts a new, empty database, "
        "and index your folders again (your documents themselves are not touched):\n"
        f"    {move_aside_command(path)}",
        str(path),
    )


def read_only_note(path: str | Path) -> str:
    """What a person is told when the database was opened read-only."""
    return (
        f"Note: the library database {path} is on read-only media (or write-protected), so it was "
        "opened read-only: it can be searched, but not indexed or changed, and answers are not saved "
        "to the history. Copy it to a writable folder to update it."
    )


def read_only_error(path: str | Path) -> ReadOnlyLibrary:
    return ReadOnlyLibrary(
        f"The library database {path} is on read-only media (or write-protected): it can be "
        "searched but not updated. Copy the file to a writable folder (and point RAGTUNE_HOME "
        "there) to index documents or change its libraries."
    )


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file is damaged (also sqlite-vec's reading errors)."""
    if isinstance(exc, DAMAGE_ERRORS):
        return True
    words = str(exc).lower()
    return isinstance(exc, apsw.Error) and any(w in words for w in _DAMAGE_WORDS)


def translated(exc: BaseException, path: str | Path) -> Exception | None:
    """The error a person reads for SQLite's ``exc`` about the file ``path``, or None."""
    if is_damage(exc):
        return damaged_error(path, exc)
    if isinstance(exc, apsw.FullError):
        return disk_full_error(path)
    if isinstance(exc, apsw.ReadOnlyError):
        return read_only_error(path)
    return None


def translate_errors(cls: type[_T]) -> type[_T]:
    """Wrap every public method of ``cls`` (which has a ``db_path``) so that SQLite's errors for a
    damaged file, a full disk or a read-only database reach the caller as the errors above."""
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(value):
            setattr(cls, name, _translating(value))
    return cls


def _translating(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except apsw.Error as exc:
            better = translated(exc, self.db_path)
            if better is None:
                raise
            raise better from exc

    return wrapper
