"""Typed errors whose messages a user can act on.

Core code raises these; the CLI prints ``str(error)`` on stderr and exits non-zero, the GUI shows it
in the status bar or a dialog together with the log path.
"""

from __future__ import annotations


class RagtuneError(Exception):
    """Base of every error Ragtune reports to a person. The message says what to do, in words for
    the window and the CLI alike; ``cli_hint`` is what to type instead in the CLI (``--no-rag``),
    which the CLI adds (:func:`for_cli`) and the window leaves out."""

    def __init__(self, *args: object, cli_hint: str = "") -> None:
        super().__init__(*args)
        self.cli_hint = cli_hint


def for_cli(exc: BaseException) -> str:
    """An error's message as the CLI prints it: with its ``cli_hint`` when it has one."""
    hint = getattr(exc, "cli_hint", "")
    return f"{exc} ({hint})" if hint else str(exc)


class Cancelled(RagtuneError):
    """Long work was cancelled by the user; whatever was committed before stays consistent."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class LibraryNotFound(RagtuneError):
    """A library name that does not exist."""


class SourceNotFound(RagtuneError):
    """A file or folder given to add to a library does not exist; nothing was added."""


class LibraryBusy(RagtuneError):
    """Another Ragtune (another window or command) is indexing the library right now."""


class StoreError(RagtuneError):
    """The database could not be opened, written or read (disk full, permissions, corruption)."""


class DiskFullError(StoreError):
    """The disk holding the library database is full."""


class EmbeddingModelMismatch(StoreError):
    """The library was built with another embedding model or dimension; it needs a re-index."""


class DatabaseDamaged(StoreError):
    """The library database file is damaged (SQLite finds corrupt pages, or it is not a database):
    nothing can be read from it reliably. ``path`` is the file; the message says how to move it
    aside. The CLI exits with code 3 for it, the window shows it in a dialog."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)

    def __reduce__(self) -> tuple[type[DatabaseDamaged], tuple[str, str]]:
        return (DatabaseDamaged, (str(self), self.path))


class ReadOnlyLibrary(StoreError):
    """The library database is on read-only media (or write-protected): it was opened read-only, so
    it can be searched but not indexed or otherwise updated."""


class HomeFolderError(RagtuneError):
    """A folder Ragtune keeps its files in (data, settings, logs) cannot be created or written."""


class ParseError(RagtuneError):
    """A document could not be read. ``reason`` is a short code shown on the document's row:
    ``password-protected``, ``corrupt``, ``too large``, ``unsupported``, ``timed out``, ``empty``,
    ``unreadable``, ``OCR unavailable``; rows indexed before OCR may carry ``no text layer (needs OCR)``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        # sent back from the parser's child process: pickle the fields, not the message
        return (ParseError, (self.reason, self.detail))


#: plain words for the reason codes a failed document's row records (ParseError and the indexer's
#: own: ``not found``, ``changed while indexing``); the window and the CLI both say these
REASONS = {
    "password-protected": "the file is password-protected",
    "no text layer (needs OCR)": "scanned pages without a text layer (needs OCR)",
    "OCR unavailable": "its scanned pages need the OCR engine, which is not installed properly",
    "corrupt": "the file is damaged or not what its name says",
    "too large": "the file is too large to index",
    "unsupported": "this kind of file is not supported",
    "timed out": "reading the file took too long",
    "empty": "no text found in it",
    "unreadable": "the file could not be read (permissions?)",
    "not found": "the file or folder no longer exists",
    "changed while indexing": "it changed while being indexed; it will be picked up next time",
}


def plain_reason(reason: str, detail: str = "") -> str:
    """A failed document's reason code in words a person understands, with the detail if it adds
    anything."""
    words = REASONS.get(reason, reason or "unknown problem")
    return f"{words} ({detail})" if detail and detail not in words else words


class ModelError(RagtuneError):
    """A model file is missing, corrupt, of an unsupported architecture, or failed its hash check."""


class AdapterError(RagtuneError):
    """A LoRA adapter is not valid for the loaded model; the message says what does not match."""


class AdapterMismatch(AdapterError):
    """A sound LoRA adapter made for another model (its architecture or tensor shapes differ)."""


class EngineError(ModelError):
    """A remote (OpenAI-compatible) model server failed: the message names the server and what to do."""


class EngineUnreachable(EngineError):
    """Nothing answers at the server's address (wrong URL or port, server not running, network)."""


class EngineAuthError(EngineError):
    """The server refused the API key (HTTP 401/403)."""


class EngineBusy(EngineError):
    """The server stayed busy (HTTP 429/503) through every retry."""


class StreamInterrupted(EngineError):
    """The answer's stream was cut (the server died, the connection dropped, or it stopped sending)
    after part of the answer arrived; that part is kept and the answer is marked incomplete."""
