"""A run's results in the Evaluate tab: the grid of modes by measures, retrieval's recall@k and MRR,
the verdict in plain words and the chart.

Every figure is a count with its 95 % interval (``Count.describe()``: ``17/24 (71 %, 51-85 %)``),
so a small set never reads as more certain than it is; the verdict is ``core.evaluate.verdict``'s,
which only claims a difference the counts support.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.evaluate.judgements import agreement
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.evaluate.summary import ModeSummary, RunSummary, summarize
from ragtune.core.evaluate.verdict import verdict
from ragtune.gui.eval_chart import EvalChart
from ragtune.gui.look import muted
from ragtune.gui.message_parts import wrapping

MEASURES = (
    ("Correct", "answerable questions answered correctly"),
    ("Cited right\nsource", "answers citing the gold file and page (RAG modes, questions with a gold file)"),
    ("Evidence holds\nthe answer", "answers whose evidence sentences hold the expected answer (RAG modes), "
     "whether or not the answer's own words state it"),
    ("Declined\n(absent)", "questions the documents do not answer, declined: the right behaviour"),
    ("Made up\n(absent)", "questions the documents do not answer, answered anyway"),
    ("Median first\ntoken", "median time to the first token of an answer"),
)


def mode_cells(m: ModeSummary) -> list[str]:
    """The grid row of one mode: five counts and the median time to first token."""
    ttft = "\u2013" if m.median_ttft_s is None else f"{m.median_ttft_s:.2f} s"
    return [
        m.correct.describe(),
        m.cited.describe() if m.cited.n else "\u2013",
        m.evidence_holds.describe() if m.evidence_holds.n else "\u2013",
        m.declined_absent.describe() if m.declined_absent.n else "\u2013",
        m.hallucinated_absent.describe() if m.hallucinated_absent.n else "\u2013",
        ttft,
    ]


def agreement_text(record: RunRecord) -> str:
    """The rule's agreement with the person and where they differ, one line each."""
    agreed = agreement(record)
    lines = [agreed.describe()]
    for d in agreed.disagreements:
        lines.append(f"\u2022 {d.mode.label}: \u201c{d.question}\u201d \u2014 the rule said {d.rule}, you said {d.person}")
    return "\n".join(lines)


def retrieval_text(s: RunSummary) -> str:
    r = s.retrieval
    if not r.n:
        return "Retrieval: no answerable question names its gold file, so recall is not measured."
    recall = ", ".join(f"recall@{k} {c.describe()}" for k, c in r.recall.items())
    return f"Retrieval ({r.n} questions with a gold file): {recall}; MRR {r.mrr:.2f}."


class ResultsGrid(QTableWidget):
    """Modes as rows, the measures as columns, each cell a count with its interval."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(MEASURES), parent)
        self.setHorizontalHeaderLabels([name for name, _ in MEASURES])
        for column, (_name, tip) in enumerate(MEASURES):
            header = self.horizontalHeaderItem(column)
            if header is not None:
                header.setToolTip(tip)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setMinimumSectionSize(60)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # columns stretch, cells wrap
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def show_summary(self, summary: RunSummary | None) -> None:
        modes = summary.modes if summary is not None else []
        self.setRowCount(len(modes))
        self.setVerticalHeaderLabels([m.mode.label for m in modes])
        for row, m in enumerate(modes):
            for column, text in enumerate(mode_cells(m)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(f"{m.mode.label}: {MEASURES[column][1]}: {text}")
                self.setItem(row, column, item)
        self._fit_height()

    def cell_text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def _fit_height(self) -> None:
        self.resizeRowsToContents()
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(height)


class ResultsPanel(QScrollArea):
    """The run's heading, grid, retrieval line, verdict and chart, scrolling as one page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.record: RunRecord | None = None
        self.summary: RunSummary | None = None
        self.heading = wrapping(QLabel())
        self.heading.setObjectName("heading")
        self.grid = ResultsGrid()
        self.retrieval = wrapping(muted(QLabel()))
        self.verdict = wrapping(QLabel())
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.setObjectName("verdict")
        self.chart = EvalChart()
        self.agreement = wrapping(QLabel())
        self.agreement.setObjectName("agreement")
        self.agreement.setTextFormat(Qt.TextFormat.PlainText)  # quotes questions and answers
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.agreement.setToolTip("Judge answers on the Answers page: your word wins over the rule's in the figures")
        self.empty = wrapping(muted(QLabel("No results yet: pick the modes and press Run.")))
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.empty)
        layout.addWidget(self.heading)
        layout.addWidget(self.grid)
        layout.addWidget(self.retrieval)
        layout.addWidget(self.verdict)
        layout.addWidget(self.agreement)
        layout.addWidget(self.chart)
        layout.addStretch(1)
        self.setWidget(page)
        self.show_record(None)

    def show_record(self, record: RunRecord | None) -> None:
        self.record = record
        self.summary = summarize(record) if record is not None else None
        has = record is not None
        for widget in (self.heading, self.grid, self.retrieval, self.verdict, self.chart, self.agreement):
            widget.setVisible(has)
        self.empty.setVisible(not has)
        self.grid.show_summary(self.summary)
        self.chart.set_summary(self.summary)
        if record is None or self.summary is None:
            for label in (self.heading, self.retrieval, self.verdict, self.agreement):
                label.setText("")
            return
        info = record.info
        self.heading.setText(
            f"Run {info.id}: {info.set_name} (version {info.set_version}), {info.split} split, "
            f"{info.answered}/{info.total} answers, {info.status}"
        )
        self.retrieval.setText(retrieval_text(self.summary))
        self.verdict.setText(verdict(record, self.summary))
        self.agreement.setText(agreement_text(record))
