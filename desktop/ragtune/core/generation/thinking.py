"""Answers without a model's hidden reasoning: reasoning ("thinking") models are asked not to think,
and whatever reasoning block they still write is taken out of the streamed answer.

- The chat template gets ``enable_thinking=False`` (``TEMPLATE_VARIABLES``): Qwen3 and Qwen3.5
  templates then open the answer with an empty ``<think></think>``; templates that do not know the
  variable ignore it. Gemma 4 thinks only when asked in the system turn, which Ragtune never does.
- ``without_thinking`` drops a reasoning block the answer starts with (``<think>…</think>``, as
  some models write even when told not to), so a cited answer never shows it, and its stop is seen
  in the pieces as they arrive: the text after the block streams on at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: variables every chat template is rendered with
TEMPLATE_VARIABLES: dict[str, Any] = {"enable_thinking": False}
OPEN, CLOSE = "<think>", "</think>"


def without_thinking(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces`` with a leading ``<think>…</think>`` block (and the blank space after it) removed.
    A block that never closes is dropped whole; text that only looks like the start of one is
    passed on as soon as it cannot be one."""
    held = ""
    state = "start"  # start: deciding; thinking: inside the block; after: blank space after it; plain
    for piece in pieces:
        if state == "plain":
            yield piece
            continue
        held += piece
        if state == "start":
            stripped = held.lstrip()
            if stripped.startswith(OPEN):
                state, held = "thinking", stripped[len(OPEN):]
            elif OPEN.startswith(stripped):
                continue  # still maybe the opening tag
            else:
                state = "plain"
                yield held
                held = ""
                continue
        if state == "thinking":
            end = held.find(CLOSE)
            if end < 0:
                held = held[-len(CLOSE):]  # only what could be the start of the closing tag
                continue
            state, held = "after", held[end + len(CLOSE):]
        if state == "after":
            held = held.lstrip()
            if held:
                state = "plain"
                yield held
                held = ""
    if state == "start" and held:
        yield held
