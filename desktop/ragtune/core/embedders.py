"""The embedding models a library can use: the embedded one and the catalogue's downloadable ones,
their download (every file of the model, resumable and verified, by ``core.downloads``) and loading.

A downloaded embedder lives in ``paths.downloaded_models_dir()/embedders/<id>/`` with the
repository's layout, and is loaded the way the embedded one is: fastembed's ``TextEmbedding`` by its
name (fastembed's pooling and normalisation for that model) from that folder, offline.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ragtune import paths
from ragtune.core.catalogue import CatalogueEntry, embedding_models, safe_entry
from ragtune.core.downloads import DownloadError, FileJob, FileRefused, download_file
from ragtune.core.embedded import stamped
from ragtune.core.embedding import (
    DEFAULT_MODEL_ID,
    Embedder,
    FastEmbedder,
    load_default_embedder,
    plain_tokenizer,
)
from ragtune.core.types import ProgressCallback
from ragtune.errors import ModelError


class EmbedderNotInstalled(ModelError):
    """A library's embedding model is not on this machine (not downloaded, or its files are gone)."""


def folder_of(entry: CatalogueEntry) -> Path:
    return paths.downloaded_models_dir() / "embedders" / entry.model_id.replace("/", "--")


def _missing_marker(target: Path) -> Path:
    return target.with_name(target.name + ".absent")


def is_installed(entry: CatalogueEntry) -> bool:
    """Whether every file of ``entry`` is downloaded and verified."""
    if entry.embedded:
        return True
    folder = folder_of(entry)
    for name in entry.files:
        if not stamped(folder / name):
            return False
    return all(stamped(folder / n) or _missing_marker(folder / n).is_file() for n in entry.optional_files)


def download_embedder(
    entry: CatalogueEntry,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
) -> Path:
    """Download (or resume) every file of ``entry`` into its folder; returns the folder. An
    optional file the repository does not have is noted and skipped."""
    if not entry.downloadable or not entry.files:
        raise DownloadError(f"{entry.name} is not downloadable (it ships with Ragtune)")
    safe_entry(entry)
    folder = folder_of(entry)
    names = [*entry.files, *entry.optional_files]
    for number, name in enumerate(names, 1):
        target = folder / name
        if _missing_marker(target).is_file():
            continue
        job = FileJob(
            f"{entry.name} ({number}/{len(names)}: {name})", entry.repo, entry.revision, name, target,
            entry.sha256 if name == entry.files[0] else None,
        )
        try:
            download_file(job, progress, cancel, endpoint)
        except FileRefused as exc:
            if name not in entry.optional_files or exc.status != 404:
                raise
            _missing_marker(target).write_text("not in the repository\n", encoding="utf-8")
    return folder


_loaded: dict[str, Embedder] = {}  # by folder
_lock = threading.Lock()


def load_catalogue_embedder(entry: CatalogueEntry) -> Embedder:
    """A downloaded catalogue embedder, loaded once per process, offline."""
    key = str(folder_of(entry))
    with _lock:
        if key in _loaded:
            return _loaded[key]
        if not is_installed(entry):
            raise EmbedderNotInstalled(
                f"The embedding model {entry.name} is not downloaded on this machine. Download it "
                f"(the library's Embedder… button, or `ragtune embedder download {entry.model_id}`), or "
                "switch the library to another model."
            )
        from fastembed import TextEmbedding

        folder = folder_of(entry)
        try:
            model = TextEmbedding(
                model_name=entry.fastembed_name,
                specific_model_path=str(folder),
                threads=os.cpu_count() or 2,
                local_files_only=True,
            )
            tokenizer = plain_tokenizer(folder)
        except Exception as exc:  # onnxruntime/fastembed/tokenizers raise many kinds
            raise ModelError(
                f"Could not load the embedding model {entry.name} from {folder}: {exc}. Delete the "
                "folder and download it again."
            ) from exc
        embedder = FastEmbedder(
            model, entry.model_id, entry.dimension, tokenizer, entry.query_prefix, entry.passage_prefix
        )
        probe = next(iter(model.embed(["dimension probe"])))
        if len(probe) != entry.dimension:
            raise ModelError(
                f"The embedding model in {folder} gives vectors of {len(probe)} numbers, but "
                f"{entry.name} gives {entry.dimension}: the files are another model's. Delete the "
                "folder and download it again."
            )
        _loaded[key] = embedder
        return embedder


def entry_for(model_id: str) -> CatalogueEntry | None:
    """The catalogue's embedding model recorded as ``model_id``."""
    for entry in embedding_models():
        if entry.model_id == model_id:
            return entry
    return None


def load_by_id(model_id: str) -> Embedder:
    """The embedder a library recorded as ``model_id``: the embedded one, or a downloaded one."""
    if model_id == DEFAULT_MODEL_ID:
        return load_default_embedder()
    entry = entry_for(model_id)
    if entry is None:
        known = ", ".join(e.name for e in embedding_models())
        raise EmbedderNotInstalled(
            f"Ragtune's catalogue has no embedding model {model_id!r}; it has: {known}. A library "
            "embedded with it elsewhere can be switched to one of them (its Embedder… button, or "
            "`ragtune embedder use NAME --library LIBRARY`)."
        )
    return load_catalogue_embedder(entry)
