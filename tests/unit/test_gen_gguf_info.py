"""read_gguf on small GGUF files written in the test: metadata, tensor table, refusals."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from ragtune.core.generation.gguf_info import GGUFError, read_gguf


@pytest.fixture
def model(tmp_path: Path) -> Path:
    writer = gguf.GGUFWriter(str(tmp_path / "tiny.gguf"), "llama")
    writer.add_type("model")
    writer.add_name("Tiny Llama")
    writer.add_context_length(256)
    writer.add_file_type(int(gguf.LlamaFileType.MOSTLY_F16))
    writer.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(500)])
    writer.add_array("tokenizer.ggml.scores", [float(i) for i in range(500)])
    writer.add_array("general.tags", ["a", "b"])
    writer.add_tensor("token_embd.weight", np.zeros((500, 16), np.float16))
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((16, 16), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return tmp_path / "tiny.gguf"


def test_reads_header_metadata_and_tensor_table(model: Path) -> None:
    info = read_gguf(model)
    assert (info.general_type, info.architecture, info.name) == ("model", "llama", "Tiny Llama")
    assert info.context_length == 256
    assert info.quantization == "F16"
    assert info.version == 3
    assert info.tensors == {"token_embd.weight": (500, 16), "blk.0.attn_q.weight": (16, 16)}
    assert info.tensor_types == {"token_embd.weight": "F16", "blk.0.attn_q.weight": "F32"}
    assert info.size == model.stat().st_size == info.data_end
    assert info.metadata["tokenizer.ggml.tokens"] == {"array_of": "string", "length": 500}
    assert info.metadata["tokenizer.ggml.scores"] == {"array_of": "float32", "length": 500}
    assert info.metadata["general.tags"] == ["a", "b"]
    assert info.metadata_types["general.name"] == "STRING"
    assert info.metadata_types["tokenizer.ggml.tokens"] == "ARRAY[STRING]"


def test_truncated_tensor_data_is_reported_with_sizes(model: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(model.read_bytes()[:-100])
    with pytest.raises(GGUFError, match=r"truncated: cut.gguf has .* bytes but its tensors need"):
        read_gguf(cut)


def test_truncated_header_is_reported(model: Path, tmp_path: Path) -> None:
    cut = tmp_path / "head.gguf"
    cut.write_bytes(model.read_bytes()[:300])
    with pytest.raises(GGUFError, match="truncated"):
        read_gguf(cut)
    tiny = tmp_path / "magic.gguf"
    tiny.write_bytes(b"GGUF")
    with pytest.raises(GGUFError, match="truncated"):
        read_gguf(tiny)


def test_non_gguf_files_are_refused(tmp_path: Path) -> None:
    for name, data in (("empty.gguf", b""), ("text.gguf", b"hello"), ("zip.gguf", b"PK\x03\x04" * 10)):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(GGUFError, match="not a GGUF file"):
            read_gguf(path)
    with pytest.raises(GGUFError, match="cannot read"):
        read_gguf(tmp_path / "missing.gguf")
