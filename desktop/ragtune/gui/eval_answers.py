"""The per-question view of a run: pick a question, see each mode's answer side by side (one under
the other when the pane is too narrow), with whether it was judged correct, declined, cited the gold
source, its time to first token, and its citations as chips. Under each judgement, the person's own
buttons (Correct / Wrong, or Declined / Made up) overrule the rule (issue 20). A chip's click emits
``citation_clicked`` with a ``Citation`` for the source viewer (as in the chat).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.evaluate.judgements import Judgement, choices
from ragtune.core.evaluate.questions import Kind, Question
from ragtune.core.evaluate.run_types import Result, RunRecord
from ragtune.gui.answer_format import chip_text, snippet
from ragtune.gui.eval_work import citation_from
from ragtune.gui.flow_layout import FlowLayout
from ragtune.gui.look import muted
from ragtune.gui.message_parts import ChipButton, ElidedLabel, wrapping

TICK, CROSS = "\u2713", "\u2717"
#: narrower than this per answer, the answers are stacked instead of side by side
ANSWER_MIN_WIDTH = 200


def judgement(item: Question, r: Result) -> str:
    """``correct · cites the gold source · 0.42 s to first token`` and the like; a person's
    judgement is said as theirs (``correct (yours; the rule said wrong)``)."""
    parts = []
    if r.person:
        parts.append(f"{r.person} (yours)" if r.person == r.rule else f"{r.person} (yours; the rule said {r.rule})")
    elif r.error:
        parts.append(f"failed: {r.error}")
    elif item.kind == Kind.ABSENT:
        parts.append("declined (right: not in the documents)" if r.declined else "made up an answer")
    elif r.declined:
        parts.append("declined")
    else:
        parts.append("correct" if r.correct else "not correct")
    if r.cites_gold is not None:
        parts.append("cites the gold source" if r.cites_gold else "does not cite the gold source")
    if r.ttft_s > 0:
        parts.append(f"{r.ttft_s:.2f} s to first token")
    return " · ".join(parts)


def expected_text(item: Question) -> str:
    if item.kind == Kind.ABSENT:
        return "Not in the documents: the right answer is to decline."
    text = "Expected: " + (" | ".join(item.expected) or "(no expected answer)")
    if item.gold_file:
        text += f" · in {item.gold_file}" + (f", p. {item.gold_page}" if item.gold_page else "")
    return text


class AnswerBox(QFrame):
    """One mode's answer to the chosen question."""

    citation_clicked = Signal(object)  # Citation
    judged = Signal(object)  # the person's Judgement, or None to remove theirs

    def __init__(self, label: str, item: Question, result: Result | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.judge_buttons: dict[Judgement, QToolButton] = {}
        self.setObjectName("compareColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = ElidedLabel(label)
        title.setObjectName("heading")
        self.verdict = wrapping(muted(QLabel(judgement(item, result) if result else "not answered yet")))
        text = result.answer.strip() if result is not None and result.answer.strip() else "(no answer)"
        self.text = wrapping(QLabel(text))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        chips_box = QWidget()
        chips = FlowLayout(chips_box)
        for c in result.citations if result is not None else []:
            citation = citation_from(c)
            chip = ChipButton(chip_text(citation.n, citation.path, citation.page, citation.ocr))
            chip.setToolTip(f"{chip.full_text}\n{snippet(citation.text, 300)}")
            chip.clicked.connect(lambda _=False, c=citation: self.citation_clicked.emit(c))
            chips.addWidget(chip)
        chips_box.setVisible(chips.count() > 0)
        self.chips_box = chips_box
        judge_row = QHBoxLayout()
        judge_row.setContentsMargins(0, 0, 0, 0)
        if result is not None and not result.error:
            for choice in choices(item.kind):
                button = QToolButton()
                sign = TICK if choice in (Judgement.CORRECT, Judgement.DECLINED) else CROSS
                button.setText(f"{sign} {choice.value.capitalize()}")
                button.setCheckable(True)
                button.setChecked(result.person == choice.value)
                button.setToolTip(f"Your judgement: {choice.value}. It wins over the rule's in the figures; click again to take it back")
                button.clicked.connect(lambda _=False, c=choice: self._judge(c))
                self.judge_buttons[choice] = button
                judge_row.addWidget(button)
        judge_row.addStretch(1)
        self.person = result.person if result is not None else ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(title)
        layout.addWidget(self.verdict)
        layout.addLayout(judge_row)
        layout.addWidget(self.text)
        layout.addWidget(chips_box)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def chip_buttons(self) -> list[QToolButton]:
        return self.chips_box.findChildren(QToolButton, "chip")

    def _judge(self, choice: Judgement) -> None:
        for c, button in self.judge_buttons.items():  # the buttons follow the stored judgement
            button.setChecked(self.person == c.value)
        self.judged.emit(None if self.person == choice.value else choice)


class AnswersPanel(QWidget):
    """A question picker over the run's questions, then one ``AnswerBox`` per mode."""

    citation_clicked = Signal(object)  # Citation
    judged = Signal(int, object, object)  # question id, Mode, the person's Judgement or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: RunRecord | None = None
        self.boxes: list[AnswerBox] = []
        self.picker = QComboBox()
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(20)
        self.picker.currentIndexChanged.connect(self._show)
        self.expected = wrapping(muted(QLabel()))
        self.expected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.row = QWidget()
        self.row_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.row)
        self.row_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.row)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.expected)
        layout.addWidget(scroll, 1)

    def show_record(self, record: RunRecord | None) -> None:
        keep = self.picker.currentData() if record is not None and self.record is not None and record.info.id == self.record.info.id else None
        self.record = record
        self.picker.blockSignals(True)
        self.picker.clear()
        for q in record.questions if record is not None else []:
            answered = record is not None and any(r.question_id == q.id for r in record.results)
            self.picker.addItem(q.question if answered else f"{q.question} (not answered yet)", q.id)
            self.picker.setItemData(self.picker.count() - 1, q.question, Qt.ItemDataRole.ToolTipRole)
        self.picker.blockSignals(False)
        index = self.picker.findData(keep) if keep is not None else -1
        self.picker.setCurrentIndex(index if index >= 0 else (0 if self.picker.count() else -1))
        self._show()

    def choose(self, question_id: int) -> None:
        index = self.picker.findData(question_id)
        if index >= 0:
            self.picker.setCurrentIndex(index)

    def _show(self, _index: int = -1) -> None:
        for box in self.boxes:
            box.setParent(None)
            box.deleteLater()
        self.boxes = []
        record = self.record
        qid = self.picker.currentData()
        item = next((q for q in record.questions if q.id == qid), None) if record else None
        if record is None or item is None:
            self.expected.setText("No run to show yet." if record is None else "")
            return
        self.expected.setText(expected_text(item))
        for mode in record.info.modes:
            box = AnswerBox(mode.label, item, record.result(item.id, mode))
            box.citation_clicked.connect(self.citation_clicked.emit)
            box.judged.connect(lambda choice, q=item.id, m=mode: self.judged.emit(q, m, choice))
            self.boxes.append(box)
            self.row_layout.addWidget(box, 1)
        self._arrange()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        wide = self.width() >= max(len(self.boxes), 1) * ANSWER_MIN_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.row_layout.direction() != direction:
            self.row_layout.setDirection(direction)
