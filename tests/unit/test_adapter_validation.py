"""validate_adapter against a tiny model GGUF: every mismatch gets a plain reason (no llama.cpp)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import gguf
import numpy as np
import pytest

from ragtune.core.generation.adapters import validate_adapter
from ragtune.errors import AdapterError

# numpy order (out, in): n_embd 8, vocab 32, 4 key/value columns
MODEL_TENSORS = {
    "token_embd.weight": (32, 8),
    "blk.0.attn_norm.weight": (8,),
    "blk.0.attn_q.weight": (8, 8),
    "blk.0.attn_k.weight": (4, 8),
}


@pytest.fixture
def model(tmp_path: Path) -> Path:
    writer = gguf.GGUFWriter(str(tmp_path / "model.gguf"), "qwen2")
    writer.add_type("model")
    writer.add_context_length(128)
    for name, shape in MODEL_TENSORS.items():
        writer.add_tensor(name, np.zeros(shape, np.float32))
    _finish(writer)
    return tmp_path / "model.gguf"


def _finish(writer: gguf.GGUFWriter) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


Tweak = Callable[[gguf.GGUFWriter], None]


def _adapter(
    path: Path,
    tensors: Mapping[str, tuple[int, ...]],
    *,
    arch: str = "qwen2",
    general_type: str = "adapter",
    adapter_type: str = "lora",
    alpha: Tweak | None = None,
    dtype: type[np.floating] = np.float32,
) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_type(general_type)
    writer.add_string("adapter.type", adapter_type)
    if alpha is None:
        writer.add_float32("adapter.lora.alpha", 16.0)
    else:
        alpha(writer)
    for name, shape in tensors.items():
        writer.add_tensor(name, np.full(shape, 0.01, dtype))
    _finish(writer)
    return path


GOOD = {
    "blk.0.attn_q.weight.lora_a": (2, 8),
    "blk.0.attn_q.weight.lora_b": (8, 2),
    "blk.0.attn_k.weight.lora_a": (2, 8),
    "blk.0.attn_k.weight.lora_b": (4, 2),
}


def test_good_adapter_passes(tmp_path: Path, model: Path) -> None:
    info = validate_adapter(_adapter(tmp_path / "good.gguf", GOOD), model)
    assert (info.architecture, info.alpha, info.tensors, info.name) == ("qwen2", 16.0, 2, "good")


def test_f16_adapter_and_ignored_norm_vectors_pass(tmp_path: Path, model: Path) -> None:
    tensors = {**GOOD, "blk.0.attn_norm.weight": (8,)}
    assert validate_adapter(_adapter(tmp_path / "f16.gguf", tensors, dtype=np.float16), model).tensors == 2


def test_token_embedding_adapter_uses_flipped_shapes(tmp_path: Path, model: Path) -> None:
    flipped = {"token_embd.weight.lora_a": (32, 2), "token_embd.weight.lora_b": (8, 2)}
    assert validate_adapter(_adapter(tmp_path / "embd.gguf", flipped), model).tensors == 1
    plain = {"token_embd.weight.lora_a": (2, 8), "token_embd.weight.lora_b": (32, 2)}
    with pytest.raises(AdapterError, match="do not fit the model's"):
        validate_adapter(_adapter(tmp_path / "embd2.gguf", plain), model)


@pytest.mark.parametrize(
    ("tensors", "kwargs", "reason"),
    [
        (GOOD, {"arch": "llama"}, "made for llama, the loaded model is qwen2"),
        (GOOD, {"general_type": "model"}, "is a model file, not a LoRA adapter"),
        (GOOD, {"adapter_type": "control_vector"}, "only LoRA adapters are supported"),
        (GOOD, {"alpha": lambda w: w.add_int32("adapter.lora.alpha", 16)}, "alpha must be a float32"),
        ({"blk.0.attn_q.weight.lora_a": (2, 8)}, {}, "blk.0.attn_q.weight: the adapter has no lora_b"),
        (
            {"blk.7.attn_q.weight.lora_a": (2, 8), "blk.7.attn_q.weight.lora_b": (8, 2)},
            {},
            "blk.7.attn_q.weight: the model has no such tensor",
        ),
        (
            {"blk.0.attn_q.weight.lora_a": (2, 9), "blk.0.attn_q.weight.lora_b": (8, 2)},
            {},
            "blk.0.attn_q.weight: adapter expects 9 columns, model has 8",
        ),
        (
            {"blk.0.attn_k.weight.lora_a": (2, 8), "blk.0.attn_k.weight.lora_b": (5, 2)},
            {},
            "blk.0.attn_k.weight: adapter expects 5 rows, model has 4",
        ),
        (
            {"blk.0.attn_q.weight.lora_a": (2, 8), "blk.0.attn_q.weight.lora_b": (8, 3)},
            {},
            "lora_a has rank 2 but lora_b has rank 3",
        ),
        ({**GOOD, "blk.0.attn_q.bias": (8,)}, {}, "blk.0.attn_q.bias is not a LoRA tensor"),
        ({"blk.0.attn_norm.weight": (8,)}, {}, "contains no LoRA tensors"),
    ],
)
def test_mismatches_are_explained(
    tmp_path: Path, model: Path, tensors: dict[str, tuple[int, ...]], kwargs: dict[str, object], reason: str
) -> None:
    bad = _adapter(tmp_path / "bad.gguf", tensors, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(AdapterError, match=reason):
        validate_adapter(bad, model)


def test_unreadable_files_are_explained(tmp_path: Path, model: Path) -> None:
    with pytest.raises(AdapterError, match="not found"):
        validate_adapter(tmp_path / "missing.gguf", model)
    text = tmp_path / "text.gguf"
    text.write_text("not an adapter")
    with pytest.raises(AdapterError, match="not a usable adapter: not a GGUF file"):
        validate_adapter(text, model)
    good = _adapter(tmp_path / "good.gguf", GOOD)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(good.read_bytes()[:-40])
    with pytest.raises(AdapterError, match="truncated"):
        validate_adapter(cut, model)
