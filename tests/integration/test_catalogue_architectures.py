"""Every chat model of the catalogue has an architecture the pinned llama.cpp knows.

The weights cannot be downloaded here, so each architecture is checked with a GGUF file that holds
only its name: llama.cpp then gets past the architecture (to the missing vocabulary), where an
unknown one stops at once with "unknown model architecture". The control case proves the difference.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import pytest

from ragtune.core.catalogue import chat_models
from ragtune.core.generation import models
from ragtune.errors import ModelError


def _name_only_gguf(path: Path, architecture: str) -> Path:
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _llama_cpp_reason(path: Path, architecture: str) -> str:
    with pytest.raises(ModelError) as refused:  # no vocabulary and no tensors: never loads
        models._llama_vocab_check(str(path), architecture)
    return str(refused.value)


@pytest.mark.parametrize("architecture", sorted({m.architecture for m in chat_models()}))
def test_llama_cpp_knows_the_architecture(tmp_path: Path, architecture: str) -> None:
    reason = _llama_cpp_reason(_name_only_gguf(tmp_path / "probe.gguf", architecture), architecture)
    assert "not supported" not in reason
    assert "vocabulary" in reason  # it got past the architecture


def test_an_unknown_architecture_is_refused_by_name(tmp_path: Path) -> None:
    reason = _llama_cpp_reason(_name_only_gguf(tmp_path / "probe.gguf", "qwen99"), "qwen99")
    assert "architecture qwen99 is not supported by this llama.cpp" in reason
