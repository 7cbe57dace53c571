"""Downloads from the catalogue over a hub-like server on 127.0.0.1 (tests/hub_server.py): the real
``huggingface_hub`` client, real files, a dropped transfer, a resume after a stop, a corrupted
file refused, no connection, a full disk."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hub_server import HubState, hub_server
from ragtune import paths
from ragtune.core.catalogue import CatalogueEntry, find_entry
from ragtune.core.downloads import DownloadError, download_model
from ragtune.core.types import Progress
from ragtune.errors import Cancelled, DiskFullError, ModelError

REPO = "test-org/Tiny-GGUF"
#: larger than the client's default 10 MB read block, so a stop or a drop falls mid-file
SIZE = 34 * (1 << 20) + 12345


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs with HF_HUB_OFFLINE=1 (conftest); these tests talk to 127.0.0.1 only."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, HubState, CatalogueEntry]]:
    blob = tmp_path / "served.gguf"
    blob.write_bytes(b"GGUF" + os.urandom(SIZE - 4))
    with hub_server() as (url, state):
        state.add(REPO, "tiny.gguf", blob)
        entry = CatalogueEntry(name="Tiny", kind="chat", file="tiny.gguf", size=SIZE, repo=REPO)
        yield url, state, entry


def test_download_verifies_and_lands_in_the_models_folder(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, state, entry = hub
    seen: list[Progress] = []
    path = download_model(entry, progress=seen.append, endpoint=url)
    assert path == paths.downloaded_models_dir() / "tiny.gguf"
    assert path.read_bytes() == state.files[f"{REPO}/tiny.gguf"].read_bytes()
    assert not list(path.parent.glob("*.part"))
    assert not list(path.parent.glob("*.part.json"))
    assert seen[-1].stage == "verifying"
    assert any(p.stage == "downloading" and p.total == SIZE for p in seen)
    # a second call finds the verified file: no transfer
    state.requests.clear()
    assert download_model(entry, endpoint=url) == path
    assert state.ranges() == []


def test_a_dropped_transfer_resumes_with_a_range_request(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, state, entry = hub
    state.drop_after = 15 << 20
    path = download_model(entry, endpoint=url)
    assert path.read_bytes() == state.files[f"{REPO}/tiny.gguf"].read_bytes()
    assert state.ranges()[0] == ""
    assert state.ranges()[1].startswith("bytes=")
    assert int(state.ranges()[1][6:-1]) > 0


def test_a_stopped_download_resumes_after_a_restart(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, state, entry = hub
    cancel = threading.Event()

    def stop_midway(p: Progress) -> None:
        if p.stage == "downloading" and p.done > 0:  # the first report: one block in
            cancel.set()

    with pytest.raises(Cancelled, match="download it again to resume"):
        download_model(entry, progress=stop_midway, cancel=cancel, endpoint=url)
    part = paths.downloaded_models_dir() / "tiny.gguf.part"
    kept = part.stat().st_size
    assert 0 < kept < SIZE
    assert not (paths.downloaded_models_dir() / "tiny.gguf").exists()
    state.requests.clear()
    path = download_model(entry, endpoint=url)  # as after a restart: a new call, the part on disk
    assert state.ranges() == [f"bytes={kept}-"]
    assert path.read_bytes() == state.files[f"{REPO}/tiny.gguf"].read_bytes()


def test_a_corrupted_download_is_refused_and_deleted(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, state, entry = hub
    state.corrupt = True
    with pytest.raises(DownloadError, match="corrupted"):
        download_model(entry, endpoint=url)
    assert [p.name for p in paths.downloaded_models_dir().iterdir()] == ["tiny.gguf.part.lock"]


def test_a_pinned_sha256_wins_over_the_server(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, _state, entry = hub
    with pytest.raises(DownloadError, match="corrupted"):
        download_model(replace(entry, sha256="0" * 64), endpoint=url)


def test_no_connection_says_so_and_how_to_add_a_file() -> None:
    entry = find_entry("Qwen3 1.7B")
    with pytest.raises(DownloadError) as caught:
        download_model(entry, endpoint="http://127.0.0.1:9")  # nothing listens on port 9
    message = str(caught.value)
    assert "internet connection" in message
    assert "ragtune models add" in message


def test_offline_mode_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE"):
        download_model(find_entry("Qwen3 1.7B"), endpoint="http://127.0.0.1:9")


def test_a_missing_file_on_the_server_is_a_clear_refusal(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    url, _state, entry = hub
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_model(replace(entry, file="nope.gguf"), endpoint=url)


def test_not_enough_disk_is_refused_before_the_first_byte(
    hub: tuple[str, HubState, CatalogueEntry], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state, entry = hub
    monkeypatch.setattr("ragtune.core.downloads.free_disk_bytes", lambda _folder: 10 << 20)
    with pytest.raises(DiskFullError, match="Not enough disk space"):
        download_model(entry, endpoint=url)
    assert state.ranges() == []


@pytest.mark.parametrize(
    ("repo", "file"), [(REPO, "../escape.gguf"), (REPO, "sub/dir.gguf"), ("a/../b/c", "tiny.gguf")]
)
def test_a_catalogue_entry_cannot_reach_outside_the_models_folder(
    hub: tuple[str, HubState, CatalogueEntry], repo: str, file: str
) -> None:
    url, state, entry = hub
    with pytest.raises(ModelError, match="unsafe"):
        download_model(replace(entry, repo=repo, file=file), endpoint=url)
    assert state.requests == []


def test_one_download_of_a_file_at_a_time(hub: tuple[str, HubState, CatalogueEntry]) -> None:
    from filelock import FileLock

    url, _state, entry = hub
    lock = FileLock(str(paths.downloaded_models_dir() / "tiny.gguf.part.lock"))  # another window's
    with lock, pytest.raises(DownloadError, match="being downloaded already"):
        download_model(entry, endpoint=url)
    assert download_model(entry, endpoint=url).is_file()
