"""Training advice: which models the trainer loads, in which number format, and what fits in memory."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from ragtune.core.finetune.train_fit import (
    HEADROOM_GB,
    WEIGHT_FACTOR,
    needs_gb,
    trainable_architectures,
    training_fit,
)
from ragtune.core.finetune.train_precision import (
    BFLOAT16,
    FLOAT32,
    Precision,
    choose_precision,
    cpu_has_bfloat16,
)

GB = 1_000_000_000
F32 = Precision(FLOAT32, "")
B16 = Precision(BFLOAT16, "")


def _gguf(path: Path, architecture: str, rows: int = 1000) -> Path:
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_name("Tiny test model")
    writer.add_tensor("token_embd.weight", np.zeros((rows, 1000), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_precision_follows_what_the_device_computes_in() -> None:
    assert choose_precision("auto", "cpu", cpu_bf16=True).name == BFLOAT16
    old_cpu = choose_precision("auto", "cpu", cpu_bf16=False)
    assert old_cpu.name == FLOAT32
    assert "no native bfloat16" in old_cpu.reason
    assert choose_precision("auto", "cuda", cuda_bf16=True).name == BFLOAT16
    assert choose_precision("auto", "mps").name == FLOAT32
    assert choose_precision("float32", "cpu", cpu_bf16=True).name == FLOAT32  # the person's word wins
    assert "slow" in choose_precision("bfloat16", "cpu", cpu_bf16=False).reason
    with pytest.raises(ValueError, match="unknown precision"):
        choose_precision("fp8", "cpu")


def test_cpu_flags_are_read_without_torch(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu sse2 avx2 avx512f avx512_bf16\n", encoding="utf-8")
    assert cpu_has_bfloat16(info)
    info.write_text("processor : 0\nflags : fpu sse2 avx2 avx512f avx512bw\n", encoding="utf-8")
    assert not cpu_has_bfloat16(info)  # AVX-512 alone emulates bfloat16: float32 is faster there
    info.write_text("processor : 0\nflags : fpu amx_bf16 amx_tile\n", encoding="utf-8")
    assert cpu_has_bfloat16(info)


def test_bfloat16_halves_the_weights_share_of_the_estimate() -> None:
    two_b = 2_000_000_000
    weights_f32 = two_b * 4 * WEIGHT_FACTOR / 1e9
    assert needs_gb(two_b, F32) - needs_gb(two_b, B16) == pytest.approx(weights_f32 / 2, abs=0.11)
    assert needs_gb(two_b, B16) < 16 - HEADROOM_GB < needs_gb(two_b, F32)  # a 16 GB laptop: bf16 only


def test_a_model_transformers_reads_gets_its_memory_verdict(tmp_path: Path) -> None:
    model = _gguf(tmp_path / "tiny.gguf", "qwen3")
    fit = training_fit(model, 16 * GB, B16, frozenset({"qwen2", "qwen3"}))
    assert fit.can_load
    assert fit.fits
    assert fit.parameters == 1_000_000
    assert "The trainer can load Tiny test model (qwen3, 1M parameters)" in fit.text
    assert "fits this machine's 16 GB" in fit.text
    small = training_fit(model, int(4 * GB), B16, frozenset({"qwen3"}))
    assert not small.fits
    assert "does not fit" in small.text


def test_an_architecture_transformers_cannot_read_is_named(tmp_path: Path) -> None:
    fit = training_fit(_gguf(tmp_path / "new.gguf", "qwen35"), 64 * GB, B16, frozenset({"qwen2", "qwen3"}))
    assert not fit.can_load
    assert not fit.fits
    assert "cannot load Tiny test model" in fit.text
    assert "qwen35" in fit.text
    assert "qwen2, qwen3" in fit.text


def test_without_the_training_extra_the_advice_says_so(tmp_path: Path) -> None:
    fit = training_fit(_gguf(tmp_path / "tiny.gguf", "qwen3"), 16 * GB, B16, None)
    assert "known once the training extra is installed" in fit.text


def test_a_broken_file_is_advice_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF\x03\x00")
    fit = training_fit(broken, 16 * GB, B16, frozenset({"qwen2"}))
    assert not fit.can_load
    assert "cannot be read" in fit.text


def test_the_trainable_architectures_come_from_transformers() -> None:
    found = trainable_architectures()
    assert found is not None  # the test environment has the train extra
    assert {"qwen2", "qwen3", "llama", "phi3", "gemma3"} <= found
    assert "general" not in found
    assert "tokenizer" not in found
