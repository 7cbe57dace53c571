"""A reasoning model's ``<think>`` block never reaches the answer; other text passes unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ragtune.core.generation.chat_tokens import ChatTokenizer, check_chat_template, split_rendered
from ragtune.core.generation.template_sandbox import LimitedFormatter
from ragtune.core.generation.thinking import without_thinking


def _join(pieces: list[str]) -> str:
    return "".join(without_thinking(iter(pieces)))


@pytest.mark.parametrize(("pieces", "expected"), [
    (["<think>", "weighing it", "</think>", "\n\n", "The answer [1]."], "The answer [1]."),
    (["<thi", "nk>\nlong thought</th", "ink>", " 42 [2]."], "42 [2]."),
    (["  <think></think>\n\nDirect."], "Direct."),
    (["The answer mentions <think> tags [1]."], "The answer mentions <think> tags [1]."),
    (["<th", "e answer"], "<the answer"),
    (["<thin"], "<thin"),  # ended before it could be a tag: passed on
    (["<think>never closed, cut by the token limit"], ""),
    ([], ""),
])
def test_leading_block_is_dropped(pieces: list[str], expected: str) -> None:
    assert _join(pieces) == expected


def test_text_after_the_block_streams_piece_by_piece() -> None:
    out = list(without_thinking(iter(["<think>x</think>", "One", " two", " three"])))
    assert out == ["One", " two", " three"]


QWEN3_STYLE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}"
    "{% endif %}"
)


def test_templates_are_told_not_to_think() -> None:
    formatter = LimitedFormatter(template=QWEN3_STYLE, eos_token="<|im_end|>", bos_token="")
    chat = [{"role": "user", "content": "How many layers?"}]
    tokenizer = SimpleNamespace(formatter=formatter)  # ``render`` uses only the formatter
    rendered = "".join(s.text for s in split_rendered(
        lambda c: ChatTokenizer.render(tokenizer, c), chat))  # type: ignore[arg-type]
    assert "How many layers?" in rendered
    assert rendered.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
    check_chat_template(QWEN3_STYLE, "", "<|im_end|>")  # the model check renders it the same way


def test_the_trainer_renders_prompts_as_the_engine_does() -> None:
    """Training examples end their prompt with the same empty think block the engine's prompt ends
    with, so an adapter learns the answer where the engine asks for it."""
    from ragtune.core.finetune.train_tokens import ChatEncoder

    tokenizer = SimpleNamespace(convert_ids_to_tokens=lambda _id: "<|im_end|>", all_special_ids=[])
    encoder = ChatEncoder(tokenizer, QWEN3_STYLE, eos_id=1, bos_id=-1)
    chat = [{"role": "user", "content": "How many layers?"}]
    prompt = "".join(s.text for s in encoder._render(encoder._prompt, chat))
    assert prompt.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
