"""Model and adapter files that try to exhaust memory, and chat templates that attack: each is
refused with a plain reason when it is checked (adapter check, model check, model load), in a
child process, before the app's memory or a question is touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from gguf_bombs import VOCABS, kv_bomb, tiny_chat_model
from ragtune.core.generation.adapters import validate_adapter
from ragtune.core.generation.chat_tokens import ChatTokenizer
from ragtune.core.generation.models import inspect_gguf
from ragtune.errors import AdapterError, ModelError

HUGE = "{{ 'A' * 20000000 }}"
ESCAPE = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
SLOW = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
PHI3 = (VOCABS / "microsoft-Phi-3.5-mini-instruct.jinja").read_text(encoding="utf-8")


def test_adapter_claiming_2_63_entries_is_refused_without_the_memory(tmp_path: Path, chat_model_path: Path) -> None:
    bomb = kv_bomb(tmp_path / "bomb.gguf", megabytes=16)
    before = psutil.Process().memory_info().rss
    with pytest.raises(AdapterError) as caught:
        validate_adapter(bomb, chat_model_path)
    assert str(caught.value) == (
        "bomb.gguf is not a usable adapter: bomb.gguf claims 9223372036854775807 metadata entries but "
        "the file is only 16 MB: not a valid GGUF file"
    )
    assert psutil.Process().memory_info().rss - before < 64 << 20  # it took 3 GB and a minute


@pytest.mark.parametrize(("template", "reason"), [
    (HUGE, "it builds a string of 20,000,000 characters for a short chat"),
    (ESCAPE, "Jinja's sandbox stopped it (access to attribute '__init__'"),
    (SLOW, "writing a short chat with it takes longer than 5 s"),
    ("{% if %}", "it fails on a short chat (TemplateSyntaxError"),
])
def test_model_check_refuses_a_hostile_chat_template(tmp_path: Path, template: str, reason: str) -> None:
    model = tiny_chat_model(tmp_path / "hostile.gguf", template)
    with pytest.raises(ModelError) as caught:
        inspect_gguf(model)
    message = str(caught.value)
    assert message.startswith("hostile.gguf has a chat template that cannot be used: ")
    assert reason in message


def test_model_check_takes_a_real_chat_template(tmp_path: Path) -> None:
    info = inspect_gguf(tiny_chat_model(tmp_path / "phi.gguf", PHI3))
    assert info.architecture == "phi3"


@pytest.fixture(scope="module")
def phi3_vocab() -> Iterator[Any]:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(VOCABS / "ggml-vocab-phi-3.gguf"), vocab_only=True, verbose=False)
    yield llm
    llm.close()


@pytest.mark.parametrize(("template", "reason"), [
    (HUGE, "it builds a string of 20,000,000 characters"),
    (ESCAPE, "Jinja's sandbox stopped it"),
])
def test_loading_refuses_a_hostile_chat_template(phi3_vocab: Any, template: str, reason: str) -> None:
    """A model listed before templates were checked is refused when it is loaded, not at a question."""
    with pytest.raises(ModelError, match=reason):
        ChatTokenizer(phi3_vocab, template)
    assert ChatTokenizer(phi3_vocab, PHI3).render([{"role": "user", "content": "Hi"}])
