"""Make small, real GGUF LoRA adapter files for tests and benchmarks (a helper, not a test).

The files are what llama.cpp's ``convert_lora_to_gguf.py`` writes: ``general.type = adapter``,
``adapter.type = lora``, ``adapter.lora.alpha`` (float32), ``general.architecture`` of the base, and
for each targeted weight ``W`` of shape (out, in) (numpy order) a pair ``W.lora_a`` (rank, in) and
``W.lora_b`` (out, rank). Weights are random (seeded) rather than trained, with a magnitude large
enough to change a greedy answer of the embedded 0.5B model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gguf
import numpy as np

from ragtune.core.generation.gguf_info import read_gguf

DEFAULT_MAGNITUDE = 0.04  # coherent but visibly different answers from the 0.5B model


def make_lora(
    path: str | Path,
    model_path: str | Path,
    *,
    rank: int = 4,
    alpha: float = 8.0,
    seed: int = 0,
    magnitude: float = DEFAULT_MAGNITUDE,
    targets: Sequence[str] = ("attn_q", "attn_v"),
    layers: Sequence[int] | None = None,
    architecture: str | None = None,
    wrong_shape: bool = False,
    dtype: type[np.floating] = np.float32,
    bad_value: float | None = None,
) -> Path:
    """Write a LoRA adapter for the model at ``model_path`` and return its path.

    ``layers`` None means every block; ``architecture`` overrides the base's (to make a mismatch);
    ``wrong_shape`` gives the first pair one input column too many (so it fits no weight);
    ``bad_value`` (NaN, infinity) replaces one value of the last ``lora_b`` (a broken adapter).
    """
    base = read_gguf(model_path)
    arch = architecture or base.architecture
    n_layers = int(base.metadata.get(f"{base.architecture}.block_count", 0))
    blocks = list(range(n_layers)) if layers is None else list(layers)
    rng = np.random.default_rng(seed)
    out_path = Path(path)
    writer = gguf.GGUFWriter(str(out_path), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    writer.add_name(out_path.stem)
    first = True
    pairs: list[tuple[str, np.ndarray, np.ndarray]] = []
    for block in blocks:
        for target in targets:
            name = f"blk.{block}.{target}.weight"
            if name not in base.tensors:
                raise ValueError(f"the model has no tensor {name}")
            n_out, n_in = base.tensors[name]
            if wrong_shape and first:
                n_in += 1
            first = False
            lora_a = rng.normal(0.0, magnitude, size=(rank, n_in)).astype(dtype)
            lora_b = rng.normal(0.0, magnitude, size=(n_out, rank)).astype(dtype)
            pairs.append((name, lora_a, lora_b))
    if bad_value is not None and pairs:
        pairs[-1][2][-1, -1] = bad_value
    for name, lora_a, lora_b in pairs:
        writer.add_tensor(f"{name}.lora_a", lora_a)
        writer.add_tensor(f"{name}.lora_b", lora_b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_path
