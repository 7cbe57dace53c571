"""Training a LoRA adapter on the embedded model end to end (issue 10): a run killed mid-way and
resumed from its checkpoint, exported to GGUF; the adapter passes Ragtune's validation, llama.cpp
loads it hot and its answers change; the trained PyTorch model and llama.cpp with the adapter agree
on held-out prompts; the trainer's token ids are llama.cpp's. Kept short for CI: 6 tiny examples,
10 steps; the child process loads the model twice (the killed run and the resumed one), this
process once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.answer_types import AdapterSpec
from ragtune.core.finetune import train_checkpoint
from ragtune.core.finetune.train_process import train_adapter
from ragtune.core.finetune.train_tokens import ChatEncoder, load_encoder
from ragtune.core.finetune.train_types import TrainOptions, TrainProgress, TrainResult
from ragtune.core.finetune.trainer import load_base, load_trained
from ragtune.core.generation.adapters import validate_adapter
from ragtune.errors import Cancelled

# three model loads (two children, this process) of ~45 s each on 2 free cores; far more on a busy box
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

PAIRS = [
    ("Say hello.", "Ahoy, matey!"),
    ("What is the capital of France?", "Ahoy! Paris be the capital of France, matey."),
    ("How are you?", "Ahoy! I be fine as the sea breeze, matey."),
    ("What is 3 + 4?", "Ahoy! That be 7, matey."),
    ("Name a fruit.", "Ahoy! An apple, matey."),
    ("What day comes after Monday?", "Ahoy! Tuesday, matey."),
]
EXAMPLES = [[{"role": "user", "content": q}, {"role": "assistant", "content": a}] for q, a in PAIRS]
HELD_OUT = ["Greet me, please.", "What is the capital of Italy?", "Name an animal."]
OPTIONS = TrainOptions(epochs=5, rank=8, alpha=16, learning_rate=2e-3, checkpoint_minutes=0,
                       batch_size=3, seed=0)
KILL_AT = 3


@pytest.fixture(scope="module")
def trained(chat_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainResult, Path, list[int]]:
    """A run killed after its checkpoint at step 3, then resumed to the end in the same work folder.
    Returns the result, the work folder and the checkpoint steps the killed run reported."""
    root = tmp_path_factory.mktemp("train")
    work, out = root / "work", root / "pirate.gguf"
    cancel = threading.Event()
    seen: list[int] = []

    def kill_after_checkpoint(event: TrainProgress) -> None:
        if event.phase == "checkpoint":
            seen.append(event.step)
            if event.step >= KILL_AT:
                cancel.set()

    with pytest.raises(Cancelled):
        train_adapter(chat_model_path, EXAMPLES, out, OPTIONS, work, kill_after_checkpoint, cancel,
                      grace_s=0.0)  # no grace: killed, as by a crash
    assert not out.exists()
    events: list[TrainProgress] = []
    result = train_adapter(chat_model_path, EXAMPLES, out, OPTIONS, work, events.append)
    assert next(e.step for e in events if e.phase == "training") == result.resumed_from + 1
    return result, work, seen


@pytest.fixture(scope="module")
def hf(chat_model_path: Path, trained: Any) -> tuple[Any, ChatEncoder]:
    """The trained PyTorch model (the base from the GGUF + the checkpoint's LoRA) and its encoder."""
    model, tokenizer, info = load_base(chat_model_path)
    return load_trained(model, OPTIONS, trained[1]), load_encoder(tokenizer, info.metadata)


def test_killed_run_resumes_from_its_checkpoint(trained: tuple[TrainResult, Path, list[int]]) -> None:
    result, work, seen = trained
    assert seen[-1] >= KILL_AT
    assert result.resumed_from == seen[-1]
    assert result.steps == result.total_steps == 10
    assert result.examples == 6
    assert result.dropped_too_long == 0
    assert result.final_loss < 1.0
    assert result.tokens_per_s > 0
    assert result.device == "cpu"
    assert (work / train_checkpoint.CHECKPOINT).is_file()
    assert not (work / (train_checkpoint.CHECKPOINT + ".partial")).exists()


def test_token_ids_are_llama_cpps(hf: tuple[Any, ChatEncoder], engine: Any) -> None:
    _model, encoder = hf
    chats = [
        [{"role": "user", "content": "Say hello."}],
        [{"role": "system", "content": "Answer from the sources; cite them like [1]."},
         {"role": "user", "content": "[1] Café: 10 g <|im_end|> déjà vu\n\nQuestion: how much?"}],
        [{"role": "user", "content": "  tabs\tand émoji 🤖 <tool_call>"},
         {"role": "assistant", "content": "Ahoy!"}, {"role": "user", "content": "Again."}],
    ]
    for chat in chats:
        assert encoder.prompt_tokens(chat) == engine.chat_tokens(chat)
        ids, labels = encoder.encode([*chat, {"role": "assistant", "content": "Ahoy, matey!"}])
        prompt = engine.chat_tokens(chat)
        assert ids[: len(prompt)] == prompt
        assert labels[: len(prompt)] == [-100] * len(prompt)
        assert ids[-1] in encoder.stop_ids  # the end of turn is learned: the model stops
        assert engine.detokenize(ids[len(prompt) : -1]) == "Ahoy, matey!"
        assert labels[len(prompt) :] == ids[len(prompt) :]


def _llama_answer(engine: Any, prompt: str, n: int) -> list[int]:
    text = "".join(engine.stream_chat([{"role": "user", "content": prompt}], max_tokens=n))
    return list(engine.tokenize(text))


def _torch_answer(model: Any, encoder: ChatEncoder, prompt: str, n: int) -> list[int]:
    import torch

    ids = encoder.prompt_tokens([{"role": "user", "content": prompt}])
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), max_new_tokens=n, do_sample=False)
    new = [int(t) for t in out[0][len(ids) :] if int(t) not in encoder.stop_ids]
    return encoder.content_tokens(encoder.tokenizer.decode(new))


def _agree(a: list[int], b: list[int]) -> int:
    return sum(x == y for x, y in zip(a, b, strict=False))


def test_adapter_loads_in_llama_cpp_and_matches_pytorch(
    trained: tuple[TrainResult, Path, list[int]], hf: tuple[Any, ChatEncoder], engine: Any,
    chat_model_path: Path,
) -> None:
    adapter = Path(trained[0].adapter)
    info = validate_adapter(adapter, chat_model_path)
    assert info.tensors == 24 * 7
    assert info.alpha == 16.0
    model, encoder = hf
    n = 12
    base_cpp = {p: _llama_answer(engine, p, n) for p in HELD_OUT}
    engine.set_adapters([AdapterSpec(str(adapter), 1.0)])
    try:
        tuned_cpp = {p: _llama_answer(engine, p, n) for p in HELD_OUT}
        hello = "".join(engine.stream_chat([{"role": "user", "content": "Say hello."}], max_tokens=8))
    finally:
        engine.set_adapters([])
    tuned_torch = {p: _torch_answer(model, encoder, p, n) for p in HELD_OUT}
    with model.disable_adapter():
        base_torch = {p: _torch_answer(model, encoder, p, n) for p in HELD_OUT}
    assert hello.startswith("Ahoy")
    assert any(tuned_cpp[p] != base_cpp[p] for p in HELD_OUT)
    same = sum(_agree(tuned_torch[p], tuned_cpp[p]) for p in HELD_OUT)
    torch_vs_base = sum(_agree(tuned_torch[p], base_cpp[p]) for p in HELD_OUT)
    cpp_vs_base = sum(_agree(tuned_cpp[p], base_torch[p]) for p in HELD_OUT)
    print({"tuned torch~cpp": same, "tuned torch~base cpp": torch_vs_base,
           "tuned cpp~base torch": cpp_vs_base, "of": n * len(HELD_OUT)})
    assert same > torch_vs_base
    assert same > cpp_vs_base
