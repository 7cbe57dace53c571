"""The GGUF LoRA export (core/finetune/lora_gguf.py): names, shapes, metadata; a full disk."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest

from ragtune.core.finetune import lora_gguf
from ragtune.core.finetune.train_types import TrainError, TrainOptions
from ragtune.core.generation.gguf_info import read_gguf

RANK, HIDDEN, FFN = 4, 16, 40
SHAPES = {"q_proj": (HIDDEN, HIDDEN), "k_proj": (8, HIDDEN), "v_proj": (8, HIDDEN),
          "o_proj": (HIDDEN, HIDDEN), "gate_proj": (FFN, HIDDEN), "up_proj": (FFN, HIDDEN),
          "down_proj": (HIDDEN, FFN)}


def _peft_state(layers: int = 2) -> dict[str, np.ndarray]:
    """A PEFT-style LoRA state dict: lora_A (r, in), lora_B (out, r)."""
    rng = np.random.default_rng(0)
    state: dict[str, np.ndarray] = {}
    for layer in range(layers):
        for module, (out, inp) in SHAPES.items():
            group = "self_attn" if module.endswith(("q_proj", "k_proj", "v_proj", "o_proj")) else "mlp"
            prefix = f"base_model.model.model.layers.{layer}.{group}.{module}"
            state[f"{prefix}.lora_A.weight"] = rng.standard_normal((RANK, inp)).astype(np.float32)
            state[f"{prefix}.lora_B.weight"] = rng.standard_normal((out, RANK)).astype(np.float32)
    return state


def test_export_names_shapes_and_metadata(tmp_path: Path) -> None:
    tensors = lora_gguf.gguf_tensors(_peft_state())
    meta = lora_gguf.ragtune_metadata("ab" * 32, "cd" * 32, TrainOptions(rank=RANK).hyperparameters())
    out = lora_gguf.write_lora_gguf(tmp_path / "style.gguf", tensors, architecture="qwen2",
                                    alpha=8.0, rank=RANK, metadata=meta)
    info = read_gguf(out)
    assert info.architecture == "qwen2"
    assert info.general_type == "adapter"
    assert info.metadata["adapter.type"] == "lora"
    assert info.metadata_types["adapter.lora.alpha"] == "FLOAT32"
    assert info.metadata["adapter.lora.alpha"] == 8.0
    assert info.metadata["ragtune.base_sha256"] == "ab" * 32
    assert info.metadata["ragtune.training_set_sha256"] == "cd" * 32
    assert info.metadata["ragtune.split"] == "train"
    assert json.loads(str(info.metadata["ragtune.hyperparameters"]))["rank"] == RANK
    assert str(info.metadata["ragtune.created"])[:2] == "20"
    assert len(info.tensors) == 2 * 7 * 2
    assert info.tensors["blk.1.attn_q.weight.lora_a"] == (RANK, HIDDEN)
    assert info.tensors["blk.1.attn_q.weight.lora_b"] == (HIDDEN, RANK)
    assert info.tensors["blk.0.ffn_down.weight.lora_a"] == (RANK, FFN)
    assert info.tensors["blk.0.ffn_down.weight.lora_b"] == (HIDDEN, RANK)
    assert info.tensors["blk.0.attn_output.weight.lora_a"] == (RANK, HIDDEN)
    assert {info.tensor_types[n] for n in info.tensors} == {"F32"}
    assert not (tmp_path / "style.gguf.partial").exists()


def test_peft_names_map_to_llama_cpp_names() -> None:
    assert lora_gguf.gguf_name("base_model.model.model.layers.12.mlp.up_proj.lora_B.default.weight") \
        == "blk.12.ffn_up.weight.lora_b"
    with pytest.raises(TrainError, match="lm_head"):
        lora_gguf.gguf_name("base_model.model.lm_head.lora_A.weight")


def test_nan_weights_are_refused(tmp_path: Path) -> None:
    tensors = lora_gguf.gguf_tensors(_peft_state(1))
    tensors["blk.0.attn_q.weight.lora_a"][0, 0] = np.nan
    with pytest.raises(TrainError, match="NaN"):
        lora_gguf.write_lora_gguf(tmp_path / "x.gguf", tensors, architecture="qwen2", alpha=8, rank=RANK)
    assert list(tmp_path.iterdir()) == []


def test_full_disk_leaves_no_partial_and_keeps_the_old_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gguf

    out = tmp_path / "style.gguf"
    out.write_bytes(b"the previous adapter")

    def full(self: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensors_to_file", full)
    with pytest.raises(TrainError, match="disk is full"):
        lora_gguf.write_lora_gguf(out, lora_gguf.gguf_tensors(_peft_state(1)), architecture="qwen2",
                                  alpha=8, rank=RANK)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["style.gguf"]
    assert out.read_bytes() == b"the previous adapter"
