"""One column of the comparison view: a mode's answer as the chat shows it (sources, text, the
unsupported-sentence warning, timings), in its own vertical scroll area, wrapped to the column's
width; and which modes apply to a question.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from ragtune.core.answer_types import AdapterSpec, Answer, Mode, mode_for, mode_label
from ragtune.core.types import Hit
from ragtune.gui.message_parts import ElidedLabel
from ragtune.gui.message_widget import MessageWidget


def planned_modes(library: str | None, adapters: list[AdapterSpec]) -> tuple[list[Mode], list[str]]:
    """The modes that apply (the core's rule: those ``compare`` runs), and a sentence for each
    group left out."""
    modes = mode_for(library is not None, adapters).and_baselines()
    why: list[str] = []
    if Mode.RAG not in modes:
        why.append("No library chosen, so the RAG columns are left out.")
    if Mode.ADAPTER not in modes:
        why.append("No adapter is switched on, so the adapter columns are left out.")
    return modes, why


def answer_note(answer: Answer) -> str:
    """What the footer adds to the timings: prompt size, and whether it was declined or stopped."""
    parts = [f"{answer.timings.prompt_tokens} prompt tokens"] if answer.timings.prompt_tokens else []
    if answer.declined:
        parts.append("declined: nothing relevant found in the library")
    if answer.cancelled:
        parts.append("stopped")
    if answer.error:  # a server cut the answer off: what came is kept
        parts.append(f"cut off: {answer.error}")
    return " · ".join(parts)


class CompareColumn(QFrame):
    """One mode's answer: a title, then the answer as the chat shows it (sources, text, timings)."""

    def __init__(self, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = ElidedLabel(mode_label(mode))
        self.title.setObjectName("heading")
        self.message = MessageWidget("assistant")
        self.message.body.setMarkdown("*Waiting…*")
        self.answer: Answer | None = None
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.message)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.scroll_area = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)

    def text(self) -> str:
        """The answer text so far (streamed, or final)."""
        return self.message.text

    def timings(self) -> str:
        """The footer line: time to first token, tokens/s, prompt tokens (empty until done)."""
        return self.message.footer.text()

    def finished(self) -> bool:
        return self.answer is not None

    def set_sources(self, hits: list[Hit]) -> None:
        self.message.set_sources(hits)

    def append(self, piece: str) -> None:
        self.message.append(piece)

    def flush(self) -> None:
        self.message.flush()

    def finish(self, answer: Answer) -> None:
        self.answer = answer
        self.message.show_answer(answer, answer_note(answer))

    def fail(self, text: str) -> None:
        self.message.fail(text)
