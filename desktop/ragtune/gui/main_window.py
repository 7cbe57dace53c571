"""The main window: libraries and chats on the left, the conversation in the middle, and on the
right the source viewer, the model and adapters panel and the comparison view.

The window owns the lanes (``AppContext``) and hands them to its panels; it holds no SQL, parsing or
model code. Dropping files or folders indexes them into the current library ("My documents" when
there is none); a dropped ``.gguf`` goes to the model panel as a model or as an adapter. Splitter
sizes, geometry, the open tab and the open chat are saved in ``ui_settings()`` and restored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QWidget

from ragtune.core.answer_types import ChatInfo, Citation, adapter_offer, default_strength
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.services import Ragtune
from ragtune.core.types import LibraryInfo
from ragtune.gui.chat_list import ChatList
from ragtune.gui.chat_view import ChatView
from ragtune.gui.compare_view import CompareView
from ragtune.gui.context import AppContext, ui_settings
from ragtune.gui.drops import local_paths, split_paths
from ragtune.gui.evaluate_view import EvaluateView
from ragtune.gui.finetune_view import FineTuneView
from ragtune.gui.indexing import IndexController
from ragtune.gui.library_panel import LibraryPanel
from ragtune.gui.look import icon
from ragtune.gui.messages import Messages
from ragtune.gui.model_panel import ModelPanel
from ragtune.gui.settings_dialog import SettingsDialog
from ragtune.gui.source_viewer import SourceViewer
from ragtune.gui.tasks import Lane
from ragtune.gui.watcher import FolderWatcher
from ragtune.gui.window_actions import install_actions

log = logging.getLogger(__name__)

TAB_SOURCES, TAB_MODEL, TAB_COMPARE, TAB_EVALUATE, TAB_FINETUNE = 0, 1, 2, 3, 4
DEFAULT_SIZE = (1280, 820)


class MainWindow(QMainWindow):
    """The Ragtune window. Give it the service; it creates and stops the lanes itself."""

    def __init__(self, svc: Ragtune, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ragtune")
        self.setWindowIcon(icon("ragtune"))
        self.setAcceptDrops(True)
        self.ctx = AppContext(
            svc=svc,
            index_lane=Lane("index", 1, self),
            model_lane=Lane("model", 1, self),
            reads=Lane("reads", 2, self),
            messages=Messages(self.statusBar(), self),
            settings=ui_settings(),
        )
        self._closed = False
        self._sizes_before_compare: list[int] | None = None
        self.indexer = IndexController(self.ctx, self)
        self.library_panel = LibraryPanel(self.ctx, self.indexer)
        self.chat_list = ChatList(self.ctx)
        self.model_panel = ModelPanel(self.ctx)
        self.chat_view = ChatView(
            self.ctx, self.model_panel.active_adapters, lambda: self.library_panel.current
        )
        self.source_viewer = SourceViewer(self.ctx)
        self.compare_view = CompareView(
            self.ctx, self.model_panel.active_adapters, lambda: self.library_panel.current
        )
        self.evaluate_view = EvaluateView(self.ctx, self.model_panel.active_adapters)
        self.finetune_view = FineTuneView(self.ctx)
        self.watcher = FolderWatcher(self)
        self._build()
        self._connect()
        lib = self.library_panel
        self.actions_by_name = install_actions(self, {
            "add_files": lib.prompt_add_files, "add_folder": lib.prompt_add_folder,
            "rescan": lib.rescan, "export": self.chat_view.prompt_export,
            "settings": self.open_settings, "new_chat": self.new_chat, "stop": self.stop,
            "compare": self.show_compare,
        })
        self._restore()
        self.model_panel.adapters.discover()  # shipped adapters and those trained by `ragtune train`
        self.library_panel.refresh_libraries()
        self.chat_list.refresh(select=self._saved_chat())
        self.ctx.messages.notice("Ready. Drop files or folders on the window to add them.")

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.setObjectName("leftSplitter")
        self.left.addWidget(self.library_panel)
        self.left.addWidget(self.chat_list)
        self.left.setStretchFactor(0, 3)
        self.left.setStretchFactor(1, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.source_viewer, "Sources")
        self.tabs.addTab(self.model_panel, icon("adapter"), "Model && adapters")
        self.tabs.addTab(self.compare_view, icon("compare"), "Compare")
        self.tabs.addTab(self.evaluate_view, icon("evaluate"), "Evaluate")
        self.tabs.addTab(self.finetune_view, icon("adapter"), "Fine-tune")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.chat_view)
        self.splitter.addWidget(self.tabs)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.setCentralWidget(self.splitter)

    def _connect(self) -> None:
        self.tabs.currentChanged.connect(self._tab_changed)
        self.library_panel.library_changed.connect(self._library_changed)
        self.library_panel.libraries_loaded.connect(self._libraries_loaded)
        self.chat_list.chat_selected.connect(self._chat_selected)
        self.chat_view.chat_created.connect(lambda chat_id: self.chat_list.refresh(select=chat_id))
        self.chat_view.chat_changed.connect(self.chat_list.update_chat)
        self.chat_view.answer_finished.connect(lambda _a: self.chat_list.refresh())
        self.chat_view.citation_clicked.connect(self.show_citation)
        for marking in (self.chat_view.marking, self.compare_view.marking):  # "From my chats" changed
            marking.marked.connect(self._marked)
        self.compare_view.citation_clicked.connect(self.show_citation)
        self.evaluate_view.citation_clicked.connect(self.show_citation)
        self.library_panel.library_changed.connect(self.evaluate_view.set_library)
        self.library_panel.library_changed.connect(self.finetune_view.set_library)
        self.finetune_view.adapter_trained.connect(self._adapter_trained)
        self.model_panel.model_loaded.connect(lambda _info: self.finetune_view.reload())  # its advice is per model
        self.finetune_view.bench_finished.connect(self._adapter_benched)
        self.model_panel.adapters.adapters_changed.connect(self.evaluate_view.refresh_adapters)
        self.library_panel.library_changed.connect(lambda name: self.chat_view.adapter_offer.show_offer(name, ""))
        self.library_panel.documents_loaded.connect(self._offer_adapter)
        self.model_panel.adapters.adapters_changed.connect(self._offer_adapter)
        self.chat_view.adapter_offer.accepted.connect(lambda _library: self.model_panel.adapters.turn_on_shipped())
        self.watcher.changed.connect(lambda library: self.indexer.index(library))

    # -- state ----------------------------------------------------------------------------------
    def _restore(self) -> None:
        s = self.ctx.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(*DEFAULT_SIZE)
        restored = False
        for key, splitter in (("window/main_splitter", self.splitter), ("window/left_splitter", self.left)):
            state = s.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                restored = splitter.restoreState(state) or restored
        if not restored:
            width = self.width()
            self.splitter.setSizes([int(width * 0.26), int(width * 0.44), int(width * 0.30)])
            height = self.height()
            self.left.setSizes([int(height * 0.68), int(height * 0.32)])  # documents before chats
        tab = s.value("window/tab", TAB_SOURCES)
        self.tabs.setCurrentIndex(int(str(tab)) if str(tab).isdigit() else TAB_SOURCES)

    def _saved_chat(self) -> int | None:
        value = self.ctx.settings.value("window/chat")
        return int(value) if value is not None and str(value).isdigit() else None

    def save_state(self) -> None:
        s = self.ctx.settings
        s.setValue("window/geometry", self.saveGeometry())
        if self._sizes_before_compare is not None:  # remember the layout without the widened pane
            widened = self.splitter.sizes()
            self.splitter.setSizes(self._sizes_before_compare)
            s.setValue("window/main_splitter", self.splitter.saveState())
            self.splitter.setSizes(widened)
        else:
            s.setValue("window/main_splitter", self.splitter.saveState())
        s.setValue("window/left_splitter", self.left.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        chat = self.chat_view.chat
        if chat is not None:
            s.setValue("window/chat", chat.id)
        else:
            s.remove("window/chat")
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and self.finetune_view.busy() and not self.ctx.messages.confirm(
            "Fine-tuning is running",
            "A training set, a training run or its bench is being made. Closing stops it; a training "
            "run keeps a checkpoint and Train with the same settings resumes it. Close Ragtune?",
        ):
            event.ignore()
            return
        if not self._closed:
            self._closed = True
            self.save_state()
            self.chat_view.stop()
            self.ctx.shutdown()
        super().closeEvent(event)

    # -- panels talking to each other ------------------------------------------------------------
    def _library_changed(self, name: str | None) -> None:
        # Qt appends the application's display name ("— Ragtune") to a window title by itself
        self.setWindowTitle(name or "Ragtune")
        if self.chat_view.chat is None:
            self.chat_view.set_chat(None)  # the empty chat's hints follow the library

    def _offer_adapter(self) -> None:
        """Offer the shipped adapter when the library holds instruction-like text (the core decides)."""
        stats, library = self.library_panel.stats, self.library_panel.current
        on = self.model_panel.adapters.shipped_on()
        text = adapter_offer(library, stats, on) if stats is not None and library else ""
        self.chat_view.adapter_offer.show_offer(library, text)

    def _adapter_trained(self, path: str) -> None:
        """A new adapter: into the adapters list, switched on (the panel says it applies to the next answer)."""
        self.model_panel.adapters.mark_seen(path)
        self.model_panel.adapters.add_adapter_file(path, percent=round(default_strength(path) * 100))

    def _marked(self, _outcome: object) -> None:
        """A mark changed a library's set \u201cFrom my chats\u201d: the tabs that list sets read them again."""
        self.evaluate_view.reload()
        self.finetune_view.reload()

    def _adapter_benched(self, record: RunRecord | None) -> None:
        if record is not None:  # the bench chose the adapter's strength: the list offers it at that
            for adapter in record.info.config.get("adapters", []):
                percent = round(float(adapter.get("strength", 1.0)) * 100)
                if self.model_panel.adapters.set_strength(str(adapter.get("file", "")), percent):
                    self.ctx.messages.notice(f"Adapter {adapter.get('file')} set to {percent} %, the strength it was judged at.")
        self.evaluate_view.reload()
        if record is not None:
            self.evaluate_view.show_run(record.info.id)

    def _libraries_loaded(self, infos: list[LibraryInfo]) -> None:
        self.watcher.watch({i.name: list(i.sources) for i in infos})

    def _chat_selected(self, chat: ChatInfo | None) -> None:
        self.chat_view.set_chat(chat)
        if chat is not None and chat.library and chat.library != self.library_panel.current:
            self.library_panel.select_library(chat.library)

    def show_citation(self, citation: Citation) -> None:
        self.tabs.setCurrentWidget(self.source_viewer)
        self.source_viewer.show_citation(citation)

    def new_chat(self) -> None:
        self.chat_list.new_chat(self.library_panel.current)
        self.chat_view.focus_input()

    def stop(self) -> None:
        """Esc: stop the answer or comparison being written."""
        stopped = self.chat_view.stop()
        if self.compare_view.running():
            self.compare_view.stop()
            stopped = True
        if not stopped:
            self.ctx.model_lane.cancel_current()

    def _tab_changed(self, index: int) -> None:
        """The comparison's columns need room: widen the right pane while it is open, and give
        the chat its width back after."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if index in (TAB_COMPARE, TAB_EVALUATE, TAB_FINETUNE) and total > 0:
            if self._sizes_before_compare is None:
                self._sizes_before_compare = sizes
            left = min(sizes[0], int(total * 0.22))
            chat = int(total * 0.2)
            self.splitter.setSizes([left, chat, total - left - chat])
        elif self._sizes_before_compare is not None:
            self.splitter.setSizes(self._sizes_before_compare)
            self._sizes_before_compare = None

    def show_compare(self) -> None:
        self.tabs.setCurrentWidget(self.compare_view)

    def open_settings(self) -> None:
        self.settings_dialog().exec()
        self.model_panel.show_engine()

    def settings_dialog(self) -> SettingsDialog:
        """The settings dialog, its confirmed re-index wired to :meth:`reindex_libraries`."""
        dialog = SettingsDialog(self.ctx, self)
        dialog.reindex_requested.connect(self.reindex_libraries)
        return dialog

    def reindex_libraries(self) -> None:
        """Read, split and embed every library again (after a chunking change): one index run
        each on the index lane, with progress and cancel like any other."""
        self.ctx.reads.submit(
            lambda job: self.ctx.svc.library.libraries(),
            on_result=lambda infos: [self.indexer.index(info.name, force=True) for info in infos],
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading libraries"),
            name="libraries to re-index",
        )

    # -- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def add_paths(self, paths: Sequence[str]) -> None:
        """Index documents and folders; hand GGUF files to the model panel."""
        dropped = split_paths(paths)
        if dropped.documents:
            self.library_panel.add_paths(dropped.documents)
            self.ctx.messages.notice(
                f"Adding {len(dropped.documents)} item(s) to "
                f"{self.library_panel.current}…"
            )
        for path in dropped.ggufs:
            self.ctx.reads.submit(
                partial(self._gguf_kind, path),
                on_result=partial(self._gguf_dropped, path),
                on_error=lambda exc: self.ctx.messages.error(exc, "Reading a GGUF file"),
                name="gguf kind",
            )
        if not dropped.documents and not dropped.ggufs:
            self.ctx.messages.notice("Nothing to add: the dropped items no longer exist.")

    def _gguf_kind(self, path: str, _job: object) -> str:
        return self.ctx.svc.models.gguf_kind(path)

    def _gguf_dropped(self, path: str, kind: str) -> None:
        self.tabs.setCurrentWidget(self.model_panel)
        if kind == "adapter":
            self.model_panel.add_adapter_file(path)
        else:
            self.model_panel.add_model_file(path)

