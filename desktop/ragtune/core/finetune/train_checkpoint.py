"""Training checkpoints: the LoRA weights, the optimizer's state, the step and the data order's
seed, in one file of the work folder, written to ``checkpoint.pt.partial`` and renamed, so a kill
at any moment leaves the previous checkpoint whole. A checkpoint is resumed only by a run with the
same fingerprint (base model, training set, hyperparameters that shape the weights); another run
starts over. Runs inside the training child process (imports torch)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.core.finetune.train_types import TrainError, TrainOptions

CHECKPOINT = "checkpoint.pt"
#: options that do not change what a step computes: a resumed run may change them
_FREE_OPTIONS = ("max_minutes", "max_steps", "checkpoint_minutes", "epochs")


def fingerprint(base_sha256: str, training_set_sha256: str, options: TrainOptions) -> str:
    """What a checkpoint must have been trained on to be resumed (``options.precision``: the
    format the run resolved, not "auto": a bfloat16 checkpoint never resumes in float32)."""
    shaping = {k: v for k, v in options.hyperparameters().items() if k not in _FREE_OPTIONS}
    if shaping.get("precision") == "float32":  # what every run before the choice used: those resume
        del shaping["precision"]
    blob = json.dumps([base_sha256, training_set_sha256, shaping], sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class Checkpoint:
    """A saved state of a run (``lora``: PEFT's state dict; ``optimizer``: AdamW's)."""

    fingerprint: str
    step: int
    seed: int
    loss: float
    lora: Mapping[str, Any]
    optimizer: Mapping[str, Any]


def save(work_dir: Path, checkpoint: Checkpoint) -> Path:
    """Write ``checkpoint`` atomically; a full disk raises TrainError and keeps the previous one."""
    import torch

    path = work_dir / CHECKPOINT
    partial = work_dir / (CHECKPOINT + ".partial")
    state = {
        "version": 1, "fingerprint": checkpoint.fingerprint, "step": checkpoint.step,
        "seed": checkpoint.seed, "loss": checkpoint.loss,
        "lora": {k: v.detach().cpu() for k, v in checkpoint.lora.items()},
        "optimizer": checkpoint.optimizer,
    }
    try:
        work_dir.mkdir(parents=True, exist_ok=True)
        torch.save(state, partial)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise TrainError(
                f"no space left for the training checkpoint in {work_dir}; free some space and run "
                "again: it resumes from the last checkpoint that was saved"
            ) from exc
        raise TrainError(f"the training checkpoint could not be saved in {work_dir}: {exc}") from exc
    return path


def load(work_dir: Path, expected_fingerprint: str) -> Checkpoint | None:
    """The work folder's checkpoint when it belongs to this run; None when there is none, it is
    unreadable (a run killed while an older format was written) or made for another run."""
    import torch

    path = work_dir / CHECKPOINT
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a damaged file must not stop a fresh start
        return None
    if not isinstance(state, dict) or state.get("fingerprint") != expected_fingerprint:
        return None
    return Checkpoint(
        fingerprint=str(state["fingerprint"]), step=int(state["step"]), seed=int(state["seed"]),
        loss=float(state["loss"]), lora=state["lora"], optimizer=state["optimizer"],
    )


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
