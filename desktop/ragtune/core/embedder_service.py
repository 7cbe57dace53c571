"""``LibraryEmbedders`` (``svc.library.embedders``): which embedding model each library uses, the
catalogue's others with what they offer, their download, and switching a library to one.

Switching is a settings change that needs a re-index of the vectors: ``plan`` says what it will do
before anything is written (the library's model and dimension against the new one's, how many
passages, whether a download is needed first, how much of an earlier switch can be resumed);
``change`` does it under the library's index lock (``core.reembed``). A library never mixes two
models, and a search always embeds the question with the library's own model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ragtune.core import embedders
from ragtune.core.catalogue import embedder_called, embedding_models
from ragtune.core.embedder_types import EmbedderOption, EmbedderPlan, LanguageMix, ReembedReport
from ragtune.core.embedding import Embedder
from ragtune.core.languages import language_mix
from ragtune.core.reembed import reembed
from ragtune.core.store import db, index_lock
from ragtune.core.store import library_vectors as lv
from ragtune.core.store.database import Database
from ragtune.core.store.db import transaction
from ragtune.core.store.library import LibraryStore
from ragtune.core.store.vectors import VectorTables
from ragtune.core.types import ProgressCallback
from ragtune.errors import ModelError, RagtuneError

#: passages sampled to name a library's languages
LANGUAGE_SAMPLE = 200


class LibraryEmbedders:
    """The embedding models of the libraries of one database (a connection per thread)."""

    def __init__(
        self,
        database: Database,
        default: Callable[[], Embedder],
        loader: Callable[[str], Embedder] = embedders.load_by_id,
    ) -> None:
        self._database = database
        self._default = default
        self._loader = loader
        self._loaded: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def _store(self) -> LibraryStore:
        return LibraryStore(self._database.connection())

    def of(self, library_id: int) -> Embedder:
        """The embedder of ``library_id``'s vectors (the default one before its first index)."""
        return self.for_tables(lv.tables_of(self._database.connection(), library_id))

    def for_tables(self, tables: VectorTables | None) -> Embedder:
        """The embedder whose vectors ``tables`` hold (the default one for none yet)."""
        default = self._default()
        if tables is None or tables.model == default.model_id:
            return default
        return self.load(tables.model)

    def load(self, model_id: str) -> Embedder:
        """The embedder recorded as ``model_id``, loaded once per session."""
        default = self._default()
        if model_id == default.model_id:
            return default
        with self._lock:
            if model_id not in self._loaded:
                self._loaded[model_id] = self._loader(model_id)
            return self._loaded[model_id]

    def resolve(self, model: str) -> str:
        """The model id of ``model`` (a catalogue name, model id or fastembed name; else as given)."""
        for entry in embedding_models():
            if embedder_called(entry, model):
                return entry.model_id
        return model

    def options(self, library: str | None = None, mix: LanguageMix | None = None) -> list[EmbedderOption]:
        """The catalogue's embedding models, with the library's own marked and, for a library whose
        text is mostly not English (``mix``: its languages, read when not given), the multilingual
        one recommended (else the embedded one)."""
        current = self.plan_current(library) if library else None
        if mix is None and library:
            mix = self.languages(library)
        build = None
        if library:
            store = self._store()
            build = lv.build_of(store.conn, store.library_id(library))
        wants_multilingual = mix is not None and mix.mostly_not_english
        found: list[EmbedderOption] = []
        for entry in embedding_models():
            recommended = entry.multilingual if wants_multilingual else entry.embedded
            unfinished = (build.done, build.total) if build and build.tables.model == entry.model_id else None
            found.append(EmbedderOption(entry.model_id, entry.name, entry, embedders.is_installed(entry),
                                        entry.model_id == current, recommended, unfinished))
        if current and all(o.model_id != current for o in found):
            found.append(EmbedderOption(current, current, None, True, True))
        return found

    def plan_current(self, library: str) -> str | None:
        """The model id of ``library``'s vectors (None before its first index)."""
        store = self._store()
        tables = lv.tables_of(store.conn, store.library_id(library))
        return None if tables is None else tables.model

    def languages(self, library: str) -> LanguageMix:
        """The languages of a sample of the library's passages."""
        store = self._store()
        return language_mix(lv.sample_texts(store.conn, store.library_id(library), LANGUAGE_SAMPLE))

    def plan(self, library: str, model: str) -> EmbedderPlan:
        """What switching ``library`` to ``model`` would do; nothing is written."""
        store = self._store()
        lib_id = store.library_id(library)
        model_id = self.resolve(model)
        entry = embedders.entry_for(model_id)
        # a model the catalogue does not list is the loader's to find (it says so when it cannot)
        dim = entry.dimension if entry is not None and entry.dimension else self.load(model_id).dim
        tables = lv.tables_of(store.conn, lib_id)
        build = lv.build_of(store.conn, lib_id)
        passages = store.stats(lib_id).chunks
        resumable = build.done if build is not None and build.tables.model == model_id else 0
        unfinished = build.tables.model if build is not None and build.tables.model != model_id else ""
        return EmbedderPlan(
            library, None if tables is None else tables.model, 0 if tables is None else tables.dim,
            model_id, entry.name if entry else model_id, dim, passages, resumable,
            needs_download=entry is not None and not embedders.is_installed(entry),
            download_bytes=entry.size if entry is not None else 0,
            unfinished_switch=unfinished,
        )

    def download(
        self, model: str, progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
        endpoint: str | None = None,
    ) -> Path:
        """Download (or resume) a catalogue embedding model; returns its folder."""
        entry = embedders.entry_for(self.resolve(model))
        if entry is None:
            raise ModelError(f"There is no embedding model called {model!r} in the catalogue.")
        if entry.embedded:
            raise ModelError(f"{entry.name} ships with Ragtune: there is nothing to download.")
        return embedders.download_embedder(entry, progress, cancel, endpoint)

    def change(
        self, library: str, model: str, progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ReembedReport:
        """Switch ``library`` to ``model``: every passage embedded again into new tables, swapped in
        at the end (``core.reembed``). A model not downloaded yet is refused (download it first)."""
        plan = self.plan(library, model)
        if plan.unchanged:
            if plan.unfinished_switch:
                return self._drop_switch(library, plan)
            raise RagtuneError(f"Library {library!r} already uses {plan.new_name}.")
        if plan.needs_download:
            raise embedders.EmbedderNotInstalled(
                f"{plan.new_name} is not downloaded yet: download it first "
                f"(`ragtune embedder download {plan.new_model}`)."
            )
        embedder = self.load(plan.new_model)
        store = self._store()
        db.require_writable(store.conn)
        lib_id = store.library_id(library)
        with index_lock.library_lock(self._database.db_path, lib_id, library, progress, cancel) as held:
            if not held:
                return ReembedReport(library, plan.new_model, 0, plan.passages, 0, 0.0, cancelled=True)
            return reembed(store.conn, lib_id, library, embedder, progress, cancel)

    def _drop_switch(self, library: str, plan: EmbedderPlan) -> ReembedReport:
        """Keep the library's model: forget an unfinished switch to another and its tables."""
        store = self._store()
        db.require_writable(store.conn)
        lib_id = store.library_id(library)
        with index_lock.library_lock(self._database.db_path, lib_id, library, wait=False), \
                transaction(store.conn):
            lv.discard_build(store.conn, lib_id)
        return ReembedReport(library, plan.new_model, 0, plan.passages, 0, 0.0,
                             dropped_switch=plan.unfinished_switch)
