"""Document parsers, one module per format, chosen by file suffix.

``parse_file(path)`` returns a :class:`~ragtune.core.types.ParsedDocument` or raises
:class:`~ragtune.errors.ParseError` with a short reason code (``unsupported``, ``empty``, ``corrupt``,
``password-protected``, ``OCR unavailable``, ``too large``, ``unreadable``). Format modules
are imported lazily, so scanning never loads PyMuPDF or BeautifulSoup.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from ragtune.core.types import ParsedDocument
from ragtune.core.units import format_size
from ragtune.errors import ParseError

#: files bigger than this are refused before anything is read
MAX_FILE_BYTES = 500_000_000

#: suffix → module under ragtune.core.ingest.parsers (each has ``parse(path) -> ParsedDocument``)
_REGISTRY: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    # office and mail formats, each through a well-kept library (or the standard library)
    ".pptx": "pptx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".eml": "eml",
    ".odt": "odt",
    # plain-text kinds (logs, data, configuration, source code): read as text, titled by file name
    **dict.fromkeys(
        (
            ".log", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".xml", ".yaml", ".yml",
            ".toml", ".ini", ".cfg", ".conf", ".properties", ".tex", ".bib", ".srt", ".vtt",
            ".org", ".adoc", ".diff", ".patch",
            ".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".java",
            ".kt", ".scala", ".c", ".h", ".cpp", ".cc", ".cxx", ".hpp", ".hh", ".cs", ".go",
            ".rs", ".rb", ".php", ".pl", ".swift", ".r", ".lua", ".sh", ".bash", ".zsh",
            ".ps1", ".bat", ".sql", ".css", ".scss", ".less", ".vue",
        ),
        "plain",
    ),
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_REGISTRY)


def parser_for(path: Path) -> Callable[[Path], ParsedDocument]:
    """The parse function for ``path``'s suffix; ParseError("unsupported") when there is none."""
    name = _REGISTRY.get(path.suffix.lower())
    if name is None:
        raise ParseError("unsupported", f"{path.suffix or 'no suffix'} files are not supported")
    module = importlib.import_module(f"ragtune.core.ingest.parsers.{name}")
    return cast(Callable[[Path], ParsedDocument], module.parse)


def parse_file(path: Path) -> ParsedDocument:
    """Parse one file into pages of normalized text (see the module docstring for the errors)."""
    path = Path(path)
    parse = parser_for(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ParseError("unreadable", "the file no longer exists") from exc
    except OSError as exc:
        raise ParseError("unreadable", str(exc)) from exc
    if size > MAX_FILE_BYTES:
        raise ParseError("too large", f"{format_size(size)}, the limit is {format_size(MAX_FILE_BYTES)}")
    if size == 0:
        raise ParseError("empty", "the file is empty (0 bytes)")
    try:
        return parse(path)
    except ParseError:
        raise
    except PermissionError as exc:
        raise ParseError("unreadable", str(exc)) from exc
    except FileNotFoundError as exc:
        raise ParseError("unreadable", "the file no longer exists") from exc
    except MemoryError as exc:
        raise ParseError("too large", "ran out of memory while reading it") from exc
    except Exception as exc:  # untrusted input: any library error means the file is unreadable
        raise ParseError("corrupt", f"{type(exc).__name__}: {exc}"[:500]) from exc


__all__ = ["MAX_FILE_BYTES", "SUPPORTED_SUFFIXES", "parse_file", "parser_for"]
