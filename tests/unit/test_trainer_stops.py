"""The trainer's stops on a tiny random qwen2 model (the unit is the training loop; the GGUF load
and the tokenizer around it are replaced by small stand-ins): a loss that turns NaN stops the run
with a message and writes no adapter; a wall-clock budget stops after the steps that fit, with a
checkpoint and an adapter of what was trained; a budget too short for one step says so."""

from __future__ import annotations

import math
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ragtune.core.finetune import train_checkpoint, trainer
from ragtune.core.finetune.train_types import BUDGET, TrainError, TrainOptions, TrainProgress

EXAMPLES = [[{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}] for i in range(8)]


class _Encoder:
    """Stands for ChatEncoder: a few token ids per example, the loss on the last three."""

    def encode(self, messages: list[dict[str, str]]) -> tuple[list[int], list[int]]:
        seed = sum(map(ord, messages[-1]["content"]))
        ids = [(seed * (i + 3)) % 60 + 1 for i in range(8)]
        return ids, [-100] * 5 + ids[5:]


def _tiny_base(*, nan: bool = False, step_s: float = 0.0) -> Any:
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64)
    model = Qwen2ForCausalLM(config)
    if nan:
        with torch.no_grad():
            model.model.embed_tokens.weight.fill_(float("nan"))
    if step_s:
        model.register_forward_pre_hook(lambda *_: time.sleep(step_s))
    return model


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"stands for the base model: only hashed")
    return path


def _run(monkeypatch: pytest.MonkeyPatch, base_file: Path, tmp_path: Path, options: TrainOptions,
         model: Any) -> tuple[Any, list[TrainProgress]]:
    info = SimpleNamespace(architecture="qwen2", metadata={})
    monkeypatch.setattr(trainer, "load_base", lambda _path, _precision: (model, SimpleNamespace(pad_token_id=0), info))
    monkeypatch.setattr(trainer, "load_encoder", lambda _tok, _meta: _Encoder())
    events: list[TrainProgress] = []
    result = trainer.train(base_file, EXAMPLES, tmp_path / "out.gguf", options, tmp_path / "work",
                           training_set_sha256="t", emit=events.append, should_stop=lambda: False)
    return result, events


def test_a_nan_loss_stops_the_run_and_writes_no_adapter(
    monkeypatch: pytest.MonkeyPatch, base_file: Path, tmp_path: Path
) -> None:
    with pytest.raises(TrainError, match=r"the loss became nan at step 1: training diverged\. Lower the learning rate"):
        _run(monkeypatch, base_file, tmp_path, TrainOptions(epochs=1, batch_size=4), _tiny_base(nan=True))
    assert not (tmp_path / "out.gguf").exists()


def test_the_budget_stops_with_a_checkpoint_and_an_adapter(
    monkeypatch: pytest.MonkeyPatch, base_file: Path, tmp_path: Path
) -> None:
    options = TrainOptions(epochs=20, batch_size=4, max_minutes=2.5 / 60, checkpoint_minutes=60)
    result, events = _run(monkeypatch, base_file, tmp_path, options, _tiny_base(step_s=1.0))
    assert result.stopped == BUDGET
    assert 1 <= result.steps < result.total_steps == 40
    assert math.isfinite(result.final_loss)
    assert (tmp_path / "out.gguf").is_file()
    assert (tmp_path / "work" / train_checkpoint.CHECKPOINT).is_file()
    assert [e.phase for e in events][-2:] == ["checkpoint", "exporting"]


def test_a_budget_shorter_than_one_step_says_so(
    monkeypatch: pytest.MonkeyPatch, base_file: Path, tmp_path: Path
) -> None:
    options = TrainOptions(epochs=1, batch_size=4, max_minutes=1e-6)
    with pytest.raises(TrainError, match="the time budget ran out before the first training step"):
        _run(monkeypatch, base_file, tmp_path, options, _tiny_base())
    assert not (tmp_path / "out.gguf").exists()


def test_the_answer_loss_is_the_models_own_loss() -> None:
    """``answer_loss`` (logits only where an answer token is predicted) equals the model's loss."""
    import torch

    model = _tiny_base()
    encoded = [_Encoder().encode(ex) for ex in EXAMPLES[:3]]
    encoded[1] = (encoded[1][0][:6], [-100] * 4 + encoded[1][0][4:6])  # shorter, padded
    batch = trainer.batch_tensors(encoded, 0, "cpu")
    ours = trainer.answer_loss(model, batch)
    theirs = model(**batch).loss
    assert torch.allclose(ours, theirs, atol=1e-6), (float(ours), float(theirs))


def test_one_example_at_a_time_gives_the_batchs_gradients() -> None:
    """``backward_step`` (examples one by one, weighted by answer tokens) = the padded batch's loss
    and gradients."""
    import torch

    items = [_Encoder().encode(ex) for ex in EXAMPLES[:3]]
    items[2] = (items[2][0][:7], [-100] * 3 + items[2][0][3:7])  # another length, more answer tokens
    one = _tiny_base()
    loss_one = trainer.backward_step(one, items, "cpu", None)
    assert loss_one is not None
    whole = _tiny_base()
    loss_whole = trainer.answer_loss(whole, trainer.batch_tensors(items, 0, "cpu"))
    loss_whole.backward()
    assert math.isclose(loss_one, float(loss_whole), rel_tol=1e-5)
    for (name, a), (_, b) in zip(one.named_parameters(), whole.named_parameters(), strict=True):
        assert torch.allclose(a.grad, b.grad, atol=1e-6, rtol=1e-4), name


def test_a_stop_between_examples_drops_the_step() -> None:
    """A cancel is seen between two examples of a step: None, and no example after it runs."""
    items = [_Encoder().encode(ex) for ex in EXAMPLES[:3]]
    calls: list[int] = []
    model = _tiny_base()
    model.register_forward_pre_hook(lambda *_: calls.append(1))
    assert trainer.backward_step(model, items, "cpu", None, lambda: len(calls) >= 1) is None
    assert len(calls) == 1
