"""One message of a conversation: a question, or an answer with its sources, citations and timings.

An answer shows the retrieved sources first (as chips), then its text streams in as Markdown; when
it is done the chips become its citations, ``[n]`` markers in the text become links, the header
says which mode, model and adapters produced it, and under the text each citation's evidence shows:
the sentence the answer rests on with the fact marked (a click opens the page). Sentences no source supports are listed in a
warning right under the text, and so are sentences carrying a link a document planted next to
instructions to the model. Everything wraps (or elides) to the pane's width: a message never
makes its pane wider. A saved answer can be marked right or wrong (``mark_bar``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ragtune.core.answer_types import AdapterSpec, Answer, Citation, SentenceFlag, Timings
from ragtune.core.types import Hit
from ragtune.gui.answer_format import (
    CITE_SCHEME,
    answer_markdown,
    breakable,
    chip_text,
    citation_from_hit,
    evidence_html,
    flagged_text,
    header_text,
    snippet,
    timings_text,
    unsupported_text,
)
from ragtune.gui.flow_layout import FlowLayout
from ragtune.gui.look import mark_colour, muted
from ragtune.gui.mark_bar import MarkBar, MarkEditor
from ragtune.gui.message_parts import AutoHeightBrowser, ChipButton, wrapping


class MessageWidget(QFrame):
    """A question or an answer in the conversation."""

    citation_clicked = Signal(object)  # Citation

    def __init__(self, role: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.text = text
        self.citations: list[Citation] = []
        self.finished = role == "user"
        self._dirty = False
        self.setObjectName("message")
        self.setProperty("role", role)
        self.header = wrapping(muted(QLabel("You" if role == "user" else "Ragtune")))
        self.body = AutoHeightBrowser()
        self.body.anchorClicked.connect(self._anchor)
        self.chips_box = QWidget()
        self.chips = FlowLayout(self.chips_box)
        self.evidence = AutoHeightBrowser()
        self.evidence.setObjectName("evidence")
        self.evidence.setToolTip("The sentences the answer rests on; click [n] to open the page")
        self.evidence.anchorClicked.connect(self._anchor)
        self.warning = wrapping(QLabel())
        self.warning.setObjectName("unsupported")
        self.warning.setTextFormat(Qt.TextFormat.PlainText)  # quotes a model's words: never rendered
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footer = wrapping(muted(QLabel()))
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the answer")
        self.copy_button.clicked.connect(self.copy)
        self.mark_bar = MarkBar()
        self.mark_editor = MarkEditor()
        footer_row = QHBoxLayout()
        footer_row.addWidget(self.footer, 1)
        footer_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.chips_box)
        layout.addWidget(self.body)
        layout.addWidget(self.evidence)
        layout.addWidget(self.warning)
        layout.addLayout(footer_row)
        layout.addWidget(self.mark_bar)
        layout.addWidget(self.mark_editor)
        self.chips_box.setVisible(False)
        self.evidence.setVisible(False)
        self.warning.setVisible(False)
        self.copy_button.setVisible(role != "user")
        self.footer.setVisible(False)
        if role == "user":
            self.body.setPlainText(text)
        elif text:
            self.body.setMarkdown(text)
        else:
            self.body.setMarkdown("*Searching your library…*")

    # -- streaming ------------------------------------------------------------------------------
    def set_sources(self, hits: Sequence[Hit]) -> None:
        """Show the passages being read, before the first token."""
        self.header.setText(f"Ragtune · reading {len(hits)} passage(s)…" if hits else "Ragtune")
        self._set_chips([citation_from_hit(i + 1, h) for i, h in enumerate(hits)])
        self.body.setMarkdown("*Thinking…*")

    def append(self, piece: str) -> None:
        self.text += piece
        self._dirty = True

    def flush(self) -> None:
        """Re-render the streamed text (called on a timer, not per token)."""
        if self._dirty:
            self._dirty = False
            self.body.setMarkdown(self.text)

    def finish(
        self,
        text: str,
        citations: Sequence[Citation],
        mode: str = "",
        model: str = "",
        adapters: Sequence[AdapterSpec] = (),
        timings: Timings | None = None,
        note: str = "",
        sources: Sequence[Hit] = (),
        unsupported: Sequence[str] = (),
        flagged: Sequence[SentenceFlag] = (),
    ) -> None:
        """The final answer, with citations linked and how it was made. When no sentence could be
        attributed, the passages that were read stay listed so they can still be checked; the
        ``unsupported`` sentences (no passage backs them) and the ``flagged`` ones (a link a document
        planted next to instructions to the model) are shown in a warning under the text."""
        self.finished = True
        self._dirty = False
        self.text = text
        self.header.setText(breakable(header_text(mode, model, adapters)) or "Ragtune")
        self.body.setMarkdown(answer_markdown(text, citations) or "*(no answer)*")
        if citations or not sources:
            self._set_chips(list(citations))
        else:
            self._set_chips([citation_from_hit(i + 1, h) for i, h in enumerate(sources)])
            note = " · ".join(p for p in (note, "passages read, none matched to a sentence") if p)
        evidence = evidence_html(citations, mark_colour())
        self.evidence.setHtml(evidence)
        self.evidence.setVisible(bool(evidence))
        warning = "\n".join(t for t in (flagged_text(flagged), unsupported_text(unsupported)) if t)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        footer = breakable(" · ".join(p for p in (timings_text(timings or Timings()), note) if p))
        self.footer.setText(footer)
        self.footer.setVisible(bool(footer))

    def show_answer(self, answer: Answer, note: str = "") -> None:
        """``finish`` with everything an :class:`Answer` carries."""
        self.finish(
            answer.text,
            answer.citations,
            answer.mode,
            answer.model,
            answer.adapters,
            answer.timings,
            note,
            answer.sources,
            answer.unsupported_sentences,
            answer.flagged_sentences,
        )

    def fail(self, text: str) -> None:
        self.finished = True
        self._dirty = False
        self.body.setMarkdown(self.text + ("\n\n" if self.text else "") + f"*{text}*")

    # -- citations ------------------------------------------------------------------------------
    def _set_chips(self, citations: list[Citation]) -> None:
        self.citations = citations
        self.chips.clear()
        for c in citations:
            chip = ChipButton(chip_text(c.n, c.path, c.page, c.ocr))
            chip.setToolTip(f"{chip.full_text}\n{snippet(c.text, 300)}")
            chip.clicked.connect(lambda _=False, c=c: self.citation_clicked.emit(c))
            self.chips.addWidget(chip)
        self.chips_box.setVisible(bool(citations))

    def chip_buttons(self) -> list[QToolButton]:
        return self.chips_box.findChildren(QToolButton, "chip")

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() != CITE_SCHEME:
            return
        try:
            n = int(url.path())
        except ValueError:
            return
        for c in self.citations:
            if c.n == n:
                self.citation_clicked.emit(c)
                return

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
