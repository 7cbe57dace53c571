"""Checking model files in a child process, and the registry of the user's models."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import gguf
import numpy as np
import pytest

from adapter_factory import make_lora
from ragtune import paths
from ragtune.core.generation import models
from ragtune.errors import ModelError


def _tiny_gguf(path: Path, arch: str) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_type("model")
    writer.add_tensor("token_embd.weight", np.zeros((16, 8), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_random_bytes_with_gguf_magic_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "random.gguf"
    bad.write_bytes(b"GGUF" + np.random.default_rng(0).bytes(200_000))
    with pytest.raises(ModelError, match="corrupt"):
        models.inspect_gguf(bad)


def test_random_bytes_after_a_valid_version_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "random3.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + np.random.default_rng(1).bytes(200_000))
    with pytest.raises(ModelError, match=r"claims .* metadata entries but the file is only 195 KB"):
        models.inspect_gguf(bad)


def test_truncated_copy_of_the_real_model_is_refused(tmp_path: Path, chat_model_path: Path) -> None:
    for size_mb in (4, 64):  # inside the header (vocabulary) / inside the tensor data
        cut = tmp_path / f"cut{size_mb}.gguf"
        with chat_model_path.open("rb") as src, cut.open("wb") as dst:
            dst.write(src.read(size_mb << 20))
        with pytest.raises(ModelError, match="truncated"):
            models.inspect_gguf(cut)


def test_text_file_named_gguf_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("these are my notes, not a model\n")
    with pytest.raises(ModelError, match="not a GGUF file"):
        models.inspect_gguf(text)


def test_adapter_given_as_model_is_refused(tmp_path: Path, chat_model_path: Path) -> None:
    lora = make_lora(tmp_path / "lora.gguf", chat_model_path, layers=[0])
    with pytest.raises(ModelError, match="is a LoRA adapter, not a model"):
        models.inspect_gguf(lora)


def test_unknown_architecture_is_refused_by_llama_cpp(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=re.escape("architecture mystery is not supported by this llama.cpp")):
        models.inspect_gguf(_tiny_gguf(tmp_path / "mystery.gguf", "mystery"))


def test_known_architecture_without_vocabulary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tokenizer"):
        models.inspect_gguf(_tiny_gguf(tmp_path / "novocab.gguf", "llama"))


def test_check_time_limit(chat_model_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.gguf"  # not in the per-process cache of checked files
    if chat_model_path.stat().st_dev == tmp_path.stat().st_dev:
        os.link(chat_model_path, copy)
    else:
        shutil.copyfile(chat_model_path, copy)
    with pytest.raises(ModelError, match=r"^checking copy.gguf took longer than 0.001 s and was stopped"):
        models.inspect_gguf(copy, timeout_s=0.001)


def test_memory_cap_is_enforced_in_the_child(chat_model_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "capped.gguf"
    copy.symlink_to(chat_model_path)
    with pytest.raises(ModelError, match=r"^checking capped.gguf needed more than \d+ MB of memory"):
        models.inspect_gguf(copy, memory_mb=1)


def test_real_model_is_described(chat_model_path: Path) -> None:
    info = models.inspect_gguf(chat_model_path)
    assert (info.architecture, info.context_length) == ("qwen2", 32768)
    assert info.size == chat_model_path.stat().st_size
    assert info.quantization


def test_registry_add_list_resolve_remove(tmp_path: Path, chat_model_path: Path) -> None:
    listed = models.list_models()
    assert listed[0].embedded
    assert len(listed) == 1
    mine = tmp_path / "my-model.gguf"
    mine.symlink_to(chat_model_path)
    added = models.add_model(mine)
    assert added.name == "my-model"
    assert not added.embedded
    assert models.add_model(mine).name == "my-model"  # adding again updates, never duplicates
    listed = models.list_models()
    assert [m.embedded for m in listed] == [True, False]
    assert listed[1].architecture == "qwen2"
    assert listed[1].path == str(mine)
    saved = json.loads((paths.data_dir() / "models.json").read_text())
    assert [m["name"] for m in saved["models"]] == ["my-model"]
    assert models.resolve_model("MY-MODEL") == mine
    assert models.resolve_model(None) == models.resolve_model("") == chat_model_path
    with pytest.raises(ModelError, match="no model named nothing"):
        models.resolve_model("nothing")
    with pytest.raises(ModelError, match="embedded default"):
        models.remove_model(listed[0].name)
    models.remove_model("my-model")
    assert len(models.list_models()) == 1
    with pytest.raises(ModelError, match="no model named my-model"):
        models.remove_model("my-model")


def test_corrupt_file_is_not_added(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelError):
        models.add_model(bad)
    assert len(models.list_models()) == 1
