"""The conversation of one chat: its messages, the question box, Stop, RAG on/off and export.

Asking runs ``svc.ask`` on the model lane. The sources arrive first (chips on the new answer), then
tokens stream in; the Markdown is re-rendered on a 50 ms timer rather than per token, so a fast
model never floods the UI thread. Citation chips and ``[n]`` links emit ``citation_clicked``.
The conversation scrolls up and down only: every message wraps to the pane's width.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ragtune.core.answer_types import (
    NEW_CHAT_TITLE,
    AdapterSpec,
    Answer,
    ChatInfo,
    MessageInfo,
    question_problem,
)
from ragtune.core.marks import Mark
from ragtune.errors import RagtuneError
from ragtune.gui import progress_events as events
from ragtune.gui.adapter_offer import AdapterOfferBanner
from ragtune.gui.chat_input import QuestionBox
from ragtune.gui.chat_work import (
    RagSwitchSaver,
    answer_note,
    ask_in_chat,
    export_chat,
    prompt_export,
)
from ragtune.gui.context import AppContext
from ragtune.gui.conversation import Conversation
from ragtune.gui.look import icon, key_text
from ragtune.gui.mark_work import Marking
from ragtune.gui.message_parts import ElidedLabel
from ragtune.gui.message_widget import MessageWidget
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)

FLUSH_MS = 50


class ChatView(QWidget):
    """One chat at a time; ``set_chat`` switches, ``ask`` asks in it (creating one if needed)."""

    citation_clicked = Signal(object)  # Citation
    chat_created = Signal(int)  # a chat was created (or renamed) for a question: refresh the list
    chat_changed = Signal(object)  # ChatInfo whose RAG switch was turned: update the listed copy
    answer_finished = Signal(object)  # Answer | None

    def __init__(
        self,
        ctx: AppContext,
        adapters_provider: Callable[[], list[AdapterSpec]],
        library_provider: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.adapters_provider = adapters_provider
        self.library_provider = library_provider
        self.chat: ChatInfo | None = None
        self.token_events = 0  # streamed pieces received for the current answer (tests, stats)
        self._job: Job | None = None
        self._active: MessageWidget | None = None
        self._load_seq = 0
        self._rag_saver = RagSwitchSaver(ctx)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._build()
        self.marking = Marking(ctx, self, self._chat_library, lambda: [w for w in self.messages if w.role != "user"])
        self._show_empty()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = ElidedLabel(NEW_CHAT_TITLE)
        self.title.setObjectName("heading")
        self.rag_toggle = QCheckBox("Use my documents (RAG)")
        self.rag_toggle.setChecked(True)
        self.rag_toggle.setToolTip("On: answers come from your library, with citations. Off: the model alone.")
        self.rag_toggle.toggled.connect(self._rag_toggled)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(f"Save this chat as Markdown ({key_text('Ctrl+E')})")
        self.export_button.clicked.connect(self.prompt_export)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.rag_toggle)
        top.addWidget(self.export_button)
        self.scroll_area = Conversation()
        self.suggestions = self.scroll_area.suggestions
        self.suggestions.chosen.connect(self.ask)
        self.scroll_area.verticalScrollBar().rangeChanged.connect(self._follow)
        self.input = QuestionBox()
        self.input.submitted.connect(lambda: self.ask())
        self.ask_button = QPushButton(icon("ask"), "Ask")
        self.ask_button.setToolTip(f"Ask (Enter or {key_text('Ctrl+Enter')})")
        self.ask_button.clicked.connect(lambda: self.ask())
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.ask_button)
        buttons.addWidget(self.stop_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.input, 1)
        bottom.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        self.adapter_offer = AdapterOfferBanner()  # shown by the main window (core.adapter_offer)
        layout.addWidget(self.adapter_offer)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(bottom)

    @property
    def messages(self) -> list[MessageWidget]:
        return self.scroll_area.messages

    def _follow(self, _minimum: int, maximum: int) -> None:
        if self._active is not None:
            self.scroll_area.verticalScrollBar().setValue(maximum)

    # -- chats ----------------------------------------------------------------------------------
    def library(self) -> str | None:
        """The library questions go to: the chat's own, else the one selected on the left."""
        if self.chat is not None and self.chat.library:
            return self.chat.library
        return self.library_provider()

    def rag(self) -> bool:
        return self.rag_toggle.isChecked()

    def set_chat(self, chat: ChatInfo | None) -> Job | None:
        """Show ``chat`` (None: an empty, not yet created chat)."""
        same = chat is not None and self.chat is not None and chat.id == self.chat.id
        self.chat = chat
        self.title.setText(chat.title if chat else NEW_CHAT_TITLE)
        self.rag_toggle.blockSignals(True)
        if chat is not None:  # the chat's own switch; an unsaved chat keeps the box as it is
            self.rag_toggle.setChecked(chat.rag)
        self.rag_toggle.blockSignals(False)
        if same:
            return None
        if self.busy():
            self.stop()
            self._release()
        self.scroll_area.clear()
        if chat is None:
            self._show_empty()
            return None
        self._load_seq += 1
        seq = self._load_seq
        svc = self.ctx.svc

        def load(job: Job) -> tuple[list[MessageInfo], dict[int, Mark]]:
            msgs = svc.chats.messages(chat.id)
            return msgs, svc.evaluation.marks_of([m.id for m in msgs if m.role == "assistant"])

        return self.ctx.reads.submit(
            load,
            on_result=lambda loaded: self._show_messages(seq, *loaded),
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading the chat"),
            name="messages",
        )

    def _rag_toggled(self, on: bool) -> None:
        """Keep the switch on the chat's row in the database (the one place it is stored)."""
        if self.chat is not None:
            chat_id = self.chat.id
            self.chat = replace(self.chat, rag=on)
            self.chat_changed.emit(self.chat)
            self._rag_saver.save(chat_id, on)
        if not self.messages:
            self._show_empty()

    def _show_empty(self) -> None:
        self.suggestions.show_for(self.library(), self.rag())
        self.suggestions.setVisible(not self.messages)

    def _show_messages(self, seq: int, msgs: list[MessageInfo], marks: dict[int, Mark]) -> None:
        if seq != self._load_seq:
            return
        self.scroll_area.clear()
        for m in msgs:
            widget = self._add(m.role, m.content)
            if m.role == "assistant":
                widget.finish(m.content, m.citations, m.mode, m.model, m.adapters, m.timings)
                self.marking.attach(widget, m.id, marks.get(m.id))
        self._show_empty()

    def _chat_library(self) -> str | None:
        """The library of the chat shown (its answers' documents), else the one chosen."""
        return self.chat.library if self.chat is not None else self.library()

    def _add(self, role: str, text: str = "") -> MessageWidget:
        widget = self.scroll_area.add(role, text)
        widget.citation_clicked.connect(self.citation_clicked)
        return widget

    # -- asking ---------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self._job is not None

    def ask(self, question: str | None = None) -> Job | None:
        """Ask ``question`` (or the text in the box) in this chat, on the model lane."""
        text = (question if question is not None else self.input.toPlainText()).strip()
        if not text or self.busy():
            return None
        rag, library = self.rag(), self.library()
        problem = question_problem(text, library, rag)
        if problem is not None:
            self.ctx.messages.error(problem)
            return None
        adapters = list(self.adapters_provider())
        chat = self.chat
        self.input.clear()
        self._add("user", text)
        self._active = self._add("assistant")
        if not rag:
            self._active.body.setMarkdown("*Thinking…*")
        self.token_events = 0
        run = partial(ask_in_chat, self.ctx, text=text, chat=chat, library=library, rag=rag, adapters=adapters)
        job = self.ctx.model_lane.submit(
            run,
            name="ask",
            on_progress=lambda event: self._progress(job, event),
            on_result=lambda answer: self._done(job, answer),
            on_error=lambda exc: self._failed(job, exc),
        )
        self._job = job
        self.stop_button.setEnabled(True)
        self.ask_button.setEnabled(False)
        self._flush_timer.start()
        return job

    def _progress(self, job: Job, event: object) -> None:
        if job is not self._job or self._active is None:
            return
        if isinstance(event, events.TokenStreamed):
            self.token_events += 1
            self._active.append(event.piece)
        elif isinstance(event, events.SourcesFound):
            self._active.set_sources(event.hits)
        elif isinstance(event, events.ModelLoading):
            if event.progress.done < event.progress.total:
                self.ctx.messages.notice("Loading model…")
                self._active.header.setText("Ragtune · loading the model…")
            else:
                self.ctx.messages.notice("Model ready.", 3000)
        elif isinstance(event, events.ChatNamed):
            self.chat = event.chat
            self.title.setText(event.chat.title)
            self.chat_created.emit(event.chat.id)
        else:
            log.warning("Unexpected progress event from the ask job: %r", event)

    def _flush(self) -> None:
        if self._active is not None:
            self._active.flush()

    def _done(self, job: Job, answer: Answer) -> None:
        if job is not self._job:
            return
        if self._active is not None:
            self._active.show_answer(answer, answer_note(answer))
            self.marking.attach(self._active, answer.message_id)
        if answer.history_error:  # the answer stays on screen; say why it is not in the history
            self.ctx.messages.notice(answer.history_error)
        self._release()
        self.answer_finished.emit(answer)

    def _failed(self, job: Job, exc: BaseException) -> None:
        if job is not self._job:
            return
        if self._active is not None:
            self._active.fail(str(exc) if isinstance(exc, RagtuneError) else "The answer failed.")
        self.ctx.messages.error(exc, "Answering")
        self._release()
        self.answer_finished.emit(None)

    def _release(self) -> None:
        self._flush_timer.stop()
        self._flush()
        self._job = None
        self._active = None
        self.stop_button.setEnabled(False)
        self.ask_button.setEnabled(True)

    def stop(self) -> bool:
        """Cancel the answer being written (Esc); what has streamed stays."""
        if self._job is None:
            return False
        self._job.cancel.set()
        self.ctx.messages.notice("Stopping the answer…", 3000)
        return True

    # -- export ---------------------------------------------------------------------------------
    def export_to(self, path: str) -> Job | None:
        return export_chat(self.ctx, self.chat, path)

    def prompt_export(self) -> None:
        prompt_export(self, self.ctx, self.chat)

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)
