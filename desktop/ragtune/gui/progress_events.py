"""What a lane job reports to the widget that started it: one small frozen dataclass per kind of
event, dispatched with ``isinstance`` in the receiving widget (``Job.report`` carries them across
threads), instead of ``(kind, value)`` tuples whose tags and value types nothing checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from ragtune.core.answer_types import ChatInfo
from ragtune.core.types import Hit, Progress

# -- asking in a chat (chat_work.ask_in_chat → ChatView) -------------------------------------------


@dataclass(frozen=True)
class ChatNamed:
    """The question started a new chat, or named an untitled one after itself."""

    chat: ChatInfo


@dataclass(frozen=True)
class ModelLoading:
    """The chat model is loading (``progress.done < progress.total``) or ready."""

    progress: Progress


@dataclass(frozen=True)
class SourcesFound:
    """The passages the answer will be given (before any token)."""

    hits: list[Hit]


@dataclass(frozen=True)
class TokenStreamed:
    """The next piece of the answer's text."""

    piece: str


ChatEvent = ChatNamed | ModelLoading | SourcesFound | TokenStreamed

__all__ = [
    "ChatEvent",
    "ChatNamed",
    "ModelLoading",
    "SourcesFound",
    "TokenStreamed",
]
