"""read_gguf on small GGUF files written in the test: metadata, tensor table, refusals."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np
import psutil
import pytest

from gguf_bombs import kv_bomb
from ragtune.core.generation.gguf_info import MAX_ENTRIES, GGUFError, read_gguf


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


def _header(n_tensors: int, n_kv: int) -> bytes:
    return struct.pack("<4sIQQ", b"GGUF", 3, n_tensors, n_kv)


def test_counts_the_file_cannot_hold_are_refused_before_reading(tmp_path: Path) -> None:
    bomb = kv_bomb(tmp_path / "bomb.gguf", megabytes=16)  # 2^63 - 1 entries claimed, 16 MB of them
    before = psutil.Process().memory_info().rss
    with pytest.raises(GGUFError) as caught:
        read_gguf(bomb)
    assert str(caught.value) == (
        "bomb.gguf claims 9223372036854775807 metadata entries but the file is only 16 MB: "
        "not a valid GGUF file"
    )
    assert psutil.Process().memory_info().rss - before < 32 << 20  # the old reader took 3 GB
    tensors = tmp_path / "tensors.gguf"
    tensors.write_bytes(_header(2**40, 0) + b"\0" * 4096)
    with pytest.raises(GGUFError, match=r"^tensors.gguf claims 1099511627776 tensors but the file is only 4 KB"):
        read_gguf(tensors)


def test_more_entries_than_any_real_file_are_refused(tmp_path: Path) -> None:
    honest = kv_bomb(tmp_path / "many.gguf", megabytes=2, claimed=MAX_ENTRIES + 1)  # the file holds them
    with pytest.raises(GGUFError, match=r"claims 65,537 metadata entries, more than any real model"):
        read_gguf(honest)


def test_nested_arrays_are_refused(tmp_path: Path) -> None:
    nested = tmp_path / "nested.gguf"
    key = struct.pack("<Q", 1) + b"a"
    nested.write_bytes(_header(0, 1) + key + struct.pack("<IIQ", 9, 9, 2**40) + b"\0" * 4096)  # 9: ARRAY
    with pytest.raises(GGUFError, match="a metadata array holds arrays"):
        read_gguf(nested)
