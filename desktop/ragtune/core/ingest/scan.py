"""Walk sources (files and folders) into the list of supported files, and hash file contents.

Folders are walked following symbolic links, with loops detected by the (device, inode) of each
directory. Hidden files and folders, Office lock files (``~$name.docx``), editor backups
(``name~``) and system clutter (``Thumbs.db``, ``desktop.ini``) are passed over without a word;
other files of a type no parser reads are skipped and listed in ``ScanResult.skipped``, so an index
run can say how many it skipped and of which types. Problems (a missing source, an unreadable
folder) are reported, never raised.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ragtune.core.ingest.parsers import SUPPORTED_SUFFIXES
from ragtune.core.types import FailedFile

_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    """A supported file found by a scan: resolved absolute path, size and mtime."""

    path: Path
    size: int
    mtime_ns: int


@dataclass
class ScanResult:
    files: list[FileInfo] = field(default_factory=list)
    problems: list[FailedFile] = field(default_factory=list)
    #: files passed over because no parser reads their type (not hidden files or clutter)
    skipped: list[str] = field(default_factory=list)


#: files an operating system or an editor leaves in folders; nobody expects them read or counted
_CLUTTER = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})
#: what a file type looks like: a dot and up to 10 letters, digits, ``_``, ``-`` or ``+``
_FILE_TYPE = re.compile(r"\.[a-z0-9_+-]{1,10}")


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _clutter(name: str) -> bool:
    return name.lower() in _CLUTTER or name.endswith("~")


def _type_of(path: str) -> str:
    """A file's suffix in lower case; ``""`` for none, or for one that is no file type ("notes.final
    draft", or control characters that must not reach a terminal)."""
    suffix = Path(path).suffix.lower()
    return suffix if _FILE_TYPE.fullmatch(suffix) else ""


def skipped_by_type(paths: Iterable[str]) -> dict[str, int]:
    """How many of ``paths`` there are per file type (see ``_type_of``), most first."""
    counts = Counter(_type_of(p) for p in paths)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _is_hidden(entry: os.DirEntry[str]) -> bool:
    if _skipped_name(entry.name):
        return True
    if os.name == "nt":  # Windows hidden/system attribute
        try:
            attrs = getattr(entry.stat(), "st_file_attributes", 0)
        except OSError:
            return False
        return bool(attrs & (stat.FILE_ATTRIBUTE_HIDDEN | stat.FILE_ATTRIBUTE_SYSTEM))
    return False


def _supported(name: str) -> bool:
    return Path(name).suffix.lower() in SUPPORTED_SUFFIXES


class _Scanner:
    def __init__(self) -> None:
        self.files: dict[Path, FileInfo] = {}
        self.problems: list[FailedFile] = []
        self.skipped: list[str] = []
        self.visited_dirs: set[tuple[int, int] | str] = set()

    def add_file(self, path: Path, st: os.stat_result | None = None) -> None:
        try:
            st = st or path.stat()
            resolved = path.resolve()
        except FileNotFoundError:
            return  # deleted between listing and stat
        except OSError as exc:
            self.problems.append(FailedFile(str(path), "unreadable", str(exc)))
            return
        if stat.S_ISREG(st.st_mode) and resolved not in self.files:
            self.files[resolved] = FileInfo(resolved, st.st_size, st.st_mtime_ns)

    def walk(self, root: Path) -> None:
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                st = folder.stat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.problems.append(FailedFile(str(folder), "unreadable", str(exc)))
                continue
            # some network and FAT drives report inode 0 for every folder: the resolved path stands in
            key: tuple[int, int] | str = (st.st_dev, st.st_ino) if st.st_ino else str(folder.resolve())
            if key in self.visited_dirs:
                continue  # a symlink loop, or a folder reached twice
            self.visited_dirs.add(key)
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.problems.append(FailedFile(str(folder), "unreadable", str(exc)))
                continue
            subfolders: list[Path] = []
            for entry in entries:
                if _is_hidden(entry):
                    continue
                try:
                    is_dir = entry.is_dir(follow_symlinks=True)
                    is_file = not is_dir and entry.is_file(follow_symlinks=True)
                except OSError:
                    continue  # vanished or a dangling link
                if is_dir:
                    subfolders.append(Path(entry.path))
                elif is_file and _supported(entry.name):
                    try:
                        entry_stat = entry.stat(follow_symlinks=True)
                    except FileNotFoundError:
                        continue
                    except OSError as exc:
                        self.problems.append(FailedFile(entry.path, "unreadable", str(exc)))
                        continue
                    self.add_file(Path(entry.path), entry_stat)
                elif is_file and not _clutter(entry.name):
                    self.skipped.append(entry.path)
            stack.extend(sorted(subfolders, reverse=True))


def scan_sources(sources: list[Path]) -> ScanResult:
    """All supported files under ``sources`` (files or folders): resolved absolute paths, sorted,
    without duplicates. A source given explicitly as a file is kept even if hidden; it must still
    have a supported suffix."""
    scanner = _Scanner()
    for source in sources:
        source = Path(source).expanduser()
        if not source.is_absolute():
            source = Path.cwd() / source
        try:
            st = source.stat()
        except FileNotFoundError:
            scanner.problems.append(
                FailedFile(str(source.resolve()), "not found", "the file or folder does not exist")
            )
            continue
        except OSError as exc:
            scanner.problems.append(FailedFile(str(source), "unreadable", str(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            scanner.walk(source)
        elif _supported(source.name):
            scanner.add_file(source, st)
        else:
            scanner.problems.append(
                FailedFile(str(source), "unsupported", f"{source.suffix or 'no suffix'} files are not supported")
            )
    files = sorted(scanner.files.values(), key=lambda f: str(f.path))
    return ScanResult(files, scanner.problems, scanner.skipped)


def unchanged_since(f: FileInfo, size: int, mtime_ns: int) -> bool:
    """The rule for "which files changed", without reading them: a file is unchanged when its size
    and modification time are those recorded when it was indexed. The indexer plans by it (a file
    whose mtime alone moved is then hashed, and not re-embedded when its content is the same), and
    the window lists as waiting the files it would plan."""
    return f.size == size and f.mtime_ns == mtime_ns


def on_disk_case(path: Path) -> Path:
    """``path`` (absolute) with each part spelled as its folder lists it. On the case-insensitive
    disks of macOS and Windows "~/documents" opens "~/Documents", and a library must not take the
    two spellings for two sources, nor fail to remove one by the other. A part that exists as
    written is kept (a case-sensitive disk may hold both spellings); from the first part that
    does not exist on, the rest stays as written."""
    current = Path(path.parts[0])
    for index, name in enumerate(path.parts[1:], start=1):
        if not os.path.lexists(current / name):
            return current.joinpath(*path.parts[index:])
        try:
            entries = os.listdir(current)
        except OSError:
            entries = []
        if name not in entries:
            name = next((e for e in entries if e.casefold() == name.casefold()), name)
        current = current / name
    return current


def is_under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or lies inside it (both absolute, as stored)."""
    if path == root:
        return True
    base = root.rstrip("/\\")
    return path.startswith(base + "/") or path.startswith(base + "\\")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in 1 MiB blocks (raises OSError)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
