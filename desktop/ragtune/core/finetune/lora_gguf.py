"""Write PEFT LoRA weights as a GGUF LoRA adapter that llama.cpp loads (``llama_adapter_lora_init``).

Layout (``../shared/notes/training.md``, checked against ``generation/adapters.py``, which repeats
llama.cpp's checks): metadata ``general.architecture`` (the base's), ``general.type`` = ``adapter``,
``adapter.type`` = ``lora``, ``adapter.lora.alpha`` (float32; llama.cpp scales by alpha / rank
times the strength, as PEFT does with ``lora_alpha / r``); tensors
``blk.N.{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight.lora_a`` of numpy shape
(rank, in) and ``.lora_b`` of shape (out, rank), f32: PEFT's ``lora_A`` / ``lora_B`` unchanged
(no q/k permutation for qwen2 or llama-style GGUFs made from HF weights). Ragtune's own keys:
``ragtune.base_sha256``, ``ragtune.training_set_sha256``, ``ragtune.split``,
``ragtune.hyperparameters`` (JSON), ``ragtune.created`` (ISO 8601, UTC).

The file is written to ``NAME.partial`` and renamed when complete: a full disk (or any write
error) removes the partial file, leaves an existing adapter of the same name untouched and raises
a TrainError that says so.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ragtune.core.finetune.train_types import TrainError

#: PEFT / transformers module names -> llama.cpp tensor names
PROJECTIONS = {
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
    "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
}
_PEFT_NAME = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])(?:\.\w+)?\.weight$")


def gguf_name(peft_name: str) -> str:
    """``...layers.3.self_attn.q_proj.lora_A.default.weight`` -> ``blk.3.attn_q.weight.lora_a``."""
    match = _PEFT_NAME.search(peft_name)
    if match is None or match.group(2) not in PROJECTIONS:
        raise TrainError(f"cannot export LoRA tensor {peft_name}: not a known projection of a layer")
    layer, module, which = match.groups()
    return f"blk.{layer}.{PROJECTIONS[module]}.weight.lora_{which.lower()}"


def gguf_tensors(state: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """PEFT's LoRA state dict (torch tensors or arrays) as llama.cpp's named f32 arrays."""
    out: dict[str, np.ndarray] = {}
    for name, value in state.items():
        array = value.detach().float().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
        out[gguf_name(name)] = np.ascontiguousarray(array, dtype=np.float32)
    return out


def _check(tensors: Mapping[str, np.ndarray], rank: int) -> None:
    if not tensors:
        raise TrainError("there are no LoRA weights to export")
    for name, array in tensors.items():
        if array.ndim != 2:
            raise TrainError(f"LoRA tensor {name} is not a matrix (shape {array.shape})")
        rank_at = 0 if name.endswith(".lora_a") else 1
        if array.shape[rank_at] != rank:
            raise TrainError(f"LoRA tensor {name} has shape {array.shape}, not rank {rank}")
        if not np.isfinite(array).all():
            raise TrainError(f"LoRA tensor {name} holds NaN or infinite values; the run diverged")
        pair = name[:-1] + ("b" if name.endswith("a") else "a")
        if pair not in tensors:
            raise TrainError(f"LoRA tensor {name} has no {pair}")


def write_lora_gguf(
    out: Path,
    tensors: Mapping[str, np.ndarray],
    *,
    architecture: str,
    alpha: float,
    rank: int,
    metadata: Mapping[str, str] | None = None,
    name: str | None = None,
) -> Path:
    """Write ``tensors`` (llama.cpp names -> f32 arrays) as a GGUF LoRA adapter at ``out``; the
    ``metadata`` strings are added as they are (``ragtune.*`` keys). Returns ``out``."""
    import gguf

    _check(tensors, rank)
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = gguf.GGUFWriter(str(partial), architecture)
        try:
            writer.add_string("general.type", "adapter")
            writer.add_string("general.name", name or out.stem)
            writer.add_string("adapter.type", "lora")
            writer.add_float32("adapter.lora.alpha", float(alpha))
            for key, value in (metadata or {}).items():
                writer.add_string(key, str(value))
            for tensor_name in sorted(tensors, key=_tensor_order):
                writer.add_tensor(tensor_name, tensors[tensor_name])
            writer.write_header_to_file()
            writer.write_kv_data_to_file()
            writer.write_tensors_to_file()
        finally:
            with contextlib.suppress(OSError):
                writer.close()
        os.replace(partial, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise TrainError(
                f"the disk is full: the adapter {out.name} could not be written to {out.parent} "
                f"(about {_size_mb(tensors):.0f} MB needed); free some space and export again; "
                "the training checkpoint is kept"
            ) from exc
        raise TrainError(f"the adapter {out.name} could not be written: {exc}") from exc
    return out


def _size_mb(tensors: Mapping[str, np.ndarray]) -> float:
    return sum(a.nbytes for a in tensors.values()) / 1e6


def _tensor_order(name: str) -> tuple[int, str]:
    match = re.match(r"blk\.(\d+)\.", name)
    return (int(match.group(1)) if match else -1, name)


def ragtune_metadata(
    base_sha256: str, training_set_sha256: str, hyperparameters: Mapping[str, Any], split: str = "train"
) -> dict[str, str]:
    """Ragtune's metadata keys of an adapter: what it was trained from, how and when."""
    return {
        "ragtune.base_sha256": base_sha256,
        "ragtune.training_set_sha256": training_set_sha256,
        "ragtune.split": split,
        "ragtune.hyperparameters": json.dumps(dict(hyperparameters), sort_keys=True),
        "ragtune.created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
