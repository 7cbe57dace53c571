"""Right and Wrong under an answer, and the small inline editor Wrong opens (issue 20).

``MarkBar`` sits in an answer's footer once the answer is saved: **Right** and **Wrong** (checked
when the answer carries that mark; clicking the checked one again removes the mark), and a line
that says what the mark is. **Wrong** opens ``MarkEditor`` under the answer: the right answer
(optional, short) and where it is: one of the answer's sources, another file and page, or "not in
my documents". Enter saves, Esc closes. The bar only asks (``wanted``); the rules and the storing
are the core's (``core.marks``), called by ``gui.mark_work``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.locations import place
from ragtune.core.marks import MAX_ANSWER_CHARS, Mark, Verdict
from ragtune.core.types import Citation
from ragtune.gui.look import muted
from ragtune.gui.message_parts import wrapping

#: what the "where" choices carry besides a cited (path, page)
NOT_SAID = "not said"
ELSEWHERE = "elsewhere"
ABSENT = "absent"


@dataclass(frozen=True)
class MarkWish:
    """What the person asked for: a mark (``verdict`` None: remove it)."""

    message_id: int
    verdict: Verdict | None
    answer: str = ""
    gold_file: str = ""
    gold_page: int = 0
    absent: bool = False


class MarkEditor(QFrame):
    """The right answer and where it is, for an answer marked wrong."""

    saved = Signal(object)  # MarkWish

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("markEditor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_id = 0
        self.cited: dict[str, tuple[str, int]] = {}  # "cited n" -> the source's (path, page)
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("The right answer, if you know it (e.g. 3.57%)")
        self.answer.setMaxLength(MAX_ANSWER_CHARS)
        self.answer.setClearButtonEnabled(True)
        self.where = QComboBox()
        self.where.setToolTip("Where the right answer is: the bench uses it to check the sources an answer cites")
        self.where.currentIndexChanged.connect(self._where_changed)
        self.other_file = QComboBox()
        self.other_file.setEditable(True)
        self.other_file.setToolTip("A document of this chat's library (its name is enough)")
        line = self.other_file.lineEdit()
        if line is not None:
            line.setPlaceholderText("File name")
        self.other_page = QSpinBox()
        self.other_page.setRange(0, 100000)
        self.other_page.setSpecialValueText("any page")
        self.other_page.setPrefix("page ")
        other = QHBoxLayout()
        other.setContentsMargins(0, 0, 0, 0)
        other.addWidget(self.other_file, 1)
        other.addWidget(self.other_page)
        self.other_row = QWidget()
        self.other_row.setLayout(other)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the mark (Enter)")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.setToolTip("Close without changing the mark (Esc)")
        cancel.clicked.connect(self.close_editor)
        self.remove_button = QPushButton("Remove mark")
        self.remove_button.setToolTip("The answer is neither marked right nor wrong; its question leaves \u201cFrom my chats\u201d")
        self.remove_button.clicked.connect(lambda: self.saved.emit(MarkWish(self.message_id, None)))
        self.problem = wrapping(QLabel())
        self.problem.setObjectName("unsupported")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(wrapping(QLabel("Wrong answer: what is right, and where is it?")))
        layout.addWidget(self.answer)
        layout.addWidget(self.where)
        layout.addWidget(self.other_row)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.answer.returnPressed.connect(self.save)
        for child in (self.answer, self.where, self.other_file, self.other_page, self.save_button, cancel):
            child.installEventFilter(self)  # Esc closes the editor, not the window's Stop
        self.other_row.setVisible(False)
        self.problem.setVisible(False)
        self.setVisible(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc inside the editor is the editor's: claim it before the window's Esc shortcut (Stop)
        sees it, then close."""
        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.close_editor()
                return True
        return super().eventFilter(watched, event)

    def show_problem(self, text: str) -> None:
        """Why the mark was refused (the editor stays open, nothing is lost)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def open_for(self, message_id: int, citations: Sequence[Citation], mark: Mark | None, documents: Sequence[str]) -> None:
        """Show the editor for answer ``message_id``, filled from its mark when it is wrong."""
        self.message_id = message_id
        self.where.blockSignals(True)
        self.where.clear()
        self.where.addItem("Where it is: not said", NOT_SAID)
        self.cited = {f"cited {c.n}": (c.path, c.page) for c in citations}
        for c in citations:
            self.where.addItem(f"[{c.n}] {place(c.path, c.page)}", f"cited {c.n}")
        self.where.addItem("In another file or page…", ELSEWHERE)
        self.where.addItem("Not in my documents", ABSENT)
        self.where.blockSignals(False)
        self.other_file.clear()
        self.other_file.addItems(list(documents))
        self.other_file.setCurrentText("")
        self.other_page.setValue(0)
        self.answer.setText(mark.answer if mark is not None and mark.verdict is Verdict.WRONG else "")
        self.where.setCurrentIndex(self._index_for(mark))
        self._where_changed()
        self.remove_button.setVisible(mark is not None)
        self.show_problem("")
        self.setVisible(True)
        self.answer.setFocus(Qt.FocusReason.OtherFocusReason)

    def _index_for(self, mark: Mark | None) -> int:
        if mark is None or mark.verdict is not Verdict.WRONG:
            return 0
        if mark.absent:
            return self.where.findData(ABSENT)
        if mark.gold_file:
            for key, where in self.cited.items():
                if where == (mark.gold_file, mark.gold_page):
                    return self.where.findData(key)
            self.other_file.setCurrentText(mark.gold_file)
            self.other_page.setValue(mark.gold_page)
            return self.where.findData(ELSEWHERE)
        return 0

    def _where_changed(self) -> None:
        choice = self.where.currentData()
        self.other_row.setVisible(choice == ELSEWHERE)
        self.answer.setEnabled(choice != ABSENT)

    def wish(self) -> MarkWish:
        """What the editor holds, as a wish to mark the answer wrong."""
        choice = self.where.currentData()
        if choice == ABSENT:
            return MarkWish(self.message_id, Verdict.WRONG, absent=True)
        answer = " ".join(self.answer.text().split())
        if choice == ELSEWHERE:
            return MarkWish(self.message_id, Verdict.WRONG, answer, self.other_file.currentText().strip(), self.other_page.value())
        if choice in self.cited:
            path, page = self.cited[choice]
            return MarkWish(self.message_id, Verdict.WRONG, answer, path, page)
        return MarkWish(self.message_id, Verdict.WRONG, answer)

    def save(self) -> None:
        self.saved.emit(self.wish())

    def close_editor(self) -> None:
        self.setVisible(False)


class MarkBar(QWidget):
    """Right / Wrong and the mark's line, for one saved answer (see the module)."""

    wanted = Signal(object)  # MarkWish
    editing = Signal(int)  # message id: the editor is wanted (the owner fills in the documents)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_id = 0
        self.mark: Mark | None = None
        self.right_button = QToolButton()
        self.right_button.setText("\u2713 Right")
        self.right_button.setCheckable(True)
        self.right_button.setToolTip("This answer is right: it joins the questions \u201cFrom my chats\u201d (Alt+R on the latest answer); click again to remove the mark")
        self.right_button.clicked.connect(self._right)
        self.wrong_button = QToolButton()
        self.wrong_button.setText("\u2717 Wrong\u2026")
        self.wrong_button.setCheckable(True)
        self.wrong_button.setToolTip("This answer is wrong: say what is right and where (Alt+W on the latest answer)")
        self.wrong_button.clicked.connect(self._wrong)
        self.state = wrapping(muted(QLabel()))
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.right_button)
        layout.addWidget(self.wrong_button)
        layout.addWidget(self.state, 1)
        self.setVisible(False)

    def set_message(self, message_id: int, mark: Mark | None = None) -> None:
        """Offer marking for saved answer ``message_id`` (0: not saved, nothing to mark)."""
        self.message_id = message_id
        self.setVisible(message_id > 0)
        self.show_mark(mark)

    def show_mark(self, mark: Mark | None) -> None:
        self.mark = mark
        verdict = mark.verdict if mark is not None else None
        self.right_button.setChecked(verdict is Verdict.RIGHT)
        self.wrong_button.setChecked(verdict is Verdict.WRONG)
        self.state.setText(f"Marked {mark.describe()}" if mark is not None else "")

    def _right(self) -> None:
        if self.mark is not None and self.mark.verdict is Verdict.RIGHT:
            self.wanted.emit(MarkWish(self.message_id, None))
        else:
            self.wanted.emit(MarkWish(self.message_id, Verdict.RIGHT))
        self.show_mark(self.mark)  # the buttons follow the stored mark, not the click

    def _wrong(self) -> None:
        self.show_mark(self.mark)
        self.editing.emit(self.message_id)

    def mark_right(self) -> None:
        """Alt+R: mark right (nothing when it already is)."""
        if self.message_id and (self.mark is None or self.mark.verdict is not Verdict.RIGHT):
            self.wanted.emit(MarkWish(self.message_id, Verdict.RIGHT))
