"""Training examples as token ids, the same ids llama.cpp evaluates at inference.

The prompt is rendered exactly as the engine renders it (``generation/chat_tokens.py``): the GGUF's
own chat template through llama-cpp-python's ``Jinja2ChatFormatter`` (pure Python, no model
loaded), cut into the template's text and each message's content; the template's pieces are
tokenized with special tokens parsed, each content as plain text (``split_special_tokens``), so a
content never becomes a control token. Tokenizing piece by piece keeps the token boundaries that
llama.cpp has (tests/integration/test_train_adapter.py compares the ids with ``Engine.chat_tokens``).

An example's labels are the assistant's answer and the template's end of turn (through the end-of-
generation token, so the model learns to stop); every prompt token is -100 (no loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ragtune.core.finetune.train_types import TrainError
from ragtune.core.generation.chat_tokens import Message, plain_tokens, split_rendered
from ragtune.core.generation.thinking import TEMPLATE_VARIABLES

IGNORE = -100


class ChatEncoder:
    """Tokenizes chats for training with a transformers tokenizer loaded from the same GGUF."""

    def __init__(self, tokenizer: Any, template: str, eos_id: int, bos_id: int, eot_id: int = -1) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.tokenizer = tokenizer
        self.stop_ids = {t for t in (eos_id, eot_id) if t >= 0}
        eos, bos = self._text(eos_id), self._text(bos_id)
        self._prompt = Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=True)
        self._full = Jinja2ChatFormatter(template, eos, bos, add_generation_prompt=False)
        self._forbidden = {t for t in (eos_id, bos_id, eot_id) if t >= 0}
        special = getattr(tokenizer, "all_special_ids", [])
        self._special = set(special) | self._forbidden

    def _text(self, token: int) -> str:
        return "" if token < 0 else str(self.tokenizer.convert_ids_to_tokens(token))

    def _tokenize(self, text: str, special: bool) -> list[int]:
        encoded = self.tokenizer(text, add_special_tokens=False, split_special_tokens=not special)
        return list(encoded["input_ids"])

    def _template_tokens(self, text: str) -> list[int]:
        tokens = self._tokenize(text, special=True)
        self._forbidden.update(t for t in tokens if t in self._special)
        return tokens

    def content_tokens(self, text: str) -> list[int]:
        """``text`` as plain text, never one of the template's special tokens (as the engine does)."""
        return plain_tokens(text, lambda t: self._tokenize(t, special=False), self._forbidden, self._text)

    def _render(self, formatter: Any, messages: Sequence[Message]) -> list[Any]:
        def render(marked: list[Message]) -> str:
            return str(formatter(messages=marked, **TEMPLATE_VARIABLES).prompt)  # as the engine renders

        return split_rendered(render, messages)

    def _segment_tokens(self, segments: Sequence[Any]) -> list[int]:
        for segment in segments:
            if not segment.is_content:
                self._template_tokens(segment.text)
        out: list[int] = []
        for segment in segments:
            out.extend(self.content_tokens(segment.text) if segment.is_content
                       else self._template_tokens(segment.text))
        return out

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The prompt's ids, ending with the assistant's opener: ``Engine.chat_tokens``'s ids."""
        return self._segment_tokens(self._render(self._prompt, messages))

    def encode(self, messages: Sequence[Message]) -> tuple[list[int], list[int]]:
        """``(input_ids, labels)`` of one example whose last message is the assistant's answer."""
        if not messages or messages[-1].get("role") != "assistant" or not messages[-1].get("content"):
            raise TrainError("a training example must end with a non-empty assistant message")
        segments = self._render(self._full, messages)
        answer_at = max(i for i, s in enumerate(segments) if s.is_content)
        opener = self._render(self._prompt, messages[:-1])
        same = "".join(s.text for s in opener) == "".join(s.text for s in segments[:answer_at])
        # the prompt as inference sees it; a template that renders history differently keeps its own
        prompt = self._segment_tokens(opener if same else segments[:answer_at])
        if segments[answer_at].text != messages[-1]["content"]:
            raise TrainError("the chat template does not end the conversation with the answer")
        answer = self.content_tokens(segments[answer_at].text)
        tail = self._segment_tokens(segments[answer_at + 1 :])
        ends = [i for i, t in enumerate(tail) if t in self.stop_ids]
        tail = tail[: ends[0] + 1] if ends else [*tail, *sorted(self.stop_ids)[:1]]
        target = answer + tail
        return prompt + target, [IGNORE] * len(prompt) + target


def load_encoder(tokenizer: Any, metadata: dict[str, Any]) -> ChatEncoder:
    """A ChatEncoder for the GGUF whose header ``metadata`` (``gguf_info``) is given."""
    template = metadata.get("tokenizer.chat_template")
    if not isinstance(template, str) or not template:
        raise TrainError("the model has no chat template; train an instruction-tuned (chat) model")

    def token(key: str) -> int:
        value = metadata.get(key)
        return int(value) if isinstance(value, int) else -1

    return ChatEncoder(tokenizer, template, token("tokenizer.ggml.eos_token_id"),
                       token("tokenizer.ggml.bos_token_id"), token("tokenizer.ggml.eot_token_id"))
