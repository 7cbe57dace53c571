"""validate_adapter refuses adapters whose tensors (or alpha) hold NaN or infinity, in every tensor
type LoRA loading takes (F32, F16, BF16, Q8_0), against a tiny model GGUF (no llama.cpp)."""

from __future__ import annotations

import math
from pathlib import Path

import gguf
import numpy as np
import pytest

from ragtune.core.generation import tensor_values
from ragtune.core.generation.adapters import validate_adapter
from ragtune.core.generation.gguf_info import read_gguf
from ragtune.errors import AdapterError

Q_TYPE = {
    "F32": gguf.GGMLQuantizationType.F32,
    "F16": gguf.GGMLQuantizationType.F16,
    "BF16": gguf.GGMLQuantizationType.BF16,
    "Q8_0": gguf.GGMLQuantizationType.Q8_0,
}


def _write(writer: gguf.GGUFWriter) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.fixture
def model(tmp_path: Path) -> Path:
    writer = gguf.GGUFWriter(str(tmp_path / "model.gguf"), "qwen2")
    writer.add_type("model")
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((64, 64), np.float32))
    _write(writer)
    return tmp_path / "model.gguf"


def _adapter(path: Path, kind: str = "F32", bad: float | None = None, alpha: float = 16.0) -> Path:
    """A rank-32 LoRA for blk.0.attn_q.weight (64 x 64) stored as ``kind`` (Q8_0 blocks are 32
    values of a row); ``bad`` goes in lora_b."""
    rng = np.random.default_rng(0)
    lora_a = rng.normal(0, 0.05, (32, 64)).astype(np.float32)
    lora_b = rng.normal(0, 0.05, (64, 32)).astype(np.float32)
    if bad is not None:
        lora_b[40, 17] = bad
    writer = gguf.GGUFWriter(str(path), "qwen2")
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", alpha)
    for name, values in (("lora_a", lora_a), ("lora_b", lora_b)):
        with np.errstate(invalid="ignore"):  # quantizing a NaN or infinity warns
            data = gguf.quants.quantize(values, Q_TYPE[kind])
        raw = Q_TYPE[kind] if kind in ("BF16", "Q8_0") else None
        writer.add_tensor(f"blk.0.attn_q.weight.{name}", data, raw_dtype=raw)
    _write(writer)
    return path


@pytest.mark.parametrize("kind", ["F32", "F16", "BF16", "Q8_0"])
def test_finite_adapters_pass_in_every_type(tmp_path: Path, model: Path, kind: str) -> None:
    assert validate_adapter(_adapter(tmp_path / "ok.gguf", kind), model).tensors == 1


@pytest.mark.parametrize("kind", ["F32", "F16", "BF16", "Q8_0"])
@pytest.mark.parametrize(("bad", "word"), [(math.nan, "NaN"), (math.inf, "infinite"), (-math.inf, "infinite")])
def test_nan_and_infinity_are_refused_in_every_type(
    tmp_path: Path, model: Path, kind: str, bad: float, word: str
) -> None:
    broken = _adapter(tmp_path / "broken.gguf", kind, bad)
    assert read_gguf(broken).tensor_types["blk.0.attn_q.weight.lora_b"] == kind
    with pytest.raises(AdapterError, match=f"broken.gguf: tensor blk.0.attn_q.weight.lora_b holds {word} values"):
        validate_adapter(broken, model)


def test_large_values_that_are_finite_pass(tmp_path: Path, model: Path) -> None:
    assert validate_adapter(_adapter(tmp_path / "big.gguf", "F16", 65504.0), model).tensors == 1


def test_values_are_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value past the first chunk is still found (chunking keeps memory small on big files)."""
    broken = _adapter(tmp_path / "broken.gguf", "F32", math.nan)
    monkeypatch.setattr(tensor_values, "CHUNK_BYTES", 64)
    assert tensor_values.nonfinite(broken, read_gguf(broken)) == ("blk.0.attn_q.weight.lora_b", "NaN")


@pytest.mark.parametrize("alpha", [math.nan, math.inf])
def test_nan_or_infinite_alpha_is_refused(tmp_path: Path, model: Path, alpha: float) -> None:
    with pytest.raises(AdapterError, match=r"adapter.lora.alpha is (nan|inf), not a usable number"):
        validate_adapter(_adapter(tmp_path / "alpha.gguf", alpha=alpha), model)


def test_a_file_cut_after_its_header_was_read_is_reported(tmp_path: Path) -> None:
    ok = _adapter(tmp_path / "ok.gguf")
    info = read_gguf(ok)
    ok.write_bytes(ok.read_bytes()[:-64])
    with pytest.raises(ValueError, match="does not fit in the file"):
        tensor_values.nonfinite(ok, info)
