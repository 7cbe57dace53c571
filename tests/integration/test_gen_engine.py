"""The Engine on the real embedded model: streaming, determinism, cancel, token counts, prefix cache."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from ragtune.core.generation.engine import PromptTooLong
from ragtune.errors import Cancelled

COLOURS = [{"role": "user", "content": "Name three colours."}]


def _answer(engine: Any, messages: list[dict[str, str]], max_tokens: int = 12) -> str:
    return "".join(engine.stream_chat(messages, max_tokens=max_tokens, temperature=0.0))


def test_streams_pieces_with_stats(engine: Any) -> None:
    pieces = list(engine.stream_chat(COLOURS, max_tokens=12))
    assert len(pieces) >= 2
    assert "".join(pieces).strip()
    stats = engine.last_stats
    assert stats.prompt_tokens == engine.count_chat_tokens(COLOURS)
    assert 1 <= stats.completion_tokens <= 12
    assert stats.ttft_s > 0
    assert stats.total_s >= stats.ttft_s
    assert stats.finish_reason in ("stop", "length")


def test_deterministic_at_temperature_zero(engine: Any) -> None:
    first = _answer(engine, COLOURS)
    _answer(engine, [{"role": "user", "content": "What is 2 + 2?"}], max_tokens=4)  # other KV state
    assert _answer(engine, COLOURS) == first
    assert _answer(engine, COLOURS) == first  # same prompt again: served from the cached prefix


def test_prompt_comes_from_the_gguf_template(engine: Any) -> None:
    prompt = engine.format_prompt([{"role": "system", "content": "Be brief."}, *COLOURS])
    template = engine.llama.metadata["tokenizer.chat_template"]
    assert "<|im_start|>" in template
    assert prompt.startswith("<|im_start|>system\nBe brief.")
    assert prompt.rstrip().endswith("<|im_start|>assistant")


def test_count_tokens_uses_the_model_tokenizer(engine: Any) -> None:
    assert engine.count_tokens("") == 0
    assert engine.count_tokens("hello world") == len(engine.tokenize("hello world")) == 2
    text = "Ragtune answers questions about your documents. " * 5
    assert engine.count_tokens(text) > engine.count_tokens("Ragtune")
    # the chat prompt adds the template's tokens around the message
    assert engine.count_chat_tokens([{"role": "user", "content": text}]) > engine.count_tokens(text) + 5


def test_cancel_between_tokens_stops_at_the_next_token(engine: Any) -> None:
    cancel = threading.Event()
    story = [{"role": "user", "content": "Write a long story about a dragon and a lighthouse."}]
    pieces: list[str] = []

    def read_until_cancelled() -> None:
        for piece in engine.stream_chat(story, max_tokens=400, cancel=cancel):
            pieces.append(piece)
            if len(pieces) == 3:
                cancel.set()

    with pytest.raises(Cancelled):
        read_until_cancelled()
    assert len(pieces) <= 4  # how fast that is: benchmarks/bench_generation.py
    assert engine.last_stats.finish_reason == "cancelled"
    assert _answer(engine, COLOURS)  # the engine answers normally afterwards


def test_cancel_during_prompt_evaluation(engine: Any) -> None:
    long_text = "The lighthouse keeper wrote down the weather every hour of every day. " * 90
    messages = [{"role": "user", "content": f"Summarise: {long_text}"}]
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    try:
        with pytest.raises(Cancelled):
            for _ in engine.stream_chat(messages, max_tokens=8, cancel=cancel):
                pass
    finally:
        timer.cancel()
    # stopped inside the prompt's evaluation (~1300 tokens take seconds), not after it
    assert engine.llama.n_tokens < engine.last_stats.prompt_tokens
    assert _answer(engine, COLOURS)


def test_cancel_before_start_yields_nothing(engine: Any) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        next(iter(engine.stream_chat(COLOURS, cancel=cancel)))


def test_fixed_system_prefix_is_not_evaluated_again(engine: Any) -> None:
    system = {"role": "system", "content": "Answer from the sources and cite them like [1]. " * 40}
    _answer(engine, [system, {"role": "user", "content": "What is the capital of France?"}], 4)
    first = engine.last_stats
    _answer(engine, [system, {"role": "user", "content": "What is the capital of Italy?"}], 4)
    second = engine.last_stats
    system_tokens = engine.count_chat_tokens([system]) - 5
    assert first.prompt_tokens_cached < system_tokens
    assert second.prompt_tokens_cached >= system_tokens  # the time this saves: bench_generation.py


def test_prompt_over_the_window_is_refused_and_engine_survives(engine: Any) -> None:
    huge = [{"role": "user", "content": "word " * 2500}]
    with pytest.raises(PromptTooLong, match="context window"):
        next(iter(engine.stream_chat(huge)))
    assert _answer(engine, COLOURS)


def test_info_describes_the_model(engine: Any, chat_model_path: Path) -> None:
    info = engine.info
    assert info.architecture == "qwen2"
    assert info.context_length == 32768
    assert info.size == chat_model_path.stat().st_size
    assert info.embedded
    assert info.name
    assert engine.n_ctx == 2048
