"""Whether the trainer can train on a model, and whether training fits this machine's memory.

The trainer loads a model's weights from its GGUF file through transformers, which reads only some
architectures (``GGUF_SUPPORTED_ARCHITECTURES``: qwen2, qwen3, llama, phi3, gemma3, ...; not qwen35
or granitehybrid, for example). The memory a run needs is estimated from the model's parameter
count (its GGUF tensors) and the format of its frozen weights (``train_precision``), with constants
measured (below):

    needs = parameters x bytes per weight x WEIGHT_FACTOR + RUNTIME_GB + ACTIVATION_GB

The run itself stops with a clear message when it cannot load or runs out; this is the advice shown
before it starts (the Fine-tune tab, ``ragtune train``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ragtune.core.finetune.train_precision import Precision
from ragtune.core.generation.gguf_info import GGUFError, read_gguf

#: peak RSS over the weights' own size, and what a run adds to any model: fitted to
#: ``benchmarks/bench_train_memory.py`` (0.5B from its GGUF and a 1.5B-shaped model, float32 and
#: bfloat16, 2 cores: 3.4 / 5.6 GB and 6.4 / 11.8 GB at peak; weights x 1.75 + 1.0 GB is within
#: 0.2 GB of all four)
WEIGHT_FACTOR = 1.75
RUNTIME_GB = 1.0
#: activations of real examples (about 1,000 tokens of passages each; the trainer runs one at a
#: time): the shipped adapter's float32 run of the 0.5B model peaked at 8 GB, 2.5 GB above the
#: short examples of the benchmark
ACTIVATION_GB = 2.5
#: memory left to the system and the app while training runs
HEADROOM_GB = 2.0


@dataclass(frozen=True)
class TrainingFit:
    """The advice for training an adapter on one model here."""

    model: str
    architecture: str
    can_load: bool
    parameters: int
    precision: str
    needs_gb: float
    has_gb: float
    text: str  # one or two sentences a person can read

    @property
    def fits(self) -> bool:
        return self.can_load and self.needs_gb <= self.has_gb - HEADROOM_GB


@functools.cache
def trainable_architectures() -> frozenset[str] | None:
    """The architectures transformers loads from GGUF files (its ``GGUF_SUPPORTED_ARCHITECTURES``
    is this mapping's keys, read here without importing torch); None when the train extra is missing."""
    try:
        from transformers.integrations.ggml import GGUF_CONFIG_MAPPING
    except ImportError:
        return None
    return frozenset(GGUF_CONFIG_MAPPING) - _NOT_ARCHITECTURES


def needs_gb(parameters: int, precision: Precision) -> float:
    weights = parameters * precision.bytes_per_weight * WEIGHT_FACTOR / 1e9
    return round(weights + RUNTIME_GB + ACTIVATION_GB, 1)


def training_fit(base_gguf: Path, ram_bytes: int, precision: Precision,
                 architectures: frozenset[str] | None) -> TrainingFit:
    """The advice for ``base_gguf`` on a machine of ``ram_bytes`` with weights in ``precision``;
    ``architectures``: ``trainable_architectures()`` (None: the train extra is not installed)."""
    try:
        info = read_gguf(base_gguf)
    except GGUFError as exc:
        return TrainingFit(base_gguf.name, "", False, 0, precision.name, 0.0, ram_bytes / 1e9,
                           f"The model file cannot be read for training: {exc}")
    parameters = sum(_count(shape) for shape in info.tensors.values())
    name = info.name or base_gguf.stem
    has = ram_bytes / 1e9
    need = needs_gb(parameters, precision)
    if architectures is not None and info.architecture not in architectures:
        return TrainingFit(name, info.architecture, False, parameters, precision.name, need, has, (
            f"The trainer cannot load {name}: transformers does not read {info.architecture} models from "
            f"GGUF files. It trains {', '.join(sorted(architectures))} models; "
            "adapters for this one can be trained elsewhere and added here."))
    size = f"{parameters / 1e9:.1f}B" if parameters >= 1e8 else f"{parameters / 1e6:.0f}M"
    fit = TrainingFit(name, info.architecture, True, parameters, precision.name, need, has, "")
    verdict = (f"fits this machine's {has:.0f} GB" if fit.fits else
               f"does not fit this machine's {has:.0f} GB (with {HEADROOM_GB:g} GB left to the system)")
    lead = (f"The trainer can load {name}" if architectures is not None else
            f"Whether the trainer can load {name} is known once the training extra is installed")
    text = (f"{lead} ({info.architecture}, {size} parameters). Training needs about "
            f"{need:g} GB with {precision.name} weights: it {verdict}.")
    return TrainingFit(name, info.architecture, True, parameters, precision.name, need, has, text)


#: sections of transformers' GGUF mapping that are not architectures
_NOT_ARCHITECTURES = frozenset({"general", "tokenizer"})


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n
