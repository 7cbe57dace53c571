"""Reading a text file a person hands to Ragtune (a question set, a training set): UTF-8, a size cap,
and every failure as a message they can act on."""

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
