"""What the Office Open XML parsers (PPTX, XLSX) share: telling an encrypted or old binary file
from a corrupt one before the library opens it, and the caps on how much of a file is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ragtune.errors import ParseError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: an archive whose members unpack to more than this is refused (a zip bomb), before any is read
MAX_UNPACKED_BYTES = 1_000_000_000


def check_package(path: Path, old_name: str) -> None:
    """Raise ``password-protected`` for an encrypted file (an OLE container with an EncryptionInfo
    stream), ``corrupt`` for an old binary file (``old_name``, e.g. ".ppt") or a file that is not a
    ZIP archive, and ``too large`` for one whose members claim to unpack to a gigabyte or more."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _OLE_MAGIC:
        if "EncryptionInfo".encode("utf-16-le") in path.read_bytes()[: 1 << 20]:
            raise ParseError("password-protected", "the document is encrypted with a password")
        raise ParseError(
            "corrupt", f"this is an old binary file ({old_name}): save it as {path.suffix.lower()}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError("corrupt", f"not a readable {path.suffix.lower()} file ({exc})") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ParseError("too large", f"its parts unpack to {unpacked // 1_000_000} MB")
