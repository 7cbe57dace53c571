"""The number format the trainer keeps the base model's frozen weights in, from what the machine can do.

- ``bfloat16`` on a CPU with native bfloat16 arithmetic (AVX512-BF16 or AMX: ``cpu_has_bfloat16``)
  and on a CUDA GPU that supports it: the frozen weights take half the memory of float32
  (a 3B model about 6 GB instead of 12 GB) and a CPU step is faster, not slower.
- ``float32`` elsewhere (an older CPU emulates bfloat16 slowly; Apple's MPS is not measured here).
- The LoRA weights and their optimizer stay float32 whatever the base (peft's
  ``autocast_adapter_dtype``), and the loss is computed in float32 (``trainer.answer_loss``), so only
  the frozen weights and the activations lose precision.

Measured (``benchmarks/bench_train_memory.py``): peak memory and tokens/s of both formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AUTO, FLOAT32, BFLOAT16 = "auto", "float32", "bfloat16"
PRECISIONS = (AUTO, FLOAT32, BFLOAT16)
#: bytes one weight takes in each format
BYTES = {FLOAT32: 4, BFLOAT16: 2}


@dataclass(frozen=True)
class Precision:
    """The format chosen for the base weights and why (one line a person can read)."""

    name: str  # FLOAT32 or BFLOAT16
    reason: str

    @property
    def bytes_per_weight(self) -> int:
        return BYTES[self.name]


def cpu_has_bfloat16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU has bfloat16 instructions (AVX512-BF16 or AMX). One rule for the app and
    the training child: the CPU's flags where the system shows them (Linux, without importing torch),
    else PyTorch's own CPU check (macOS, Windows; False without torch). oneDNN's
    ``_is_mkldnn_bf16_supported`` is not used: it says yes on any AVX-512 CPU, where bfloat16 is
    emulated and slow."""
    flags = cpu_flags(cpuinfo)
    if flags is not None:
        return "avx512_bf16" in flags or "amx_bf16" in flags
    try:
        import torch

        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (ImportError, AttributeError, RuntimeError):
        return False


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str] | None:
    """The CPU's feature flags as Linux lists them; None where they cannot be read."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), None)


def cuda_has_bfloat16() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    except (ImportError, AttributeError, RuntimeError):
        return False


def choose_precision(requested: str, device: str, *, cpu_bf16: bool | None = None,
                     cuda_bf16: bool | None = None) -> Precision:
    """The format for ``device`` (``cpu``, ``cuda``, ``mps``): ``requested`` unless it is ``auto``.
    The capability checks can be passed in (tests); by default they ask PyTorch."""
    if requested not in PRECISIONS:
        raise ValueError(f"unknown precision {requested!r}; use one of {', '.join(PRECISIONS)}")
    if requested == FLOAT32:
        return Precision(FLOAT32, "float32, as asked")
    native = (
        (cpu_has_bfloat16() if cpu_bf16 is None else cpu_bf16) if device == "cpu"
        else (cuda_has_bfloat16() if cuda_bf16 is None else cuda_bf16) if device == "cuda"
        else False
    )
    if requested == BFLOAT16:
        return Precision(BFLOAT16, "bfloat16, as asked" + ("" if native else " (emulated on this device: slow)"))
    if native:
        where = "this CPU computes in bfloat16" if device == "cpu" else "this GPU computes in bfloat16"
        return Precision(BFLOAT16, f"bfloat16 weights: {where}, half the memory of float32")
    why = {"cpu": "this CPU has no native bfloat16", "cuda": "this GPU has no bfloat16",
           "mps": "bfloat16 on Apple GPUs is not measured here"}.get(device, "")
    return Precision(FLOAT32, f"float32 weights: {why}" if why else "float32 weights")


def torch_dtype(precision: Precision) -> object:
    import torch

    return torch.bfloat16 if precision.name == BFLOAT16 else torch.float32
