"""Chat prompts tokenized so that only the chat template can write control tokens.

A passage or a question is data, never instructions (docs/architecture.md, "The answer path"): a
document that contains the model's own control strings (``<|im_end|>``, ``<|start_header_id|>``,
``<|end|>``, ...) must not open a new turn. The prompt is therefore never tokenized as one string with special tokens parsed.
Instead:

1. The chat template (the GGUF's own, rendered by llama-cpp-python's ``Jinja2ChatFormatter``) is
   rendered with a placeholder in place of each message's content, so the rendered text splits into
   what the template wrote and where each content goes.
2. The template's pieces are tokenized with special tokens parsed; each content is tokenized as
   plain text (``special=False``), so llama.cpp never turns it into a control token.
3. llama.cpp still matches *user-defined* tokens in plain text. When a content's tokens include a
   token the template itself uses as a special token (or an end-of-generation/BOS token), that
   string is broken with a word joiner (U+2060) in the content and tokenized again.

This holds for any template and any vocabulary, user-added GGUF models included.

A template is untrusted too (it comes with the model file): it is always rendered with size limits
(``template_sandbox``), and ``check_chat_template`` renders a short chat with it (as written, and as
every question renders it, contents replaced by placeholders), with a time and size limit, when a model is added (inside the model check's child)
and, through ``check_chat_template_isolated``, when a model is loaded. A template that fails, that
Jinja's sandbox stops, or that writes megabytes is refused with a plain reason, never at a question.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ragtune.core.generation.thinking import TEMPLATE_VARIABLES
from ragtune.errors import ModelError

Message = dict[str, str]

#: private-use characters: no template alters them, and they are split off before any content is
#: put in, so a content holding the same characters cannot be taken for a placeholder
_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
#: inserted into a content's copy of a special token's text so it tokenizes as plain text
WORD_JOINER = "\u2060"
#: attributes of tokens that carry meaning for the chat format
_SPECIAL_ATTRS = (1 << 3) | (1 << 4)  # LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_USER_DEFINED


#: the chat a template must write within the limits: what the answer path sends (see ``prompts``)
SAMPLE_CHAT: list[Message] = [
    {"role": "system", "content": "Answer from the numbered sources only, citing them like [1]."},
    {"role": "user", "content": "Sources:\n[1] sample.pdf, page 1: The ferry leaves at 9:40.\n\n"
                                "Question: When does the ferry leave?"},
]
#: a real template writes a few hundred characters around the messages; one that writes megabytes
#: would take gigabytes once tokenized
MAX_RENDERED_CHARS = 100_000
#: seconds the sample chat may take to render (real templates take milliseconds)
RENDER_TIME_S = 5.0
_CHECKED_TEMPLATES: set[str] = set()  # digests of templates that passed, per process


def check_chat_template(template: str, bos_token: str = "<s>", eos_token: str = "</s>") -> None:
    """Render ``SAMPLE_CHAT`` with ``template`` as the engine would; ModelError with a plain reason
    when it fails, is stopped by the Jinja sandbox, takes over ``RENDER_TIME_S`` or writes over
    ``MAX_RENDERED_CHARS``. The time limit holds in a process's main thread (the sandbox's child)."""
    from jinja2.exceptions import SecurityError

    from ragtune.core.generation.template_sandbox import LimitedFormatter, TemplateTooLarge
    from ragtune.core.sandbox import TimeLimitExceeded, time_limit

    try:
        with time_limit(RENDER_TIME_S, ""):
            formatter = LimitedFormatter(template=template, eos_token=eos_token, bos_token=bos_token)
            rendered = str(formatter(messages=cast(Any, SAMPLE_CHAT), **TEMPLATE_VARIABLES).prompt)
            # what every question renders: each content replaced by its placeholder (``tokens``)
            marked = split_rendered(lambda chat: str(formatter(messages=cast(Any, chat), **TEMPLATE_VARIABLES).prompt), SAMPLE_CHAT)
            rendered = max(rendered, "".join(s.text for s in marked if not s.is_content), key=len)
    except TimeLimitExceeded:
        raise ModelError(f"writing a short chat with it takes longer than {RENDER_TIME_S:g} s") from None
    except TemplateTooLarge as exc:
        raise ModelError(f"{exc} for a short chat (a chat template writes a few hundred)") from None
    except SecurityError as exc:
        raise ModelError(
            f"Jinja's sandbox stopped it ({str(exc)[:200]}): it reaches for Python internals, which "
            "no chat template needs (a hostile file?)"
        ) from None
    except MemoryError:
        raise ModelError("writing a short chat with it needs more memory than allowed") from None
    except Exception as exc:  # jinja2 and the template's own raise_exception raise several kinds
        raise ModelError(f"it fails on a short chat ({type(exc).__name__}: {str(exc)[:200]})") from None
    if len(rendered) > MAX_RENDERED_CHARS:
        raise ModelError(
            f"it writes {len(rendered):,} characters for a short chat (a chat template writes a few "
            f"hundred; at most {MAX_RENDERED_CHARS:,} are allowed)"
        )


def check_chat_template_isolated(template: str, bos_token: str, eos_token: str) -> None:
    """``check_chat_template`` in a child process with a memory cap (``core.sandbox``), once per
    template and process."""
    from ragtune.core.sandbox import run_isolated

    digest = hashlib.sha256("\0".join((template, bos_token, eos_token)).encode("utf-8", "replace")).hexdigest()
    if digest in _CHECKED_TEMPLATES:
        return
    run_isolated(
        check_chat_template, template, bos_token, eos_token, what="checking the chat template",
        error=ModelError, timeout_s=RENDER_TIME_S + 10, memory_mb=1024,  # + imports
    )
    _CHECKED_TEMPLATES.add(digest)


@dataclass(frozen=True)
class Segment:
    """A piece of the rendered prompt: written by the template, or one message's content."""

    text: str
    is_content: bool


def split_rendered(render: Callable[[list[Message]], str], messages: Sequence[Message]) -> list[Segment]:
    """The prompt as the template renders ``messages``, cut into template text and contents."""
    marked = [{**m, "content": _PLACEHOLDER.format(i)} for i, m in enumerate(messages)]
    rendered = render(marked)
    segments: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(rendered):
        if match.start() > position:
            segments.append(Segment(rendered[position : match.start()], False))
        content = messages[int(match.group(1))]["content"]
        if content:
            segments.append(Segment(content, True))
        position = match.end()
    if position < len(rendered):
        segments.append(Segment(rendered[position:], False))
    return segments


class ChatTokenizer:
    """Formats and tokenizes chats for one loaded ``llama_cpp.Llama`` (see module docstring)."""

    def __init__(self, llm: Any, template: str) -> None:
        import llama_cpp

        from ragtune.core.generation.template_sandbox import LimitedFormatter

        self._llm = llm
        self._vocab = llama_cpp.llama_model_get_vocab(llm.model)
        eos, bos = llm.token_eos(), llm.token_bos()
        check_chat_template_isolated(template, self.token_text(bos), self.token_text(eos))
        self.formatter = LimitedFormatter(
            template=template, eos_token=self.token_text(eos), bos_token=self.token_text(bos),
            stop_token_ids=[eos],
        )
        #: tokens a content must never produce: end of generation, BOS, and every special token the
        #: template writes (added as the template's pieces are first tokenized)
        self._forbidden: set[int] = {t for t in (eos, bos, self._eot()) if t >= 0}
        self._template_cache: dict[str, list[int]] = {}

    def token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return bytes(self._llm.detokenize([token], special=True)).decode("utf-8", "replace")

    def _eot(self) -> int:
        import llama_cpp

        return int(llama_cpp.llama_vocab_eot(self._vocab))

    def _attr(self, token: int) -> int:
        import llama_cpp

        return int(llama_cpp.llama_vocab_get_attr(self._vocab, token))

    def _tokenize(self, text: str, special: bool) -> list[int]:
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special))

    def render(self, messages: Sequence[Message]) -> str:
        """The chat as text, rendered by the model's template, ending with the assistant's opener.
        ModelError, before any tokenizing, when the template writes or builds too much for it (a
        template that passed the check with a short chat may branch on what a question holds)."""
        from ragtune.core.generation.template_sandbox import TemplateTooLarge

        try:
            return str(self.formatter(messages=cast(Any, list(messages)), **TEMPLATE_VARIABLES).prompt)
        except TemplateTooLarge as exc:
            raise ModelError(f"The model's chat template cannot be used for this question: {exc}") from None

    def tokens(self, messages: Sequence[Message]) -> list[int]:
        """The token ids of the chat: control tokens from the template only."""
        segments = split_rendered(self.render, messages)
        for segment in segments:  # learn the template's special tokens before checking contents
            if not segment.is_content:
                self._template_tokens(segment.text)
        out: list[int] = []
        for segment in segments:
            if segment.is_content:
                out.extend(self.content_tokens(segment.text))
            else:
                out.extend(self._template_tokens(segment.text))
        return out

    def _template_tokens(self, text: str) -> list[int]:
        tokens = self._template_cache.get(text)
        if tokens is None:
            tokens = self._tokenize(text, special=True)
            self._forbidden.update(t for t in tokens if self._attr(t) & _SPECIAL_ATTRS)
            if len(self._template_cache) < 256:
                self._template_cache[text] = tokens
        return tokens

    def content_tokens(self, text: str) -> list[int]:
        """``text`` as plain text: never a control token, never one of the template's own tokens."""
        return plain_tokens(text, lambda t: self._tokenize(t, special=False), self._forbidden, self.token_text)


def plain_tokens(
    text: str, tokenize: Callable[[str], list[int]], forbidden: set[int], token_text: Callable[[int], str]
) -> list[int]:
    """``text`` tokenized as plain text (``tokenize`` with special tokens not parsed) without any
    ``forbidden`` token: a tokenizer may still match a user-defined token in plain text, so each one
    found gets a word joiner after its first character and the text is tokenized again (shared by
    the engine's ``ChatTokenizer`` and the trainer's ``ChatEncoder``)."""
    tokens = tokenize(text)
    for _ in range(8):
        bad = {t for t in tokens if t in forbidden}
        if not bad:
            return tokens
        for token in bad:
            literal = token_text(token)
            if len(literal) > 1:
                text = text.replace(literal, literal[0] + WORD_JOINER + literal[1:])
        tokens = tokenize(text)
    return [t for t in tokens if t not in forbidden]
