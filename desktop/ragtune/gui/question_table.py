"""The question set editor: a table of the set's items (question, expected answer, alternatives,
gold file and page, kind, split, origin, note), edited in place.

``QuestionModel`` holds the items as the service returned them and never writes anything itself:
an edited cell becomes a new ``Question`` sent out by ``edit_requested``; ``QuestionTable`` sends
it to ``svc.evaluation.update_question`` on the reads lane and puts the stored item back in the
row (or shows the error and the old value). Adding and deleting (the Del key) go the same way.
Kind and split are edited with a list of their values; long texts elide in the cell and show in
full in the tooltip and the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.evaluate.questions import Kind, Origin, Question, Split
from ragtune.gui.context import AppContext
from ragtune.gui.look import icon

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Question", "Expected answer", "Alternatives", "Gold file", "Page", "Kind", "Split", "Origin", "Note")
QUESTION, ANSWER, ALTERNATIVES, GOLD_FILE, PAGE, KIND, SPLIT, ORIGIN, NOTE = range(len(COLUMNS))
#: columns whose values come from a short list
CHOICES: dict[int, list[str]] = {KIND: [k.value for k in Kind], SPLIT: [s.value for s in Split]}
NEW_QUESTION = "New question?"


def cell_text(q: Question, column: int) -> str:
    page = str(q.gold_page) if q.gold_page else ""
    texts = (q.question, q.answer, " | ".join(q.alternatives), q.gold_file, page, q.kind.value, q.split.value,
             q.origin.value, q.note)
    return texts[column]


def edited(q: Question, column: int, text: str) -> Question:
    """``q`` with ``column`` set from ``text``; ValueError for a value the column cannot hold."""
    text = text.strip()
    if column == QUESTION:
        if not text:
            raise ValueError("A question cannot be empty.")
        return replace(q, question=text)
    if column == ANSWER:
        return replace(q, answer=text)
    if column == ALTERNATIVES:
        return replace(q, alternatives=tuple(a.strip() for a in text.split("|") if a.strip()))
    if column == GOLD_FILE:
        return replace(q, gold_file=text)
    if column == PAGE:
        if text and (not text.isdigit()):
            raise ValueError(f"The page must be a number (or empty for any page), not \u201c{text}\u201d.")
        return replace(q, gold_page=int(text) if text else 0)
    if column == KIND:
        return replace(q, kind=Kind(text))
    if column == SPLIT:
        return replace(q, split=Split(text))
    if column == NOTE:
        return replace(q, note=text)
    raise ValueError("The origin says where a question came from; it cannot be edited.")


class QuestionModel(QAbstractTableModel):
    """The set's items as rows; edits are requested, not applied (see the module docstring)."""

    edit_requested = Signal(object, object)  # the old Question, the wanted Question
    invalid_edit = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[Question] = []

    def set_items(self, items: list[Question]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        q = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return cell_text(q, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (QUESTION, ANSWER, ALTERNATIVES, NOTE):
            return cell_text(q, index.column()) or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base if index.column() == ORIGIN else base | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        old = self.items[index.row()]
        if str(value).strip() == cell_text(old, index.column()):
            return False
        try:
            new = edited(old, index.column(), str(value))
        except ValueError as exc:
            self.invalid_edit.emit(str(exc))
            return False
        self.edit_requested.emit(old, new)
        return False  # shown once the service has stored it (replace_item)

    def replace_item(self, item: Question) -> None:
        for row, q in enumerate(self.items):
            if q.id == item.id:
                self.items[row] = item
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return

    def row_of(self, question_id: int) -> int:
        return next((row for row, q in enumerate(self.items) if q.id == question_id), -1)


class ChoiceDelegate(QStyledItemDelegate):
    """A list of the allowed values for the kind and split columns."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        choices = CHOICES.get(index.column())
        if choices is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        combo.addItems(choices)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class QuestionTable(QWidget):
    """The editor: Add / Delete buttons over the table. ``set_source(library, set_name)`` says
    which set it edits; ``changed`` fires after every stored change (the set's counts moved)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library: str | None = None
        self.set_name: str | None = None
        self.model = QuestionModel(self)
        self.model.edit_requested.connect(self._store_edit)
        self.model.invalid_edit.connect(self.ctx.messages.notice)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(ChoiceDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((QUESTION, 260), (ANSWER, 140), (ALTERNATIVES, 100), (GOLD_FILE, 150)):
            self.view.setColumnWidth(column, width)
        for column in (PAGE, KIND, SPLIT, ORIGIN):
            self.view.setColumnWidth(column, 80 if column != PAGE else 44)
        self.add_button = QPushButton(icon("add"), "Add")
        self.add_button.setToolTip("Add a question to the set")
        self.add_button.clicked.connect(self.add_question)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected questions (Del)")
        self.delete_button.clicked.connect(self.delete_selected)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self._enable()

    def set_source(self, library: str | None, set_name: str | None) -> None:
        """Show the items of ``set_name`` in ``library`` (read on the reads lane)."""
        self.library, self.set_name = library, set_name
        self._enable()
        if library is None or set_name is None:
            self.model.set_items([])
            return
        svc = self.ctx.svc
        self.ctx.reads.submit(
            lambda job: (library, set_name, svc.evaluation.questions(library, set_name)),
            on_result=self._loaded,
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading the questions"),
            name="eval questions",
        )

    def _loaded(self, value: tuple[str, str, list[Question]]) -> None:
        library, set_name, items = value
        if (library, set_name) == (self.library, self.set_name):
            self.model.set_items(items)

    def _enable(self) -> None:
        ok = self.library is not None and self.set_name is not None
        self.add_button.setEnabled(ok)
        self.delete_button.setEnabled(ok)

    def _submit(self, fn: Callable[[], Any], on_result: Callable[[Any], None], what: str) -> None:
        self.ctx.reads.submit(
            lambda job: fn(),
            on_result=on_result,
            on_error=lambda exc: self.ctx.messages.error(exc, what),
            name="eval edit",
        )

    def _store_edit(self, old: Question, new: Question) -> None:
        library, set_name = self.library, self.set_name
        if library is None or set_name is None:
            return
        svc = self.ctx.svc
        self._submit(lambda: svc.evaluation.update_question(library, set_name, new), self._stored, "Saving the question")

    def _stored(self, item: Question) -> None:
        self.model.replace_item(item)
        self.changed.emit()

    def add_question(self, text: str = NEW_QUESTION) -> None:
        """Add an item (a written, answerable test question) and start editing its text."""
        library, set_name = self.library, self.set_name
        if library is None or set_name is None:
            return
        svc = self.ctx.svc
        item = Question(text, origin=Origin.WRITTEN, split=Split.TEST)
        self._submit(lambda: svc.evaluation.add_questions(library, set_name, [item], [True]), self._added, "Adding a question")

    def _added(self, items: list[Question]) -> None:
        if not items:
            return
        self.model.set_items(self.model.items + items)
        row = self.model.row_of(items[0].id)
        index = self.model.index(row, QUESTION)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        if self.isVisible():
            self.view.edit(index)
        self.changed.emit()

    def selected_ids(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        rows |= {i.row() for i in self.view.selectionModel().selectedIndexes()}
        return [self.model.items[r].id for r in sorted(rows) if 0 <= r < len(self.model.items)]

    def delete_selected(self) -> None:
        library, set_name, ids = self.library, self.set_name, self.selected_ids()
        if library is None or set_name is None or not ids:
            return
        svc = self.ctx.svc
        self._submit(
            lambda: (svc.evaluation.delete_questions(library, set_name, ids), ids), self._deleted, "Deleting questions"
        )

    def _deleted(self, value: tuple[int, list[int]]) -> None:
        count, ids = value
        gone = set(ids)
        self.model.set_items([q for q in self.model.items if q.id not in gone])
        self.ctx.messages.notice(f"Deleted {count} question{'s' if count != 1 else ''}.")
        self.changed.emit()
