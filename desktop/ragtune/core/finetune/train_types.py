"""Value types of training a LoRA adapter that the CLI and the GUI see: ``TrainOptions`` (what to
train), ``TrainProgress`` (one event while it trains), ``TrainResult`` (what came out), the
``TrainError`` a person can act on, and ``train_extra_missing`` (the ``ragtune[train]`` extra: what
to install when it is absent). Nothing here imports torch."""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass
from typing import Any

from ragtune.core.answer_types import AdapterInfo
from ragtune.errors import RagtuneError

#: the optional extra that holds the trainer's packages, and its size as people read it
TRAIN_EXTRA_PACKAGES = ("torch", "transformers", "peft", "accelerate")
TRAIN_EXTRA_INSTALL = 'pip install "ragtune[train]"'
TRAIN_EXTRA_SIZE = "about 3 GB on Linux (PyPI's torch carries CUDA libraries), less on macOS and Windows"

#: why a run stopped (``TrainResult.stopped``)
DONE = "done"  # every epoch trained
MAX_STEPS = "max_steps"  # the step limit was reached
BUDGET = "budget"  # the wall-clock budget (max_minutes) ran out


class TrainError(RagtuneError):
    """Training could not start or could not go on; the message says why and what to do."""


def train_extra_missing() -> str | None:
    """None when the trainer's packages are installed; else the exact message: what to install
    and how large it is."""
    missing = [name for name in TRAIN_EXTRA_PACKAGES if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"Training needs the optional packages {', '.join(missing)} (not installed). "
        f"Install them with: {TRAIN_EXTRA_INSTALL}  ({TRAIN_EXTRA_SIZE})."
    )


@dataclass(frozen=True)
class TrainOptions:
    """Hyperparameters and limits of one training run. ``batch_size`` examples make one step;
    ``max_steps`` / ``max_minutes`` (None: no limit) stop early with a checkpoint and an adapter;
    a checkpoint is written every ``checkpoint_minutes`` (0: after every step) and at the end;
    examples longer than ``max_length`` tokens are dropped (counted)."""

    epochs: int = 3
    rank: int = 8
    alpha: float = 16.0
    learning_rate: float = 2e-4
    max_minutes: float | None = None
    max_steps: int | None = None
    checkpoint_minutes: float = 5.0
    seed: int = 0
    batch_size: int = 4
    max_length: int = 2048

    def __post_init__(self) -> None:
        checks = [
            (self.epochs >= 1, "epochs must be at least 1"),
            (self.rank >= 1, "the rank must be at least 1"),
            (self.alpha > 0, "alpha must be positive"),
            (0 < self.learning_rate < 1, "the learning rate must be between 0 and 1"),
            (self.max_minutes is None or self.max_minutes > 0, "max minutes must be positive"),
            (self.max_steps is None or self.max_steps >= 1, "max steps must be at least 1"),
            (self.checkpoint_minutes >= 0, "checkpoint minutes must not be negative"),
            (self.batch_size >= 1, "the batch size must be at least 1"),
            (self.max_length >= 16, "the maximum length must be at least 16 tokens"),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainError(message)

    def hyperparameters(self) -> dict[str, Any]:
        """The options as JSON-ready values (the adapter's ``ragtune.hyperparameters``)."""
        return asdict(self)


@dataclass(frozen=True)
class TrainProgress:
    """One event of a run. ``phase``: ``loading`` (the base model), ``training`` (a step done),
    ``checkpoint`` (saved at ``step``), ``exporting``. ``eta_s`` is None until a step is timed."""

    phase: str
    step: int = 0
    total: int = 0
    loss: float | None = None
    tokens_per_s: float = 0.0
    eta_s: float | None = None
    epoch: int = 0
    message: str = ""


@dataclass(frozen=True)
class TrainResult:
    """A finished run: the adapter written to ``adapter`` (a GGUF LoRA file), the steps trained
    (``resumed_from``: the checkpoint's step it went on from, 0 for a fresh run), the examples used
    and dropped as too long, the last step's loss, the training tokens per second, the seconds of
    this run, the device (``cpu``, ``cuda``, ``mps``) and why it stopped (``DONE``, ``MAX_STEPS``,
    ``BUDGET``)."""

    adapter: str
    steps: int
    total_steps: int
    resumed_from: int
    examples: int
    dropped_too_long: int
    final_loss: float
    tokens_per_s: float
    seconds: float
    device: str
    stopped: str


@dataclass(frozen=True)
class TrainedAdapter:
    """What ``svc.finetune.train`` made: the run's result, the adapter as validated against the
    model, and the training set it learned from (its JSONL file and sha256)."""

    result: TrainResult
    info: AdapterInfo
    training_set: str
    training_set_sha256: str
