"""The library panel: libraries, their sources, counts, indexing progress and the documents table.

Every read goes through the read lane and every change through the index lane; the panel only
shows what comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.library_names import default_library, library_name
from ragtune.core.types import IndexReport, LibraryInfo, LibraryStats, Progress
from ragtune.core.units import format_size
from ragtune.gui.context import AppContext
from ragtune.gui.documents_model import DocumentsModel, build_rows
from ragtune.gui.embedder_dialog import EmbedderDialog, open_embedder_dialog
from ragtune.gui.index_progress import IndexProgress
from ragtune.gui.indexing import IndexController
from ragtune.gui.library_parts import DocumentsTable, ReindexNotice, source_label
from ragtune.gui.look import icon, key_text, muted
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

MISSING_TIP = (
    "Not found: a disconnected drive, or a moved or deleted folder? Its documents are kept; "
    "Remove drops them."
)
REFRESH_MS = 400


def _button(text: str, tip: str, icon_name: str = "") -> QPushButton:
    button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
    button.setToolTip(tip)
    return button


class LibraryPanel(QWidget):
    """Libraries on top, then sources, counts, progress and documents of the selected one."""

    library_changed = Signal(object)  # str | None
    libraries_loaded = Signal(object)  # list[LibraryInfo]
    documents_loaded = Signal()

    def __init__(self, ctx: AppContext, indexer: IndexController, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.indexer = indexer
        self.current: str | None = None
        self.infos: list[LibraryInfo] = []
        self.stats: LibraryStats | None = None
        self._waiting: list[str] = []
        self._read_seq = 0
        self.embedder_dialog: EmbedderDialog | None = None
        self._build()
        indexer.started.connect(self._index_started)
        indexer.planned.connect(self._index_planned)
        indexer.progress.connect(self._index_progress)
        indexer.finished.connect(self._index_finished)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh_documents)

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.library_list = QListWidget()
        self.library_list.setMaximumHeight(130)
        self.library_list.currentItemChanged.connect(self._library_clicked)
        new, rename, delete, embedder = (
            _button("New…", "Create a library", "add"),
            _button("Rename…", "Rename the selected library"),
            _button("Delete…", "Delete the selected library (your files stay on disk)"),
            _button("Embedder…", "The embedding model that searches this library, and the others it can use"),
        )
        new.clicked.connect(self.prompt_new_library)
        rename.clicked.connect(self.prompt_rename_library)
        delete.clicked.connect(self.prompt_delete_library)
        embedder.clicked.connect(self.open_embedder_dialog)
        self.source_list = QListWidget()
        self.source_list.setMaximumHeight(110)
        add_files, add_folder, remove, rescan = (
            _button("Files…", f"Add files to this library ({key_text('Ctrl+O')})", "add"),
            _button("Folder…", f"Add a folder, watched for changes ({key_text('Ctrl+Shift+O')})", "folder"),
            _button("Remove", "Remove the selected source from the library"),
            _button("Re-scan", "Pick up added, changed and deleted files now (F5)"),
        )
        add_files.clicked.connect(self.prompt_add_files)
        add_folder.clicked.connect(self.prompt_add_folder)
        remove.clicked.connect(self.remove_selected_source)
        rescan.clicked.connect(self.rescan)
        self.counts = muted(QLabel("No library yet: drop files or folders on the window."))
        self.counts.setWordWrap(True)
        self.reindex_notice = ReindexNotice()
        self.reindex_notice.requested.connect(self.reindex)
        self.progress = IndexProgress()
        self.progress.cancel_requested.connect(self.indexer.cancel)
        self.model = DocumentsModel()
        self.table = DocumentsTable(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._heading("Libraries"))
        layout.addWidget(self.library_list)
        layout.addLayout(self._row(new, rename, delete, embedder))
        layout.addWidget(self._heading("Sources"))
        layout.addWidget(self.source_list)
        layout.addLayout(self._row(add_files, add_folder, remove, rescan))
        layout.addWidget(self.counts)
        layout.addWidget(self.reindex_notice)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("heading")
        return label

    @staticmethod
    def _row(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        return row

    # -- libraries ------------------------------------------------------------------------------
    def refresh_libraries(self, select: str | None = None) -> Job:
        return self.ctx.reads.submit(
            lambda job: self.ctx.svc.library.libraries(),
            on_result=lambda infos: self._show_libraries(infos, select),
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading libraries"),
            name="libraries",
        )

    def _show_libraries(self, infos: list[LibraryInfo], select: str | None) -> None:
        self.infos = infos
        wanted = select or self.current or (infos[0].name if infos else None)
        self.library_list.blockSignals(True)
        self.library_list.clear()
        for info in infos:
            item = QListWidgetItem(info.name)
            self.library_list.addItem(item)
            if info.name == wanted:
                self.library_list.setCurrentItem(item)
        self.library_list.blockSignals(False)
        names = [i.name for i in infos]
        self._set_current(wanted if wanted in names else None)
        self.libraries_loaded.emit(infos)

    def _library_clicked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self._set_current(item.text() if item is not None else None)

    def select_library(self, name: str) -> None:
        self.refresh_libraries(select=name)

    def _set_current(self, name: str | None) -> None:
        changed = name != self.current
        self.current = name
        info = next((i for i in self.infos if i.name == name), None)
        self.source_list.clear()
        for source in info.sources if info else ():
            missing = info is not None and source in info.missing
            text = f"{source_label(source)}  (missing)" if missing else source_label(source)
            item = QListWidgetItem(icon("folder") if Path(source).is_dir() else icon("add"), text)
            item.setData(Qt.ItemDataRole.UserRole, source)
            item.setToolTip(MISSING_TIP if missing else source)
            self.source_list.addItem(item)
        if changed:
            self._waiting = []
            self.library_changed.emit(name)
        self.refresh_documents()

    def create_library(self, name: str) -> Job:
        return self.ctx.index_lane.submit(
            lambda job: self.ctx.svc.library.create_library(name),
            on_result=lambda info: self.refresh_libraries(select=info.name),
            on_error=lambda exc: self.ctx.messages.error(exc, "Creating a library"),
            name="create library",
        )

    def rename_library(self, old: str, new: str) -> Job:
        return self.ctx.index_lane.submit(
            lambda job: self.ctx.svc.library.rename_library(old, new),
            on_result=lambda _: self.refresh_libraries(select=library_name(new)),
            on_error=lambda exc: self.ctx.messages.error(exc, f"Renaming {old}"),
            name="rename library",
        )

    def delete_library(self, name: str) -> Job:
        if self.current == name:
            self.current = None
        return self.ctx.index_lane.submit(
            lambda job: self.ctx.svc.library.delete_library(name),
            on_result=lambda _: self.refresh_libraries(),
            on_error=lambda exc: self.ctx.messages.error(exc, f"Deleting {name}"),
            name="delete library",
        )

    def prompt_new_library(self) -> None:
        name, ok = QInputDialog.getText(self, "New library", "Name of the new library:")
        if ok and name.strip():
            self.create_library(name)

    def prompt_rename_library(self) -> None:
        if self.current is None:
            return
        name, ok = QInputDialog.getText(self, "Rename library", "New name:", text=self.current)
        if ok and name.strip() and name != self.current:
            self.rename_library(self.current, name)

    def prompt_delete_library(self) -> None:
        name = self.current
        if name is None:
            return
        text = f"Delete the library “{name}” and its index? Your files stay where they are."
        if self.ctx.messages.confirm("Delete library", text):
            self.delete_library(name)

    def open_embedder_dialog(self) -> Job | None:
        """The current library's embedding model and the others it can use (``EmbedderDialog``)."""
        if self.current is None:
            return None
        return open_embedder_dialog(self.ctx, self.current, self, on_open=self._embedder_dialog_opened)

    def _embedder_dialog_opened(self, dialog: EmbedderDialog) -> None:
        self.embedder_dialog = dialog
        dialog.switched.connect(lambda _report: self.refresh_documents())

    # -- sources and indexing -------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str]) -> Job | None:
        """Index files or folders into the current library (a new one when there is none)."""
        if not paths:
            return None
        library = self.current or default_library([i.name for i in self.infos])
        self.current = library
        return self.indexer.index(library, list(paths))

    def prompt_add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add files to the library")
        self.add_paths(files)

    def prompt_add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to the library")
        if folder:
            self.add_paths([folder])

    def rescan(self) -> Job | None:
        return self.indexer.index(self.current) if self.current else None

    def reindex(self) -> Job | None:
        """Read, split and embed every document of the current library again."""
        return self.indexer.index(self.current, force=True) if self.current else None

    def remove_selected_source(self) -> Job | None:
        item = self.source_list.currentItem()
        if item is None or self.current is None:
            return None
        return self.remove_source(self.current, str(item.data(Qt.ItemDataRole.UserRole)))

    def remove_source(self, library: str, source: str) -> Job:
        return self.ctx.index_lane.submit(
            lambda job: self.ctx.svc.library.remove(library, source),
            on_result=lambda n: self._removed(source, n),
            on_error=lambda exc: self.ctx.messages.error(exc, "Removing a source"),
            name="remove source",
        )

    def _removed(self, source: str, count: int) -> None:
        self.ctx.messages.notice(f"Removed {Path(source).name} ({count} document(s)).")
        self.refresh_libraries()

    def _index_started(self, library: str) -> None:
        if library == self.current or self.current is None:
            self.progress.start(library)

    def _index_planned(self, library: str, waiting: list[str]) -> None:
        if library not in {i.name for i in self.infos}:
            self.refresh_libraries(select=library)  # created by this run
        if library == self.current:
            self._waiting = waiting
            self.refresh_documents()

    def _index_progress(self, library: str, p: Progress) -> None:
        if library != self.current:
            return
        self.progress.show()
        self.progress.update_progress(p)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _index_finished(self, library: str, report: IndexReport | None) -> None:
        self.progress.finish()
        if library == self.current:
            self._waiting = []
            self.refresh_libraries()
        elif self.current is None:  # the run's first read of the list came before it made the library
            self._waiting = []
            self.refresh_libraries(select=library)

    # -- documents ------------------------------------------------------------------------------
    def refresh_documents(self) -> Job | None:
        name = self.current
        if name is None or name not in {i.name for i in self.infos}:
            self.model.set_rows(build_rows([], self._waiting))
            self._show_counts(None)
            return None
        self._read_seq += 1
        seq = self._read_seq

        def read(job: Job) -> tuple[object, object]:
            return self.ctx.svc.library.documents(name), self.ctx.svc.library.stats(name)

        return self.ctx.reads.submit(
            read,
            on_result=lambda result: self._show_documents(seq, name, result),
            on_error=lambda exc: self.ctx.messages.error(exc, f"Reading {name}"),
            name="documents",
        )

    def _show_documents(self, seq: int, name: str, result: tuple) -> None:
        if seq != self._read_seq or name != self.current:
            return  # a newer read is on its way
        documents, stats = result
        self.stats = stats
        info = next((i for i in self.infos if i.name == name), None)
        self.model.set_rows(build_rows(documents, self._waiting, info.excluded if info else ()))
        self._show_counts(stats)
        self.documents_loaded.emit()

    def _show_counts(self, stats: LibraryStats | None) -> None:
        self.reindex_notice.show_for(stats)
        if stats is None:
            self.counts.setText("Drop files or folders on the window to add them.")
            return
        failed = f" · {stats.failed} failed" if stats.failed else ""
        instructions = f" · {stats.instructions_sentence()}" if stats.instruction_passages else ""
        hidden = f" · {stats.hidden_sentence()}" if stats.hidden_spans else ""
        embedder = f" · embedder {stats.embedder.rsplit('/', 1)[-1]}" if stats.embedder else ""
        switch = f" · {stats.switch_sentence()} (Embedder…)." if stats.unfinished_switch else ""
        self.counts.setText(
            f"{stats.documents} documents · {stats.pages} pages · {stats.chunks} chunks · "
            f"database {format_size(stats.database_bytes)}{embedder}{failed}{instructions}{hidden}{switch}"
        )
