"""The LoRA trainer (torch + transformers + peft: the ``ragtune[train]`` extra). Runs inside the
training child process (``train_process.py``); torch is imported inside the functions, so importing
``ragtune.core`` stays light.

- The base weights come from the GGUF model file itself: transformers reads and dequantizes it
  (``from_pretrained(folder, gguf_file=name)``) to bfloat16 where the machine computes in it, else
  float32 (``train_precision``); the tokenizer too, and every example is
  tokenized as the engine does at inference (``train_tokens.py``).
- PEFT LoRA (rank r, alpha, dropout 0) on the attention and MLP projections, never ``lm_head``
  (tied to the embeddings in qwen2); the loss on the answer tokens only, and the vocabulary
  projection computed only where an answer token is predicted (``answer_loss``: the logits of a
  whole prompt, 150k wide, were most of the memory); AdamW at a constant learning rate, gradients
  clipped to norm 1.
- All CPU cores (``torch.set_num_threads``); CUDA (bf16 autocast) or Apple's MPS when present.
- The data order of epoch e is a permutation seeded by ``seed + e``: step k always trains the same
  examples, so a run resumed from a checkpoint (``train_checkpoint.py``) goes on exactly.
- Stops: every epoch done, ``max_steps``, the wall-clock budget (``max_minutes``: checkpoint, then
  the adapter of what it has), a cancel (checkpoint, then ``Cancelled``), a NaN loss (TrainError).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ragtune.core.finetune import lora_gguf, train_checkpoint
from ragtune.core.finetune.train_fit import trainable_architectures
from ragtune.core.finetune.train_precision import FLOAT32, Precision, choose_precision, torch_dtype
from ragtune.core.finetune.train_tokens import IGNORE, ChatEncoder, load_encoder
from ragtune.core.finetune.train_types import (
    BUDGET,
    DONE,
    MAX_STEPS,
    TrainError,
    TrainOptions,
    TrainProgress,
    TrainResult,
)
from ragtune.core.generation.gguf_info import GGUFError, GGUFInfo, read_gguf
from ragtune.core.machine import usable_cores
from ragtune.core.types import Stage
from ragtune.errors import Cancelled

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
Emit = Callable[[TrainProgress], None]
Messages = list[dict[str, str]]


def pick_device() -> str:
    """``cuda`` or ``mps`` when present, else ``cpu`` with every core this process may use."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    torch.set_num_threads(usable_cores())
    return "cpu"


def read_base(base_gguf: Path) -> GGUFInfo:
    """The base model's GGUF header; TrainError when transformers cannot load its architecture."""
    try:
        info = read_gguf(base_gguf)
    except GGUFError as exc:
        raise TrainError(f"the base model {base_gguf.name} cannot be read: {exc}") from exc
    architectures = trainable_architectures() or frozenset()
    if info.architecture not in architectures:
        raise TrainError(
            f"the model's architecture '{info.architecture}' cannot be trained: transformers cannot "
            f"load it from a GGUF file (it loads {', '.join(sorted(architectures))})"
        )
    return info


def load_base(base_gguf: Path, precision: Precision | None = None) -> tuple[Any, Any, GGUFInfo]:
    """``(model, tokenizer, header)``: the GGUF's weights dequantized to ``precision`` (float32 when
    not given), on the CPU."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    info = read_base(base_gguf)
    dtype = torch_dtype(precision or Precision(FLOAT32, ""))
    try:
        tokenizer = AutoTokenizer.from_pretrained(base_gguf.parent, gguf_file=base_gguf.name)
        model = AutoModelForCausalLM.from_pretrained(base_gguf.parent, gguf_file=base_gguf.name, dtype=dtype)
    except (ValueError, KeyError, NotImplementedError, RuntimeError, OSError) as exc:
        raise TrainError(
            f"transformers could not load {base_gguf.name} ({info.architecture}, "
            f"{info.quantization}): {exc}"
        ) from exc
    return model, tokenizer, info


def add_lora(model: Any, options: TrainOptions) -> Any:
    """The model wrapped by PEFT with fresh LoRA weights (seeded); only they require gradients."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(options.seed)
    config = LoraConfig(
        r=options.rank, lora_alpha=options.alpha,  # type: ignore[arg-type]  # peft: alpha / r in floats
        lora_dropout=0.0, bias="none",
        target_modules=list(TARGET_MODULES), task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def encode_examples(
    encoder: ChatEncoder, examples: Sequence[Messages], max_length: int
) -> tuple[list[tuple[list[int], list[int]]], int]:
    """Each example's ``(input_ids, labels)``, and how many were dropped as longer than
    ``max_length``; TrainError when fewer than two are left."""
    encoded, dropped = [], 0
    for messages in examples:
        ids, labels = encoder.encode(messages)
        if len(ids) > max_length:
            dropped += 1
        else:
            encoded.append((ids, labels))
    if not encoded:
        raise TrainError(
            f"every example ({dropped}) is longer than {max_length} tokens; shorten the passages "
            "or answers, or raise the maximum length"
        )
    if len(encoded) < 2:
        raise TrainError(f"only one example is short enough to train on ({dropped} longer than "
                         f"{max_length} tokens); a training set needs at least 2")
    return encoded, dropped


def batch_tensors(items: Sequence[tuple[list[int], list[int]]], pad_id: int, device: str) -> dict[str, Any]:
    """Right-padded ``input_ids``, ``attention_mask`` and ``labels`` (-100 on the padding)."""
    import torch

    width = max(len(ids) for ids, _ in items)
    ids = [i + [pad_id] * (width - len(i)) for i, _ in items]
    mask = [[1] * len(i) + [0] * (width - len(i)) for i, _ in items]
    labels = [lab + [IGNORE] * (width - len(lab)) for _, lab in items]
    return {k: torch.tensor(v, device=device) for k, v in
            (("input_ids", ids), ("attention_mask", mask), ("labels", labels))}


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """The mean cross-entropy over the answer tokens (``labels`` not ``IGNORE``), as the model's
    own loss computes it, but with logits only at the positions that predict an answer token in
    some row of the batch (``logits_to_keep``, the model's own head code)."""
    import torch.nn.functional as F

    targets = batch["labels"][:, 1:]  # the logits at position t predict token t + 1
    keep = (targets != IGNORE).any(dim=0).nonzero().flatten()
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                   logits_to_keep=keep).logits
    chosen = targets[:, keep]
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), chosen.reshape(-1), ignore_index=IGNORE)


def backward_step(
    model: Any, items: Sequence[tuple[list[int], list[int]]], device: str, autocast: Any,
    should_stop: Callable[[], bool] = lambda: False,
) -> float | None:
    """Forward and backward the step's examples one at a time (no padding, and the activations of
    one example in memory, not of the whole batch), each loss weighted by its share of the step's
    answer tokens: the gradients of the batch's mean answer loss. Returns that loss, or None when
    ``should_stop`` said so between two examples (the gradients so far are then to be dropped)."""
    answer = [sum(1 for label in labels[1:] if label != IGNORE) for _, labels in items]
    total = sum(answer) or 1
    loss_sum = 0.0
    for (ids, labels), n in zip(items, answer, strict=True):
        if should_stop():
            return None
        if n == 0:
            continue
        batch = batch_tensors([(ids, labels)], 0, device)
        with autocast if autocast is not None else contextlib.nullcontext():
            loss = answer_loss(model, batch) * (n / total)
        loss.backward()
        loss_sum += float(loss.detach())
    return loss_sum


def release_memory() -> None:
    """Give freed heap back to the system (glibc keeps what the GGUF's dequantization freed)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def batch_order(n: int, batch_size: int, seed: int, step: int) -> list[int]:
    """The example indices of ``step``: epoch ``step // steps_per_epoch``, shuffled by ``seed + epoch``."""
    per_epoch = math.ceil(n / batch_size)
    epoch, k = divmod(step, per_epoch)
    order = list(range(n))
    random.Random(seed + epoch).shuffle(order)
    return order[k * batch_size : (k + 1) * batch_size]


def train(
    base_gguf: Path,
    examples: Sequence[Messages],
    out: Path,
    options: TrainOptions,
    work_dir: Path,
    *,
    training_set_sha256: str,
    emit: Emit,
    should_stop: Callable[[], bool],
) -> TrainResult:
    """One whole run (see module docstring): load, resume, train, checkpoint, export."""
    import torch
    from peft import get_peft_model_state_dict, set_peft_model_state_dict

    started = time.monotonic()
    emit(TrainProgress(Stage.LOADING, message=f"loading {base_gguf.name}"))
    device = pick_device()
    precision = choose_precision(options.precision, device)
    emit(TrainProgress(Stage.LOADING, message=f"loading {base_gguf.name} ({precision.reason})"))
    model, tokenizer, info = load_base(base_gguf, precision)
    release_memory()
    encoder = load_encoder(tokenizer, info.metadata)
    encoded, dropped = encode_examples(encoder, examples, options.max_length)
    base_sha = train_checkpoint.file_sha256(base_gguf)
    print_ = train_checkpoint.fingerprint(base_sha, training_set_sha256, replace(options, precision=precision.name))
    model = add_lora(model, options).to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=options.learning_rate, weight_decay=0.0)
    resumed = train_checkpoint.load(work_dir, print_)
    step = 0
    loss_value = float("nan")
    if resumed is not None:
        set_peft_model_state_dict(model, dict(resumed.lora))
        optimizer.load_state_dict(dict(resumed.optimizer))
        step, loss_value = resumed.step, resumed.loss
    first_step = step
    per_epoch = math.ceil(len(encoded) / options.batch_size)
    total = options.epochs * per_epoch
    if options.max_steps is not None:
        total = min(total, options.max_steps)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else None
    budget_s = options.max_minutes * 60 if options.max_minutes is not None else math.inf
    every_s = options.checkpoint_minutes * 60
    saved_at, train_s, tokens, stopped = time.monotonic(), 0.0, 0, DONE

    def checkpoint() -> None:
        nonlocal saved_at
        train_checkpoint.save(work_dir, train_checkpoint.Checkpoint(
            print_, step, options.seed, loss_value, get_peft_model_state_dict(model),
            optimizer.state_dict()))
        saved_at = time.monotonic()
        emit(TrainProgress(Stage.CHECKPOINT, step=step, total=total, loss=loss_value))

    while step < total:
        if should_stop():
            if step > first_step:
                checkpoint()
            raise Cancelled(f"Training cancelled at step {step} of {total}; run it again to resume.")
        mean_step = train_s / (step - first_step) if step > first_step else 0.0
        if time.monotonic() - started + mean_step > budget_s:
            stopped = BUDGET
            break
        t0 = time.monotonic()
        items = [encoded[i] for i in batch_order(len(encoded), options.batch_size, options.seed, step)]
        step_loss = backward_step(model, items, device, autocast, should_stop)
        if step_loss is None:  # cancelled mid-step: the weights are still those of `step`
            optimizer.zero_grad(set_to_none=True)
            continue
        loss_value = step_loss
        if not math.isfinite(loss_value):
            raise TrainError(
                f"the loss became {loss_value} at step {step + 1}: training diverged. Lower the learning "
                f"rate (now {options.learning_rate:g}) and run again; the last checkpoint is kept"
            )
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        train_s += time.monotonic() - t0
        tokens += sum(len(ids) for ids, _ in items)
        done = step - first_step
        emit(TrainProgress(Stage.TRAINING, step=step, total=total, loss=loss_value,
                           tokens_per_s=tokens / train_s if train_s > 0 else 0.0,
                           eta_s=train_s / done * (total - step), epoch=(step - 1) // per_epoch + 1))
        if time.monotonic() - saved_at >= every_s and step < total:
            checkpoint()
    if step == 0:
        raise TrainError("the time budget ran out before the first training step; give it more minutes")
    if stopped == DONE and options.max_steps is not None and step == options.max_steps < options.epochs * per_epoch:
        stopped = MAX_STEPS
    if step > first_step:
        checkpoint()
    emit(TrainProgress(Stage.EXPORTING, step=step, total=total, loss=loss_value))
    tensors = lora_gguf.gguf_tensors(get_peft_model_state_dict(model))
    metadata = lora_gguf.ragtune_metadata(base_sha, training_set_sha256, options.hyperparameters())
    lora_gguf.write_lora_gguf(out, tensors, architecture=info.architecture, alpha=options.alpha,
                              rank=options.rank, metadata=metadata)
    return TrainResult(
        adapter=str(out), steps=step, total_steps=total, resumed_from=first_step,
        examples=len(encoded), dropped_too_long=dropped, final_loss=loss_value,
        tokens_per_s=tokens / train_s if train_s > 0 else 0.0,
        seconds=time.monotonic() - started, device=device, stopped=stopped, precision=precision.name,
    )


def load_trained(model: Any, options: TrainOptions, work_dir: Path) -> Any:
    """``model`` (from ``load_base``) with the LoRA weights of the work folder's checkpoint (any
    fingerprint): the trained PyTorch model, to compare with llama.cpp and the exported adapter."""
    import torch
    from peft import set_peft_model_state_dict

    state = torch.load(work_dir / train_checkpoint.CHECKPOINT, map_location="cpu", weights_only=True)
    peft_model = add_lora(model, options)
    set_peft_model_state_dict(peft_model, state["lora"])
    return peft_model.eval()
