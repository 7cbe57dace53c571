"""Marking answers from the window: the mark bars of a view's answers wired to the core
(``svc.evaluation.mark_answer`` / ``unmark_answer``) on the reads lane (issue 20).

``Marking`` is attached to each answer widget a view shows (the chat, Compare's columns). A stored
mark comes back to the bar; what the core says ("Marked wrong … The question is in “From my chats”
of “papers” (test split).") goes to the status bar; a refused mark is shown in the open editor,
which keeps what the person typed. Alt+R and Alt+W act on the latest saved answer of the view.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from ragtune.core.marks import Mark, MarkOutcome
from ragtune.errors import RagtuneError
from ragtune.gui.context import AppContext
from ragtune.gui.mark_bar import MarkWish
from ragtune.gui.message_widget import MessageWidget
from ragtune.gui.tasks import Job

RIGHT_KEY = "Alt+R"
WRONG_KEY = "Alt+W"


class Marking(QObject):
    """Marks for the answers of one view (see the module)."""

    marked = Signal(object)  # MarkOutcome: a library's set "From my chats" may have changed

    def __init__(self, ctx: AppContext, view: QWidget, library: Callable[[], str | None],
                 answers: Callable[[], list[MessageWidget]]) -> None:
        super().__init__(view)
        self.ctx = ctx
        self.library = library
        self.answers = answers
        for key, act in ((RIGHT_KEY, self.mark_latest_right), (WRONG_KEY, self.open_latest_wrong)):
            QShortcut(QKeySequence(key), view, act, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def attach(self, widget: MessageWidget, message_id: int, mark: Mark | None = None) -> None:
        """Offer marking on ``widget``, the saved answer ``message_id`` (0: not saved)."""
        if not widget.property("marking"):
            widget.setProperty("marking", True)
            widget.mark_bar.wanted.connect(lambda wish, w=widget: self.request(w, wish))
            widget.mark_bar.editing.connect(lambda _id, w=widget: self.open_editor(w))
            widget.mark_editor.saved.connect(lambda wish, w=widget: self.request(w, wish))
        widget.mark_bar.set_message(message_id, mark)

    def request(self, widget: MessageWidget, wish: MarkWish) -> Job:
        """Store ``wish`` through the core; the bar shows what was stored."""
        evaluation = self.ctx.svc.evaluation

        def work(job: Job) -> MarkOutcome:
            if wish.verdict is None:
                return evaluation.unmark_answer(wish.message_id)
            return evaluation.mark_answer(
                wish.message_id, wish.verdict, wish.answer, wish.gold_file, wish.gold_page, wish.absent
            )

        return self.ctx.reads.submit(
            work, on_result=lambda outcome: self._stored(widget, outcome),
            on_error=lambda exc: self._refused(widget, exc), name="mark",
        )

    def _stored(self, widget: MessageWidget, outcome: MarkOutcome) -> None:
        if shiboken6.isValid(widget):  # the chat or the comparison may have been left meanwhile
            widget.mark_bar.show_mark(outcome.mark)
            widget.mark_editor.close_editor()
        self.ctx.messages.notice(outcome.said)
        self.marked.emit(outcome)

    def _refused(self, widget: MessageWidget, exc: BaseException) -> None:
        if isinstance(exc, RagtuneError) and shiboken6.isValid(widget) and widget.mark_editor.isVisible():
            widget.mark_editor.show_problem(str(exc))
            return
        self.ctx.messages.error(exc, "Marking the answer")

    def open_editor(self, widget: MessageWidget) -> None:
        """Open the Wrong editor, with the library's documents to choose from."""
        library = self.library()
        svc = self.ctx.svc

        def documents(job: Job) -> list[str]:
            return [d.path for d in svc.library.documents(library)] if library else []

        def show(docs: list[str]) -> None:
            if shiboken6.isValid(widget):
                widget.mark_editor.open_for(widget.mark_bar.message_id, widget.citations, widget.mark_bar.mark, docs)

        self.ctx.reads.submit(
            documents,
            on_result=show,
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading the library"), name="documents",
        )

    def _latest(self) -> MessageWidget | None:
        saved = [w for w in self.answers() if w.mark_bar.message_id > 0]
        return saved[-1] if saved else None

    def mark_latest_right(self) -> None:
        latest = self._latest()
        if latest is not None:
            latest.mark_bar.mark_right()

    def open_latest_wrong(self) -> None:
        latest = self._latest()
        if latest is not None:
            self.open_editor(latest)
