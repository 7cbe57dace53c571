"""The Evaluate tab: which mode answers best on this library's own questions.

Top: the window's current library, its question sets (the sample library shows its "Sample
questions" at once) and the set's Import… / Export… / Generate… / Split…. Then three pages: the
question editor (``question_table``), the results (``eval_results``: grid, retrieval, verdict,
chart) and the answers per question (``eval_answers``, citations open the source viewer). At the
bottom the run controls (``eval_run_bar``).

A run (``svc.evaluation.run``) and question generation use the chat model, so they go on the model
lane with progress and cancel; everything else goes on the reads lane (``eval_work``). The core
resumes an interrupted run with the same settings; the tab then says "Resumed run N".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.evaluate.judgements import Judgement, agreement
from ragtune.core.evaluate.questions import QuestionSet
from ragtune.core.evaluate.run_types import GenerationReport, RunRecord
from ragtune.core.marks import CHAT_SET
from ragtune.core.types import Progress
from ragtune.gui import eval_set_actions as actions
from ragtune.gui import eval_work as work
from ragtune.gui.context import AppContext
from ragtune.gui.eval_answers import AnswersPanel
from ragtune.gui.eval_results import ResultsPanel
from ragtune.gui.eval_run_bar import RunBar
from ragtune.gui.flow_layout import FlowLayout
from ragtune.gui.message_parts import ElidedLabel
from ragtune.gui.question_table import QuestionTable
from ragtune.gui.tasks import Job

log = logging.getLogger(__name__)
PAGE_QUESTIONS, PAGE_RESULTS, PAGE_ANSWERS = 0, 1, 2


class EvaluateView(QWidget):
    """See the module docstring. ``set_library(name)`` follows the window's library."""

    citation_clicked = Signal(object)  # Citation
    run_finished = Signal(object)  # RunRecord | None
    state_loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        adapters_provider: Callable[[], list[AdapterSpec]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.adapters_provider = adapters_provider
        self.library: str | None = None
        self.sets: list[QuestionSet] = []
        self.job: Job | None = None
        self.record: RunRecord | None = None
        self._build()
        self.refresh_adapters()

    def _build(self) -> None:
        self.library_label = ElidedLabel("No library chosen")
        self.library_label.setObjectName("heading")
        self.set_combo = QComboBox()
        self.set_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.set_combo.setMinimumContentsLength(24)
        self.set_combo.setToolTip("The question set to edit and run")
        self.set_combo.currentIndexChanged.connect(self._set_changed)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot in (
            ("new", "New set…", "Start an empty question set", self._new_set),
            ("import", "Import…", "Read questions from a JSONL or CSV file (README, \u201cQuestion sets\u201d)", self._import),
            ("export", "Export…", "Write the set as JSONL or CSV", self._export),
            ("generate", "Generate…", "Have the chat model write checked questions about the library", self._generate),
            ("split", "Split…", "Split the set into train and test again (seeded)", self._split),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self.buttons[key] = button
        top = QHBoxLayout()
        top.addWidget(self.set_combo, 1)
        top.addWidget(self.buttons["new"])
        set_buttons = QWidget()
        flow = FlowLayout(set_buttons)
        for key in ("import", "export", "generate", "split"):
            flow.addWidget(self.buttons[key])
        self.table = QuestionTable(self.ctx)
        self.table.changed.connect(self.reload)
        self.results = ResultsPanel()
        self.answers = AnswersPanel()
        self.answers.citation_clicked.connect(self.citation_clicked.emit)
        self.answers.judged.connect(self._judge)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        for page, title in ((self.table, "Questions"), (self.results, "Results"), (self.answers, "Answers")):
            self.pages.addTab(page, title)
        self.bar = RunBar()
        self.bar.run_requested.connect(self.run)
        self.bar.cancel_requested.connect(self.cancel)
        self.bar.export_requested.connect(self._export_run)
        self.bar.past_run_chosen.connect(self.show_run)
        layout = QVBoxLayout(self)
        layout.addWidget(self.library_label)
        layout.addLayout(top)
        layout.addWidget(set_buttons)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.bar)
        self._enable()

    # -- library and sets -----------------------------------------------------------------------
    def set_library(self, library: str | None) -> None:
        """Follow the window's library: load its sets and runs (reads lane)."""
        self.library = library
        self.library_label.setText(library or "No library chosen")
        self.reload()

    def reload(self, select: str | None = None) -> None:
        library = self.library
        if library is None:
            self._state_loaded(work.LibraryState("", [], []), None)
            return
        self.ctx.reads.submit(
            partial(work.load_library, self.ctx.svc, library),
            on_result=lambda state: self._state_loaded(state, select),
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading the question sets"),
            name="eval sets",
        )

    def _state_loaded(self, state: work.LibraryState, select: str | None) -> None:
        if state.library != (self.library or ""):
            return  # the library changed meanwhile
        keep = select or self.set_name()
        self.sets = state.sets
        self.set_combo.blockSignals(True)
        self.set_combo.clear()
        for s in state.sets:
            c = s.counts
            mine = " \u00b7 your marked answers" if s.name == CHAT_SET else ""
            self.set_combo.addItem(f"{s.name} ({c.get('test', 0)} test, {c.get('train', 0)} train){mine}", s.name)
        index = self.set_combo.findData(keep) if keep else -1
        self.set_combo.setCurrentIndex(index if index >= 0 else (0 if state.sets else -1))
        self.set_combo.blockSignals(False)
        if not state.sets:
            self.set_combo.setPlaceholderText("No question set: import, generate or make one")
        shown = self.record.info.id if self.record is not None and self.record.info.library == state.library else None
        self.bar.set_runs(state.runs, shown)
        if shown is None:
            self._show_record(None)
            if state.runs:
                self.show_run(state.runs[0].id)
        self._set_changed()
        self.state_loaded.emit()

    def set_name(self) -> str | None:
        value = self.set_combo.currentData()
        return str(value) if value is not None else None

    def _set_changed(self, _index: int = -1) -> None:
        self.table.set_source(self.library, self.set_name())
        self._enable()

    def _enable(self) -> None:
        has_lib, has_set, idle = self.library is not None, self.set_name() is not None, self.job is None
        self.buttons["new"].setEnabled(has_lib)
        self.buttons["import"].setEnabled(has_lib)
        self.buttons["generate"].setEnabled(has_lib and idle)
        self.buttons["export"].setEnabled(has_set)
        self.buttons["split"].setEnabled(has_set)
        self.bar.run_button.setEnabled(has_set and idle)

    def refresh_adapters(self) -> None:
        """Enable the adapter modes only while adapters are switched on (the model panel)."""
        self.bar.set_adapters_available(bool(self.adapters_provider()))

    def _new_set(self) -> None:
        if self.library:
            actions.prompt_new_set(self, self.ctx, self.library, self._reload_with)

    def _import(self) -> None:
        if self.library:
            actions.prompt_import(self, self.ctx, self.library, self.set_name(), self._reload_with)

    def _export(self) -> None:
        if self.library and self.set_name():
            actions.prompt_export(self, self.ctx, self.library, str(self.set_name()))

    def _split(self) -> None:
        if self.library and self.set_name():
            actions.prompt_split(self, self.ctx, self.library, str(self.set_name()), self._reload_with)

    def _reload_with(self, qset: QuestionSet) -> None:
        self.reload(select=qset.name)

    # -- model-lane work ------------------------------------------------------------------------
    def running(self) -> bool:
        return self.job is not None

    def _start(self, fn: Callable[[Job], Any], on_result: Callable[[Any], None], what: str, unit: str) -> Job:
        self.job = self.ctx.model_lane.submit(
            fn,
            on_progress=lambda p: self.bar.show_progress(p, unit) if isinstance(p, Progress) else None,
            on_result=on_result,
            on_error=self._failed,
            on_finished=self._finished,
            name=what,
        )
        self.bar.set_running(True, f"{what}: waiting for the model…")
        self._enable()
        return self.job

    def run(self) -> Job | None:
        """Run the chosen modes on the chosen split of the set (model lane)."""
        library, set_name, modes = self.library, self.set_name(), self.bar.modes()
        if self.job is not None or library is None or set_name is None:
            return None
        if not modes:
            self.ctx.messages.notice("Choose at least one mode to run.")
            return None
        adapters = list(self.adapters_provider()) if any(m.uses_adapters for m in modes) else []
        fn = partial(work.run_bench, self.ctx.svc, library, set_name, self.bar.chosen_split(), modes, adapters)
        return self._start(fn, self._ran, "Evaluating", "answers")

    def _ran(self, outcome: work.RunOutcome) -> None:
        said = work.outcome_text(outcome)
        self.bar.show_status(said)
        self.ctx.messages.notice(said)
        self._show_record(outcome.record)
        self.pages.setCurrentIndex(PAGE_RESULTS)
        self.reload()

    def _generate(self) -> None:
        library = self.library
        n = actions.ask_count(self) if library is not None and self.job is None else None
        if library is None or n is None:
            return
        set_name = self.set_name() or work.GENERATED_SET

        def done(report: GenerationReport) -> None:
            text = work.generation_text(report, set_name)
            self.bar.show_status(text)
            self.ctx.messages.notice(text)
            self.reload(select=set_name)

        self._start(partial(work.generate, self.ctx.svc, library, set_name, n), done, "Generating questions", "questions")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.bar.show_status("Stopping after the current answer…")

    def _failed(self, exc: BaseException) -> None:
        self.ctx.messages.error(exc, "Evaluate")
        self.bar.show_status(str(exc))
        self.reload()

    def _finished(self) -> None:
        self.job = None
        self.bar.set_running(False)
        self._enable()
        self.run_finished.emit(self.record)

    # -- results --------------------------------------------------------------------------------
    def show_run(self, run_id: int) -> None:
        """Show a stored run's results (reads lane)."""
        svc = self.ctx.svc
        self.ctx.reads.submit(
            lambda job: svc.evaluation.load_run(run_id),
            on_result=self._show_record,
            on_error=lambda exc: self.ctx.messages.error(exc, "Reading the run"),
            name="eval run",
        )

    def _show_record(self, record: RunRecord | None) -> None:
        if record is not None and record.info.library != self.library:
            return
        self.record = record
        self.results.show_record(record)
        self.answers.show_record(record)
        self.bar.export_button.setEnabled(record is not None)
        if record is not None:
            index = self.bar.runs.findData(record.info.id)
            if index >= 0:
                self.bar.runs.setCurrentIndex(index)

    def _judge(self, question_id: int, mode: Mode, judged: Judgement | None) -> None:
        """The person's judgement of one answer (reads lane); the figures and the verdict follow."""
        record = self.record
        if record is None:
            return
        svc = self.ctx.svc
        self.ctx.reads.submit(
            lambda job: svc.evaluation.judge(record.info.id, question_id, mode, judged.value if judged else None),
            on_result=self._judged, on_error=lambda exc: self.ctx.messages.error(exc, "Judging the answer"),
            name="judge",
        )

    def _judged(self, record: RunRecord) -> None:
        if self.record is not None and self.record.info.id == record.info.id:  # still the run shown
            self._show_record(record)
        self.ctx.messages.notice(agreement(record).describe())

    def _export_run(self) -> None:
        if self.record is not None:
            actions.prompt_export_run(self, self.ctx, self.record)
