"""Watched folders: a QFileSystemWatcher on every folder source, debounced into re-scans.

QFileSystemWatcher watches one directory level, so each source folder is watched with its
subfolders (up to a cap). Any change restarts a 1.5 s timer; when it fires, each library whose
folders changed is re-scanned once (``svc.library.index(library)`` on the index lane).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

log = logging.getLogger(__name__)

DEBOUNCE_MS = 1500
MAX_DIRS = 2000


class FolderWatcher(QObject):
    """Emits ``changed(library)`` once per burst of changes under that library's folders."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_change)
        self._watcher.fileChanged.connect(self._on_change)
        self._roots: dict[str, str] = {}  # folder source -> library
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._fire)

    def watch(self, sources: dict[str, list[str]]) -> None:
        """Watch the folder sources of each library (``{library: [source, ...]}``)."""
        self._roots = {}
        for library, paths in sources.items():
            for p in paths:
                if Path(p).is_dir():
                    self._roots[p] = library
        self._rewatch()

    def watched(self) -> list[str]:
        return self._watcher.directories()

    def _rewatch(self) -> None:
        wanted: list[str] = []
        for root in self._roots:
            for dirpath, dirnames, _ in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                wanted.append(dirpath)
                if len(wanted) >= MAX_DIRS:
                    break
        current = set(self._watcher.directories())
        stale = [d for d in current if d not in set(wanted)]
        if stale:
            self._watcher.removePaths(stale)
        new = [d for d in wanted if d not in current]
        if new:
            self._watcher.addPaths(new)
        if len(wanted) >= MAX_DIRS:
            log.info("watching only the first %d folders", MAX_DIRS)

    def _on_change(self, path: str) -> None:
        for root, library in self._roots.items():
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                self._dirty.add(library)
        self._timer.start()

    def _fire(self) -> None:
        dirty, self._dirty = self._dirty, set()
        self._rewatch()  # new subfolders, removed ones
        for library in sorted(dirty):
            log.info("watched folder changed: re-scanning %s", library)
            self.changed.emit(library)
