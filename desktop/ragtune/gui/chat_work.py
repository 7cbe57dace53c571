"""What the chat view runs on the lanes, without widgets: asking in a chat (``svc.ask_in_chat``,
which creates or names the chat first), saving its RAG switch, and exporting a chat as Markdown. Also the short texts the
chat shows about them."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ragtune.core.answer_types import AdapterSpec, Answer, ChatInfo
from ragtune.gui.context import AppContext
from ragtune.gui.progress_events import (
    ChatNamed,
    ModelLoading,
    SourcesFound,
    TokenStreamed,
)
from ragtune.gui.tasks import Job


def answer_note(answer: Answer) -> str:
    """The footer's note after the timings (unsupported sentences have their own warning); an
    answer the history could not take says so (it stays on screen)."""
    note = _state_note(answer)
    if answer.history_error:
        return f"{note}; not saved to the history" if note else "not saved to the history"
    return note


def _state_note(answer: Answer) -> str:
    if answer.cancelled:
        return "stopped"
    if answer.error:  # a server cut the answer off: what came is kept
        return f"cut off: {answer.error}"
    if answer.declined:
        return "no passage was relevant enough; the model was not asked to guess"
    return " ".join(answer.notes)  # e.g. the question was shortened to fit


def ask_in_chat(
    ctx: AppContext,
    job: Job,
    text: str,
    chat: ChatInfo | None,
    library: str | None,
    rag: bool,
    adapters: list[AdapterSpec],
) -> Answer:
    """The model lane's work for one question (``svc.ask_in_chat``), its steps reported on ``job``
    as :data:`ChatEvent` objects (``ChatNamed``, ``ModelLoading``, ``SourcesFound``,
    ``TokenStreamed``)."""
    return ctx.svc.ask_in_chat(
        text,
        chat.id if chat else None,
        library,
        rag=rag,
        adapters=adapters,
        on_chat=lambda named: job.report(ChatNamed(named)),
        on_model=lambda p: job.report(ModelLoading(p)),
        on_sources=lambda hits: job.report(SourcesFound(list(hits))),
        on_token=lambda piece: job.report(TokenStreamed(piece)),
        cancel=job.cancel,
    )


class RagSwitchSaver:
    """Saves a chat's RAG switch on its row (the database is the one place it is kept), on the
    reads lane. That lane has two workers, so each job writes the latest wanted value under a lock:
    quick toggles end with the last one stored."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._wanted: dict[int, bool] = {}
        self._lock = threading.Lock()

    def save(self, chat_id: int, rag: bool) -> Job:
        self._wanted[chat_id] = rag
        return self.ctx.reads.submit(
            lambda job: self._write(chat_id),
            on_error=lambda exc: self.ctx.messages.error(exc, "Saving the chat's RAG switch"),
            name="chat rag",
        )

    def _write(self, chat_id: int) -> ChatInfo:
        with self._lock:
            return self.ctx.svc.chats.set_chat_rag(chat_id, self._wanted[chat_id])


def export_chat(ctx: AppContext, chat: ChatInfo | None, path: str) -> Job | None:
    """Write ``chat`` as Markdown to ``path`` (reads lane); None when there is no chat yet."""
    if chat is None:
        ctx.messages.notice("Nothing to export yet: ask a question first.")
        return None
    chat_id = chat.id

    def run(job: Job) -> str:
        Path(path).write_text(ctx.svc.chats.export_chat(chat_id), encoding="utf-8")
        return path

    return ctx.reads.submit(
        run,
        on_result=lambda p: ctx.messages.notice(f"Chat exported to {p}."),
        on_error=lambda exc: ctx.messages.error(exc, "Exporting the chat"),
        name="export chat",
    )


def prompt_export(parent: QWidget, ctx: AppContext, chat: ChatInfo | None) -> Job | None:
    """Ask where to save ``chat``, then export it."""
    if chat is None:
        ctx.messages.notice("Nothing to export yet: ask a question first.")
        return None
    name = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in chat.title).strip()
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export chat", str(Path.home() / f"{name or 'chat'}.md"), "Markdown (*.md)"
    )
    return export_chat(ctx, chat, path) if path else None
