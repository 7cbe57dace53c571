"""The bundled app reads the chat model it carries in place (no 491 MB copy in the user's data
folder): found only when frozen, verified once, listed as the embedded model; a damaged one is
refused. The frozen state is what PyInstaller sets (``sys.frozen``, ``sys._MEIPASS``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ragtune import paths
from ragtune.core import embedded
from ragtune.core.generation import models
from ragtune.errors import ModelError


def _freeze(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(base), raising=False)


def test_a_pip_install_has_no_bundled_model() -> None:
    assert embedded.bundled_chat_model() is None


def test_the_bundled_model_is_read_in_place_and_is_the_embedded_model(
    chat_model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    carried = tmp_path / embedded.BUNDLED_MODELS / embedded.CHAT_MODEL_FILE
    carried.parent.mkdir()
    carried.symlink_to(chat_model_path)
    _freeze(monkeypatch, tmp_path)
    monkeypatch.setenv("RAGTUNE_MODELS_DIR", str(tmp_path / "models"))  # no stamp of an earlier run
    seen: list[str] = []
    assert embedded.ensure_chat_model(progress=lambda p: seen.append(p.current)) == carried
    assert seen  # hashed once ...
    seen.clear()
    assert embedded.ensure_chat_model(progress=lambda p: seen.append(p.current)) == carried
    assert seen == []  # ... then trusted by its stamp
    info = models.embedded_model_info()
    assert info.path == str(carried)
    assert models.known_name(carried) == (info.name, True)
    assert models.resolve_model(None) == carried
    assert not (paths.data_dir() / "models" / embedded.CHAT_MODEL_FILE).exists()


def test_a_damaged_bundled_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    carried = tmp_path / embedded.BUNDLED_MODELS / embedded.CHAT_MODEL_FILE
    carried.parent.mkdir()
    carried.write_bytes(b"GGUF" + bytes(1000))
    _freeze(monkeypatch, tmp_path)
    with pytest.raises(ModelError, match="damaged"):
        embedded.ensure_chat_model()
