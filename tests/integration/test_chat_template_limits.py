"""Chat templates that branch on what a question holds: they are rendered with size limits on every
question (``template_sandbox``), and checked as every question renders them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from gguf_bombs import VOCABS
from ragtune.core.generation.chat_tokens import ChatTokenizer, check_chat_template
from ragtune.errors import ModelError

TURNS = "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}<|end|>\n{% endfor %}<|assistant|>\n"
#: passes a check with the short sample chat, blows up once a content is long
ON_LONG_CONTENT = "{% if messages[1].content|length > 500 %}{{ 'A' * 10**9 }}{% endif %}" + TURNS
#: the sample chat's contents are long; a question's contents reach the template as short placeholders
ON_PLACEHOLDERS = "{% if messages[1].content|length < 10 %}{{ 'A' * 10**9 }}{% endif %}" + TURNS


@pytest.fixture(scope="module")
def phi3_vocab() -> Iterator[Any]:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(VOCABS / "ggml-vocab-phi-3.gguf"), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def test_a_template_that_blows_up_on_long_content_gives_a_plain_error(phi3_vocab: Any) -> None:
    chat = ChatTokenizer(phi3_vocab, ON_LONG_CONTENT)  # the short sample chat passes
    question = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "Why? " * 200}]
    assert chat.tokens(question)  # a question's contents never reach the template
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        chat.render(question)  # the contents themselves do
    assert str(caught.value) == (
        "The model's chat template cannot be used for this question: "
        "it builds a string of 1,000,000,000 characters"
    )
    assert time.perf_counter() - started < 1.0
    assert psutil.Process().memory_info().rss - before < 64 << 20


def test_the_check_renders_the_chat_as_every_question_does() -> None:
    with pytest.raises(ModelError) as caught:
        check_chat_template(ON_PLACEHOLDERS)
    assert str(caught.value) == (
        "it builds a string of 1,000,000,000 characters for a short chat (a chat template writes a few hundred)"
    )


def test_a_template_writing_too_much_is_stopped_as_it_writes() -> None:
    loop = "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}" + TURNS  # 10 MB, 100 characters at a time
    with pytest.raises(ModelError, match="it writes over 2,000,000 characters for a short chat"):
        check_chat_template(loop)
