"""``ragtune embedder``: list the choices for a library, refuse a switch nobody confirmed, download a
catalogue embedder from a hub-like server on 127.0.0.1 and switch a library to it, as a user does
(real processes, real files; the served files are the embedded model's, under the catalogue's
repository and file names for bge-small-en-v1.5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import ragtune
from hub_server import hub_server
from ragtune.core.catalogue import find_embedder
from ragtune.core.embedded import ensure_embedding_model


def make_docs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "otter.txt").write_text("The otter lives on river banks and eats fish.\n", encoding="utf-8")
    (folder / "ibex.txt").write_text("The ibex climbs steep alpine cliffs.\n", encoding="utf-8")
    return folder


def test_list_then_a_confirmed_switch_to_a_downloaded_embedder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ragtune("index", "-l", "notes", str(make_docs(tmp_path / "docs")))
    listed = json.loads(ragtune("embedder", "list", "-l", "notes", "--json").stdout)
    current = [m for m in listed["models"] if m["current"]]
    assert [m["model_id"] for m in current] == ["sentence-transformers/all-MiniLM-L6-v2-int8"]
    assert listed["languages"].get("en", 0) > 0.5
    assert {m["model_id"] for m in listed["models"]} >= {"BAAI/bge-small-en-v1.5", "BAAI/bge-base-en-v1.5"}

    entry = find_embedder("bge-small-en-v1.5")
    folder = ensure_embedding_model()
    with hub_server() as (url, state):
        state.add(entry.repo, "model_optimized.onnx", folder / "model.onnx")
        for name in ("tokenizer.json", "tokenizer_config.json", "config.json", "special_tokens_map.json"):
            state.add(entry.repo, name, folder / name, lfs=False)
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        refused = ragtune("embedder", "use", "bge-small-en-v1.5", "-l", "notes", check=False)
        assert refused.returncode == 1
        assert "Add --yes" in refused.stderr
        assert "2 passages will be embedded again" in refused.stdout
        assert "downloaded first" in refused.stdout
        assert state.ranges() == []  # nothing downloaded before the person agreed
        done = ragtune("embedder", "use", "bge-small-en-v1.5", "-l", "notes", "--yes")
    assert "now uses bge-small-en-v1.5 (int8 ONNX): 2 passages" in done.stdout
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    found = json.loads(ragtune("search", "-l", "notes", "--json", "Which animal climbs cliffs?").stdout)
    assert Path(found["hits"][0]["path"]).name == "ibex.txt"
    assert "uses BAAI/bge-small-en-v1.5 (384 dimensions)" in ragtune("doctor").stdout
    assert "2 chunks, embedder BAAI/bge-small-en-v1.5" in ragtune("libraries").stdout
    again = ragtune("embedder", "use", "bge-small-en-v1.5 (int8 ONNX)", "-l", "notes")
    assert "already uses" in again.stdout
