"""What a drop on the window carries: documents and folders to index, GGUF models, GGUF adapters.

A ``.gguf`` file is a model or a LoRA adapter depending on its ``general.type``; reading the header
takes a fraction of a second but touches the disk, so ``svc.models.gguf_kind`` runs on the read lane.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl


@dataclass
class DroppedPaths:
    documents: list[str] = field(default_factory=list)  # files and folders to index
    ggufs: list[str] = field(default_factory=list)  # models or adapters, decided by svc.models.gguf_kind


def local_paths(mime: QMimeData) -> list[str]:
    """The local files and folders in a drag's data (other URLs are ignored)."""
    if not mime.hasUrls():
        return []
    urls: Iterable[QUrl] = mime.urls()
    return [u.toLocalFile() for u in urls if u.isLocalFile() and u.toLocalFile()]


def split_paths(paths: Iterable[str]) -> DroppedPaths:
    dropped = DroppedPaths()
    for p in paths:
        path = Path(p)
        if path.is_file() and path.suffix.lower() == ".gguf":
            dropped.ggufs.append(str(path))
        elif path.exists():
            dropped.documents.append(str(path))
    return dropped
