"""What a run records about the files that produced it: a file's sha256, computed once per file
version (path, size, modification time) in this process, or read from the stamp the embedded model's
assembly wrote (``<file>.verified.json``) when it still matches the file."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

_BLOCK = 1 << 20
_cache: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def _stamped(path: Path, size: int, mtime_ns: int) -> str | None:
    try:
        stamp = json.loads(path.with_name(path.name + ".verified.json").read_text())
    except (OSError, ValueError):
        return None
    if isinstance(stamp, dict) and stamp.get("size") == size and stamp.get("mtime_ns") == mtime_ns:
        sha = stamp.get("sha256")
        return sha if isinstance(sha, str) else None
    return None


def file_sha256(path: str | Path) -> str:
    """The file's sha256 (hex); "" when it cannot be read (a run still goes ahead)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return ""
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _lock:
        if key in _cache:
            return _cache[key]
    sha = _stamped(p, st.st_size, st.st_mtime_ns)
    if sha is None:
        digest = hashlib.sha256()
        try:
            with p.open("rb") as fh:
                while block := fh.read(_BLOCK):
                    digest.update(block)
        except OSError:
            return ""
        sha = digest.hexdigest()
    with _lock:
        _cache[key] = sha
    return sha
