"""The Fine-tune tab's examples: the built training set as a table (kind, question, the answer it
teaches), the whole conversation of the selected example below it, the answer editable in place
(double-click or F2), Delete (Del) for the selected rows. The tab reads ``examples`` back when it
trains or exports, so what is trained is what the table shows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.finetune.types import DECLINE, GROUNDED, STYLE, Example
from ragtune.gui.finetune_work import question_of, with_target
from ragtune.gui.look import muted
from ragtune.gui.message_parts import wrapping

KIND, QUESTION, ANSWER = 0, 1, 2
KIND_LABELS = {GROUNDED: "cites source", DECLINE: "declines", STYLE: "your example"}


def conversation_text(example: Example) -> str:
    """The example's messages as the model sees them, one block per message."""
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in example.messages)


class ExamplesTable(QWidget):
    """See the module docstring. ``changed`` fires after an edit or a delete."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.examples: list[Example] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Kind", "Question", "Answer it learns"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(QUESTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ANSWER, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._edited)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setPlaceholderText("Select an example to see the whole conversation it trains on.")
        self.empty = wrapping(muted(QLabel(
            "No training set yet. Choose a question set (its train split is used; the test split never "
            "is) or add your own chat examples (JSONL), then Build training set.")))
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected examples (Del)")
        self.delete_button.clicked.connect(self.delete_selected)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.activated.connect(self.delete_selected)
        self.count_label = muted(QLabel())
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.delete_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.set_examples([])

    def set_examples(self, examples: list[Example]) -> None:
        self.examples = list(examples)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.examples))
        for row, example in enumerate(self.examples):
            kind = QTableWidgetItem(KIND_LABELS.get(example.kind, example.kind))
            question = QTableWidgetItem(question_of(example))
            for item in (kind, question):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            question.setToolTip(question.text())
            answer = QTableWidgetItem(example.messages[-1]["content"])
            answer.setToolTip("Double-click (or F2) to edit the answer this example teaches")
            for column, item in ((KIND, kind), (QUESTION, question), (ANSWER, answer)):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        self.preview.clear()
        self._counts()

    def _counts(self) -> None:
        n = len(self.examples)
        self.empty.setVisible(n == 0)
        self.delete_button.setEnabled(n > 0)
        self.count_label.setText(f"{n} example{'s' if n != 1 else ''}" if n else "")

    def _edited(self, item: QTableWidgetItem) -> None:
        row = item.row()
        if item.column() != ANSWER or not 0 <= row < len(self.examples):
            return
        text = item.text().strip()
        if not text:  # an empty answer teaches nothing: put the old one back
            self.table.blockSignals(True)
            item.setText(self.examples[row].messages[-1]["content"])
            self.table.blockSignals(False)
            return
        self.examples[row] = with_target(self.examples[row], text)
        self._show_selected()
        self.changed.emit()

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    def delete_selected(self) -> int:
        rows = self.selected_rows()
        for row in reversed(rows):
            del self.examples[row]
        if rows:
            self.set_examples(self.examples)
            self.changed.emit()
        return len(rows)

    def _show_selected(self) -> None:
        rows = self.selected_rows()
        self.preview.setPlainText(conversation_text(self.examples[rows[0]]) if len(rows) == 1 else "")
