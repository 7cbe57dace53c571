"""Value types of training a LoRA adapter that the CLI and the GUI see: ``TrainOptions`` (what to
train; alpha is ``ALPHA_PER_RANK`` times the rank unless given), ``TrainProgress`` (one event while
it trains), ``TrainResult`` (what came out), ``TrainedAdapter``, the ``TrainError`` a person can act
on, and ``train_extra_missing`` (the ``ragtune[train]`` extra: what to install when it is absent).
Each event and result says itself in plain words (``text``, ``stop_text``, ``summary``): the front
ends show those words and have none of their own. Nothing here imports torch."""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass
from typing import Any

from ragtune.core.answer_types import AdapterInfo
from ragtune.core.finetune.train_precision import AUTO, PRECISIONS  # PRECISIONS: the CLI's choices
from ragtune.core.types import Stage
from ragtune.core.units import duration_text
from ragtune.errors import RagtuneError

#: the optional extra that holds the trainer's packages, and its size as people read it
TRAIN_EXTRA_PACKAGES = ("torch", "transformers", "peft", "accelerate")
TRAIN_EXTRA_INSTALL = 'pip install "ragtune[train]"'
TRAIN_EXTRA_SIZE = "about 3 GB on Linux (PyPI's torch carries CUDA libraries), less on macOS and Windows"

#: why a run stopped (``TrainResult.stopped``)
DONE = "done"  # every epoch trained
MAX_STEPS = "max_steps"  # the step limit was reached
BUDGET = "budget"  # the wall-clock budget (max_minutes) ran out
STOP_WORDS = {DONE: "", MAX_STEPS: "the step limit was reached", BUDGET: "the time budget ran out"}

#: LoRA alpha is this many times the rank unless ``TrainOptions.alpha`` says otherwise
ALPHA_PER_RANK = 2.0


def alpha_for(rank: int) -> float:
    """The LoRA alpha of ``rank`` when none is given: ``ALPHA_PER_RANK`` times the rank."""
    return ALPHA_PER_RANK * rank


def alpha_text() -> str:
    """The alpha rule as people read it, for a rank field's help: ``alpha is 2 times the rank``."""
    return f"alpha is {ALPHA_PER_RANK:g} times the rank"


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
    examples longer than ``max_length`` tokens are dropped (counted). ``alpha`` left out:
    ``alpha_for(rank)``, filled in when the options are made (so it is always a float)."""

    epochs: int = 3
    rank: int = 8
    alpha: float = None  # type: ignore[assignment]  # None until __post_init__: alpha_for(rank)
    learning_rate: float = 2e-4
    max_minutes: float | None = None
    max_steps: int | None = None
    checkpoint_minutes: float = 5.0
    seed: int = 0
    batch_size: int = 4
    max_length: int = 2048
    precision: str = AUTO  # the frozen weights' format (``train_precision``)

    def __post_init__(self) -> None:
        if self.alpha is None:
            object.__setattr__(self, "alpha", alpha_for(self.rank))
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
            (self.precision in PRECISIONS, f"the precision must be one of {', '.join(PRECISIONS)}"),
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

    phase: Stage
    step: int = 0
    total: int = 0
    loss: float | None = None
    tokens_per_s: float = 0.0
    eta_s: float | None = None
    epoch: int = 0
    message: str = ""

    def text(self) -> str:
        """``Training step 5/24 (epoch 1) · loss 1.234 · 41 tokens/s · about 3 min 10 s left``, or
        the phase's words."""
        if self.phase == Stage.TRAINING:
            parts = [f"Training step {self.step}/{self.total} (epoch {self.epoch})"]
            if self.loss is not None:
                parts.append(f"loss {self.loss:.3f}")
            parts.append(f"{self.tokens_per_s:.0f} tokens/s")
            if self.eta_s is not None and self.step < self.total:
                parts.append(f"about {duration_text(self.eta_s)} left")
            return " · ".join(parts)
        if self.phase == Stage.CHECKPOINT:
            return f"Checkpoint saved at step {self.step}/{self.total}"
        if self.phase == Stage.EXPORTING:
            return "Writing the adapter\u2026"
        return self.message or "Loading the model for training\u2026"


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
    precision: str = "float32"  # the base weights' format the run trained with

    def stop_text(self) -> str:
        """Why the run stopped before its last epoch (``the time budget ran out``); "" when done."""
        return STOP_WORDS.get(self.stopped, self.stopped.replace("_", " "))


@dataclass(frozen=True)
class TrainedAdapter:
    """What ``svc.finetune.train`` made: the run's result, the adapter as validated against the
    model, and the training set it learned from (its JSONL file and sha256)."""

    result: TrainResult
    info: AdapterInfo
    training_set: str
    training_set_sha256: str

    def summary(self) -> str:
        """``Adapter NAME trained: 24/24 steps, final loss 1.234, 41 tokens/s on cpu (bfloat16), 3 min 5 s. Saved
        to PATH.`` (why it stopped early and the step it resumed from, when so)."""
        r = self.result
        why = f" ({r.stop_text()})" if r.stop_text() else ""
        resumed = f", resumed from step {r.resumed_from}" if r.resumed_from else ""
        return (f"Adapter {self.info.name} trained: {r.steps}/{r.total_steps} steps{why}{resumed}, final loss "
                f"{r.final_loss:.3f}, {r.tokens_per_s:.0f} tokens/s on {r.device} ({r.precision}), {duration_text(r.seconds)}. "
                f"Saved to {r.adapter}.")
