"""Text files a person exchanges with Ragtune: reading one they hand over (a question set, a training
set: UTF-8, a size cap, every failure as a message they can act on) and writing an export.

Exports are UTF-8 with the line ends as written (``newline=""``: a CSV field's own line breaks stay
"\n" on Windows too); a CSV file starts with a byte-order mark, without which Excel on Windows
reads it in the ANSI code page and garbles every accent (reading takes the mark either way)."""

from __future__ import annotations

from pathlib import Path

from ragtune.errors import RagtuneError


def read_user_text(path: Path, max_bytes: int, what: str) -> str:
    """The file's text (UTF-8, a BOM allowed); RagtuneError saying why not. ``what`` names what the
    file should be ("a question set"), for the messages."""
    try:
        if path.stat().st_size > max_bytes:
            raise RagtuneError(f"{path} is larger than {max_bytes // 1_000_000} MB: not {what}.")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RagtuneError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise RagtuneError(f"{path} is a folder, not {what}.") from None
    except UnicodeDecodeError:
        raise RagtuneError(f"{path} is not UTF-8 text: save it as UTF-8 and try again.") from None
    except OSError as exc:
        raise RagtuneError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def write_export(path: Path, text: str, *, as_csv: bool | None = None) -> None:
    """Write ``text`` to ``path`` as an export (see the module docstring), as CSV when ``as_csv``
    (default: by the ``.csv`` suffix); OSError as raised."""
    csv = path.suffix.lower() == ".csv" if as_csv is None else as_csv
    encoding = "utf-8-sig" if csv else "utf-8"
    path.write_text(text, encoding=encoding, newline="")
