"""The question box (Enter or Ctrl+Enter asks, Shift+Enter starts a new line) and the suggested
questions shown in an empty chat (``resources/sample_questions/questions.json``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ragtune import paths
from ragtune.core.library_names import SAMPLE_LIBRARY
from ragtune.gui.look import key_text, muted

log = logging.getLogger(__name__)



def suggested_questions(path: Path | None = None) -> list[str]:
    """The sample library's suggested questions (a JSON list of strings); [] when missing or bad."""
    path = path or paths.sample_questions_dir() / "questions.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.info("no suggested questions (%s): %s", path, exc)
        return []
    if not isinstance(data, list):
        return []
    return [q.strip() for q in data if isinstance(q, str) and q.strip()]


class QuestionBox(QPlainTextEdit):
    """A few lines for the question; ``submitted`` fires on Enter or Ctrl+Enter."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(
            "Ask a question about your documents — Enter to ask, Shift+Enter for a new line"
        )
        self.setTabChangesFocus(True)
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(line * 3 + 16)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Suggestions(QWidget):
    """A hint and, for the sample library, its suggested questions as buttons."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = muted(QLabel())
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(24, 24, 24, 24)
        self._layout.addStretch(1)
        self._layout.addWidget(self.hint)
        self._buttons_layout = QVBoxLayout()
        self._layout.addLayout(self._buttons_layout)
        self._layout.addStretch(2)
        self.buttons: list[QPushButton] = []
        self._questions: list[str] | None = None

    def show_for(self, library: str | None, rag: bool) -> None:
        for b in self.buttons:
            b.deleteLater()
        self.buttons = []
        if not rag:
            self.hint.setText("RAG is off: the model answers from what it knows, without your documents.")
        elif library is None:
            self.hint.setText(
                f"Drop files or folders on the window (or press {key_text('Ctrl+O')}) to build a library, then ask."
            )
        else:
            self.hint.setText(f"Ask anything about “{library}”. Answers cite the passages they use.")
        if library == SAMPLE_LIBRARY:
            if self._questions is None:
                self._questions = suggested_questions()
            if self._questions:
                self.hint.setText("Try one of these questions about the sample library:")
            for q in self._questions:
                button = QPushButton(q)
                button.setObjectName("suggestion")
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.clicked.connect(lambda _=False, q=q: self.chosen.emit(q))
                self._buttons_layout.addWidget(button)
                self.buttons.append(button)
