"""A person's own training examples (a style or task set) in the chat-messages JSONL format that other
fine-tuning tools use: one JSON object a line, ``{"messages": [{"role": ..., "content": ...}, ...]}``.

A line is an example when its messages are: an optional ``system`` message first, then ``user`` and
``assistant`` messages taking turns, starting with ``user`` and ending with ``assistant`` (the
target), each with a string ``content``. Other keys (``name``, ``weight``) are ignored. A bad line is
reported as ``line N: reason`` and skipped; the rest are kept. A missing, unreadable, non-UTF-8 or
empty file is a ``RagtuneError``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ragtune.core.finetune.types import STYLE, Example
from ragtune.core.user_files import read_user_text
from ragtune.errors import RagtuneError

#: larger files are refused: a hand-made style set is far smaller
MAX_FILE_BYTES = 200_000_000
ROLES = ("system", "user", "assistant")


def _read_text(path: Path) -> str:
    return read_user_text(path, MAX_FILE_BYTES, "a JSONL training set")


def parse_messages(row: object) -> list[dict[str, str]]:
    """The messages of one parsed line, or ``ValueError`` saying what is wrong with it."""
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    raw = row.get("messages")
    if not isinstance(raw, list):
        raise ValueError('no "messages" list')
    if not raw:
        raise ValueError('"messages" is empty')
    messages: list[dict[str, str]] = []
    for i, message in enumerate(raw, start=1):
        if not isinstance(message, dict):
            raise ValueError(f"message {i} is not an object with role and content")
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise ValueError(f"message {i}: role must be system, user or assistant, not {role!r}")
        if not isinstance(content, str):
            raise ValueError(f"message {i}: content must be a string")
        if not content.strip() and role != "system":
            raise ValueError(f"message {i}: the {role} message is empty")
        messages.append({"role": str(role), "content": content})
    _check_turns(messages)
    return messages


def _check_turns(messages: list[dict[str, str]]) -> None:
    roles = [m["role"] for m in messages]
    if "system" in roles[1:]:
        raise ValueError(f"message {roles.index('system', 1) + 1}: a system message may only come first")
    turns = roles[1:] if roles[0] == "system" else roles
    if "user" not in turns:
        raise ValueError("no user message")
    if roles[-1] != "assistant":
        raise ValueError("the last message must be the assistant's (the answer to learn)")
    offset = len(roles) - len(turns)
    for i, role in enumerate(turns):
        expected = "user" if i % 2 == 0 else "assistant"
        if role != expected:
            article = "an" if expected == "assistant" else "a"
            raise ValueError(f"message {i + offset + 1}: expected {article} {expected} message here, not {role}")


def read_chat_jsonl(path: str | Path) -> tuple[list[Example], list[str]]:
    """The examples of a chat-messages JSONL file and ``line N: reason`` for each line skipped."""
    path = Path(path)
    text = _read_text(path)
    examples: list[Example] = []
    errors: list[str] = []
    lines = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        lines += 1
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        try:
            examples.append(Example(parse_messages(row), STYLE, None, path.name))
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
    if not lines:
        raise RagtuneError(f"{path} has no examples: write one JSON object a line, "
                           '{"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}.')
    return examples, errors
