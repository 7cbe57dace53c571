"""Training in a child process, so the window and the chat stay responsive while it runs (and a
crash of torch or a kill for memory takes down only the child).

``train_adapter`` spawns a child (a ``core.child_process.ChildProcess``, like the parser pool's:
nothing of the caller's threads or loaded models is inherited) that runs ``trainer.train``; its
progress comes back over a pipe as ``TrainProgress`` events. A cancel sets a flag the child checks before each step (it saves
a checkpoint and stops); a child still running ``grace_s`` later is killed. A killed or crashed run
leaves the last checkpoint in the work folder, and the next run with the same work folder, base
model, training set and hyperparameters resumes from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ragtune.core.child_process import SPAWN, ChildProcess, exit_words, ran_out_of_memory
from ragtune.core.finetune.train_types import (
    TrainError,
    TrainOptions,
    TrainProgress,
    TrainResult,
    train_extra_missing,
)
from ragtune.errors import Cancelled, RagtuneError

log = logging.getLogger(__name__)

__all__ = ["TrainOptions", "TrainProgress", "TrainResult", "train_adapter", "train_extra_missing",
           "training_set_sha256"]

Messages = list[dict[str, str]]
Progress = Callable[[TrainProgress], None]
#: seconds a cancelled child may take to save its checkpoint before it is killed
GRACE_S = 60.0


def training_set_sha256(examples: Sequence[Messages]) -> str:
    """A hash of the examples as given (when the caller has no training set hash of its own)."""
    blob = json.dumps([list(m) for m in examples], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _check_examples(examples: Sequence[Messages]) -> list[Messages]:
    if not examples:
        raise TrainError("the training set is empty: build it from a question set or give a JSONL file")
    if len(examples) < 2:
        raise TrainError("the training set has only 1 example; training needs at least 2")
    checked: list[Messages] = []
    for n, messages in enumerate(examples, 1):
        ok = isinstance(messages, list) and messages and all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages
        )
        if not ok:
            raise TrainError(f"example {n} is not a list of chat messages (role and content)")
        if messages[-1]["role"] != "assistant" or not messages[-1]["content"].strip():
            raise TrainError(f"example {n} does not end with the assistant's answer")
        checked.append([{"role": m["role"], "content": m["content"]} for m in messages])
    return checked


def _child(conn: Connection, stop: Any, args: dict[str, Any]) -> None:
    """Child process (Ctrl+C ignored: ``ChildProcess``): train, sending ("progress", event)
    messages, then one final message. It stops through ``stop``, which the caller sets on cancel,
    so it saves its checkpoint first."""
    from ragtune.core.finetune import trainer

    def emit(event: TrainProgress) -> None:
        conn.send(("progress", event))

    final: tuple[str, Any]
    try:
        final = ("done", trainer.train(**args, emit=emit, should_stop=stop.is_set))
    except Cancelled as exc:
        final = ("cancelled", str(exc))
    except RagtuneError as exc:
        final = ("error", str(exc))
    except MemoryError:
        final = ("error", "training ran out of memory; close other programs or train on shorter examples")
    except (BrokenPipeError, EOFError):
        return  # the caller is gone
    except Exception as exc:  # torch, transformers: anything else is reported with its trace
        final = ("error", f"training failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    try:
        conn.send(final)
    except OSError:  # the caller is gone (killed or cancelled): nobody to tell
        pass
    finally:
        with contextlib.suppress(OSError):
            conn.close()


def _crash_message(code: int | None, work_dir: Path) -> str:
    if ran_out_of_memory(code):
        how = f"{exit_words(code)}: the system may have run out of memory"
    else:
        how = exit_words(code) if code is None or code < 0 or code > 0xFFFF else f"exited unexpectedly (exit code {code})"
    return (f"the training process {how}; the last checkpoint in {work_dir} is kept: run again with "
            "the same settings to resume")


def train_adapter(
    base_gguf: Path,
    examples: Sequence[Messages],
    out: Path,
    options: TrainOptions,
    work_dir: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    *,
    set_sha256: str | None = None,
    grace_s: float = GRACE_S,
) -> TrainResult:
    """Train a LoRA adapter on ``examples`` (chat messages, the last one the assistant's answer)
    over the GGUF model ``base_gguf`` and write it to ``out`` (a GGUF LoRA file), in a child
    process. Resumes from ``work_dir``'s checkpoint when it belongs to the same run. Raises
    TrainError (bad input, the extra missing, a crash, a full disk) or Cancelled."""
    missing = train_extra_missing()
    if missing:
        raise TrainError(missing)
    base_gguf, out, work_dir = Path(base_gguf), Path(out), Path(work_dir)
    if not base_gguf.is_file():
        raise TrainError(f"the base model file was not found: {base_gguf}")
    checked = _check_examples(examples)
    args = {
        "base_gguf": base_gguf, "examples": checked, "out": out, "options": options,
        "work_dir": work_dir, "training_set_sha256": set_sha256 or training_set_sha256(checked),
    }
    stop = SPAWN.Event()
    process = ChildProcess(_child, (stop, args), name="ragtune-train")
    receiver = process.start()
    cancelled_at: float | None = None
    try:
        while True:
            if cancel is not None and cancel.is_set() and cancelled_at is None:
                stop.set()
                cancelled_at = time.monotonic()
            if cancelled_at is not None and time.monotonic() - cancelled_at > grace_s:
                process.stop(0, kill=True)
                raise Cancelled("Training cancelled; run it again to resume from the last checkpoint.")
            try:
                if not receiver.poll(0.2):
                    if not process.is_alive() and not receiver.poll(0):
                        process.join(5)
                        raise TrainError(_crash_message(process.exitcode, work_dir))
                    continue
                kind, payload = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                raise TrainError(_crash_message(process.exitcode, work_dir)) from None
            if kind == "progress":
                if progress is not None:
                    progress(payload)
            elif kind == "done":
                return payload
            elif kind == "cancelled":
                raise Cancelled(str(payload))
            else:
                raise TrainError(str(payload))
    finally:
        process.stop(grace_s if cancelled_at is None else 5)
