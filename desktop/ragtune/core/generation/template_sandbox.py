"""The chat formatter every chat template is rendered with: llama-cpp-python's, with size limits.

A chat template comes with the model file, so it is untrusted. llama-cpp-python renders it in
Jinja's ``ImmutableSandboxedEnvironment`` (no Python internals; ``range`` capped at 100,000), which
still lets a template build a gigabyte string in one step (``'A' * 10**9``) or compute a huge number
(``10 ** 10 ** 9``). ``LimitedFormatter`` renders in ``LimitedSandbox`` instead, which refuses such
an operation before it runs, and stops a rendering as soon as its output passes
``MAX_PROMPT_CHARS``: the caller gets a ``TemplateTooLarge`` (a Jinja ``SecurityError``) in
milliseconds, with the memory it had.
"""

from __future__ import annotations

import operator
from typing import Any

from jinja2 import BaseLoader, Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

#: the most characters one rendering, or one string or list a template builds, may have; the
#: template's own text in a real prompt is a few hundred characters per message
MAX_PROMPT_CHARS = 2_000_000
#: the largest number (in bits) a template's ``**`` may produce
_MAX_POWER_BITS = 4096


class TemplateTooLarge(SecurityError):
    """A template built or wrote more than ``MAX_PROMPT_CHARS`` characters (or a huge number)."""


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, where ``*``, ``**`` and ``+`` cannot build something huge."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            sized, count = (left, right) if _length(left) is not None else (right, left)
            size = _length(sized)
            if size is not None and isinstance(count, int) and size * count > MAX_PROMPT_CHARS:
                raise TemplateTooLarge(f"it builds a string of {size * count:,} characters")
            return operator.mul(left, right)
        if operator_name == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0 \
                    and right * abs(left).bit_length() > _MAX_POWER_BITS:
                raise TemplateTooLarge("it computes a number too large to write")
            return operator.pow(left, right)
        if operator_name == "+":
            sizes = (_length(left), _length(right))
            if None not in sizes and sum(s for s in sizes if s is not None) > MAX_PROMPT_CHARS:
                raise TemplateTooLarge(f"it builds a string of over {MAX_PROMPT_CHARS:,} characters")
            return operator.add(left, right)
        return super().call_binop(context, operator_name, left, right)


class LimitedFormatter(Jinja2ChatFormatter):
    """``Jinja2ChatFormatter`` whose template is compiled in ``LimitedSandbox`` and whose output
    is cut off (``TemplateTooLarge``) once it passes ``MAX_PROMPT_CHARS``."""

    def __init__(
        self, template: str, eos_token: str, bos_token: str, add_generation_prompt: bool = True,
        stop_token_ids: list[int] | None = None,
    ) -> None:
        # not ``super().__init__``: compiling there, in Jinja's plain sandbox, would fold a constant
        # expression such as ``'A' * 10**9`` at once (the attributes it sets are set here)
        self.template = template
        self.eos_token = eos_token
        self.bos_token = bos_token
        self.add_generation_prompt = add_generation_prompt
        self.stop_token_ids = set(stop_token_ids) if stop_token_ids is not None else None
        extensions: list[Any] = ["jinja2.ext.loopcontrols"]
        if hasattr(Jinja2ChatFormatter, "IgnoreGenerationTags"):  # HuggingFace's {% generation %}
            extensions.append(Jinja2ChatFormatter.IgnoreGenerationTags)
        environment = LimitedSandbox(
            loader=BaseLoader(), trim_blocks=True, lstrip_blocks=True, extensions=extensions,
        )
        environment.filters["tojson"] = getattr(self, "tojson", environment.filters["tojson"])
        environment.template_class = _CappedTemplate
        self._environment = environment.from_string(self.template)


class _CappedTemplate(Template):
    """A template whose ``render`` stops once the output passes ``MAX_PROMPT_CHARS``."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        context = self.new_context(dict(*args, **kwargs))
        pieces: list[str] = []
        written = 0
        for piece in self.root_render_func(context):
            written += len(piece)
            if written > MAX_PROMPT_CHARS:
                raise TemplateTooLarge(f"it writes over {MAX_PROMPT_CHARS:,} characters")
            pieces.append(piece)
        return "".join(pieces)


__all__ = ["MAX_PROMPT_CHARS", "LimitedFormatter", "LimitedSandbox", "TemplateTooLarge"]
