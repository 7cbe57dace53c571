"""Check that the tensors of a GGUF file hold only finite numbers (no NaN, no infinity).

One NaN or infinity in a LoRA adapter turns every answer into garbage (a stream of "!"), so
adapters are checked before llama.cpp loads them. The file is memory-mapped and each tensor is
checked with vectorized passes over its bytes, a slice of at most ``CHUNK_BYTES`` at a time (memory
stays small; an adapter of tens of MB takes tens of milliseconds).

F32, F16 and BF16 values are checked directly. A Q8_0 block is 32 int8 values times one float16
scale, so its values are finite exactly when the scale is. Other types are not checked here
(``checkable`` says which are).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ragtune.core.generation.gguf_info import GGUFInfo

CHUNK_BYTES = 16 << 20
_Q8_0_BLOCK = 34  # float16 scale + 32 int8 values
_ITEM_BYTES = {"F32": 4, "F16": 2, "BF16": 2, "Q8_0": _Q8_0_BLOCK}
_BF16_EXPONENT = 0x7F80  # all exponent bits set: infinity (no mantissa) or NaN


def checkable(kind: str) -> bool:
    """Whether tensors of GGML type ``kind`` ("F32", "Q8_0", ...) can be checked."""
    return kind in _ITEM_BYTES


def _problem(raw: np.ndarray, kind: str) -> str | None:
    """"NaN" or "infinite" when the bytes ``raw`` of a ``kind`` tensor hold such a value, else None."""
    if kind == "BF16":
        bits = raw.view("<u2") & 0x7FFF
        if not np.any(bits >= _BF16_EXPONENT):
            return None
        return "NaN" if np.any(bits > _BF16_EXPONENT) else "infinite"
    if kind == "Q8_0":
        values = np.ascontiguousarray(raw.reshape(-1, _Q8_0_BLOCK)[:, :2]).view("<f2")
    else:
        values = raw.view("<f4" if kind == "F32" else "<f2")
    if np.isfinite(values).all():
        return None
    return "NaN" if np.isnan(values).any() else "infinite"


def nonfinite(path: str | Path, info: GGUFInfo) -> tuple[str, str] | None:
    """The first tensor of ``info`` (read from ``path``) holding a NaN or an infinite value, as
    ``(tensor name, "NaN" or "infinite")``; None when every checkable tensor is finite.
    Raises ValueError when the file is shorter than its tensor table says (changed meanwhile)."""
    wanted = [(name, kind) for name, kind in info.tensor_types.items() if checkable(kind)]
    if not wanted:
        return None
    data = np.memmap(path, dtype=np.uint8, mode="r")
    try:
        for name, kind in wanted:
            offset, n_bytes = info.tensor_data[name]
            item = _ITEM_BYTES[kind]
            if n_bytes % item or offset + n_bytes > data.size:
                raise ValueError(f"tensor {name} does not fit in the file")
            step = max(item, CHUNK_BYTES - CHUNK_BYTES % item)
            for start in range(offset, offset + n_bytes, step):
                problem = _problem(data[start : min(start + step, offset + n_bytes)], kind)
                if problem:
                    return name, problem
        return None
    finally:
        del data
