"""The Fine-tune tab: from the library's question set (and the person's own chat examples) to a
LoRA adapter trained on this computer, loaded in the adapters list and judged by the bench.

Top: the banner when the training extra is missing (``finetune_install``), the window's library,
the question set (its train split; or none: JSONL only), Add JSONL… and the share of declines, then
Build training set (model lane). The examples (``finetune_examples``) can be read, edited, deleted
and exported as JSONL. Below, the training controls (``finetune_options``): Train runs on the train
lane, which only waits on the training child process, so the chat keeps answering; progress shows
step, loss, tokens/s and time left; Cancel stops at the next step with a checkpoint, and Train with
the same settings resumes. A finished adapter is announced (``adapter_trained``: the window adds it
to the adapters list) and the bench runs on the set's test split in all four modes (model lane);
the verdict is shown here and the run in the Evaluate tab (``bench_finished``). These are the steps
of the core's workflow (``core.finetune.workflow``), run one by one on their lanes, in its words.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ragtune.core.finetune.train_types import TrainedAdapter, TrainProgress
from ragtune.core.finetune.types import TrainingSetReport
from ragtune.core.finetune.workflow import TRAIN, BenchOutcome, Step
from ragtune.core.types import Progress
from ragtune.errors import RagtuneError
from ragtune.gui import finetune_work as work
from ragtune.gui.context import AppContext
from ragtune.gui.eval_work import progress_text as bench_progress_text
from ragtune.gui.finetune_examples import ExamplesTable
from ragtune.gui.finetune_install import InstallBanner
from ragtune.gui.finetune_options import TrainOptionsBox, decline_share_box, share_of
from ragtune.gui.look import muted
from ragtune.gui.message_parts import ElidedLabel, wrapping
from ragtune.gui.tasks import Job

BENCH_JOB = "bench adapter"


class FineTuneView(QWidget):
    """See the module docstring. ``set_library(name)`` follows the window's library."""

    adapter_trained = Signal(str)  # the new adapter's path
    bench_finished = Signal(object)  # RunRecord | None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library: str | None = None
        self.jsonl: list[str] = []
        self.report: TrainingSetReport | None = None
        self.job: Job | None = None  # building a set, training or benching
        self._pending_bench: str | None = None  # a trained adapter, judged once training's job is done
        #: the library and set the shown examples were built from: the bench judges on that set
        self.built_for: tuple[str, str | None] | None = None
        self._build()

    def _build(self) -> None:
        self.banner = InstallBanner()
        self.banner.installed.connect(self._enable)
        self.library_label = ElidedLabel("No library chosen")
        self.library_label.setObjectName("heading")
        self.fit_label = wrapping(muted(QLabel()))  # can the trainer load the model, does it fit
        self.set_combo = QComboBox()
        self.set_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.set_combo.setMinimumContentsLength(20)
        self.set_combo.setToolTip("The question set whose train split the examples come from")
        self.jsonl_button = QPushButton("Add JSONL…")
        self.jsonl_button.setToolTip("Your own chat examples ({\"messages\": [...]} per line): a voice, a format, a task")
        self.jsonl_button.clicked.connect(self._add_jsonl)
        self.jsonl_label = wrapping(muted(QLabel()))
        self.jsonl_label.setVisible(False)
        self.decline_share = decline_share_box()
        self.build_button = QPushButton("Build training set")
        self.build_button.setToolTip("Make the examples from the set's train split and your JSONL files")
        self.build_button.clicked.connect(self.build)
        self.export_button = QPushButton("Export JSONL…")
        self.export_button.clicked.connect(self._export)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Question set", self.set_combo)
        form.addRow("Declines", self.decline_share)
        buttons = QHBoxLayout()
        buttons.addWidget(self.jsonl_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.build_button)
        self.report_label = wrapping(muted(QLabel()))
        self.report_label.setVisible(False)
        self.examples = ExamplesTable()
        self.examples.changed.connect(self._enable)
        self.options = TrainOptionsBox()
        self.options.train_requested.connect(self.train)
        self.options.cancel_requested.connect(self.cancel)
        self.verdict = wrapping(QLabel())
        self.verdict.setVisible(False)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.options)
        lower_layout.addWidget(self.verdict)
        lower_layout.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.examples)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.library_label)
        layout.addWidget(self.fit_label)
        layout.addLayout(form)
        layout.addWidget(self.jsonl_label)
        layout.addLayout(buttons)
        layout.addWidget(self.report_label)
        layout.addWidget(split, 1)
        self._enable()

    # -- library and sets -----------------------------------------------------------------------
    def set_library(self, library: str | None) -> None:
        """Follow the window's library: list its question sets (reads lane)."""
        if library != self.library:
            self.report = None
            self.built_for = None
            self.examples.set_examples([])
            self.report_label.setVisible(False)
        self.library = library
        self.library_label.setText(library or "No library chosen")
        if not self.options.name.isModified():  # the person's own name stays
            self.options.name.setText(work.suggested_name(library))
        self.reload()

    def reload(self) -> None:
        self.ctx.reads.submit(partial(work.training_fit_text, self.ctx.svc), on_result=self.fit_label.setText,
                              on_error=lambda exc: self.fit_label.setText(str(exc)), name="training advice")
        if self.library is None:
            self._sets_loaded(work.SetsState("", []))
            return
        self.ctx.reads.submit(partial(work.load_sets, self.ctx.svc, self.library), on_result=self._sets_loaded,
                              on_error=lambda exc: self.ctx.messages.error(exc, "Reading the question sets"),
                              name="fine-tune sets")

    def _sets_loaded(self, state: work.SetsState) -> None:
        if state.library != (self.library or ""):
            return
        keep = self.set_combo.currentData()
        self.set_combo.clear()
        for label, name in work.set_choices(state):
            self.set_combo.addItem(label, name)
        index = self.set_combo.findData(keep) if keep is not None else -1
        self.set_combo.setCurrentIndex(max(0, index))
        self._enable()

    def set_name(self) -> str | None:
        value = self.set_combo.currentData()
        return str(value) if value else None

    def _add_jsonl(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add chat examples", "", work.JSONL_FILES)
        self.add_jsonl(paths)

    def add_jsonl(self, paths: list[str]) -> None:
        self.jsonl += [p for p in paths if p not in self.jsonl]
        self.jsonl_label.setText("Your examples: " + ", ".join(Path(p).name for p in self.jsonl))
        self.jsonl_label.setVisible(bool(self.jsonl))

    def _enable(self) -> None:
        idle, has_lib = self.job is None, self.library is not None
        for widget in (self.set_combo, self.jsonl_button, self.decline_share):
            widget.setEnabled(idle)
        self.build_button.setEnabled(idle and has_lib)
        self.export_button.setEnabled(bool(self.examples.examples))
        can_train = idle and len(self.examples.examples) >= 2 and not self.banner.isVisibleTo(self)
        self.options.train_button.setEnabled(can_train)

    # -- work -----------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.job is not None

    def build(self) -> Job | None:
        """Build the training set (model lane: the chat model's tokenizer and context)."""
        if self.job is not None or self.library is None:
            return None
        wanted = (self.library, self.set_name())
        fn = partial(work.build_set, self.ctx.svc, wanted[0], wanted[1], list(self.jsonl),
                     share_of(self.decline_share))
        self.job = self.ctx.model_lane.submit(
            fn, on_result=partial(self._built, wanted), on_error=partial(self._failed, "Building the training set"),
            on_finished=self._job_done, name="training set")
        self.options.show_status("Building the training set: waiting for the model…")
        self._enable()
        return self.job

    def _built(self, wanted: tuple[str, str | None], report: TrainingSetReport) -> None:
        if wanted[0] != self.library:
            return  # the window's library changed meanwhile
        self.report = report
        self.built_for = wanted
        self.examples.set_examples(report.examples)
        self.report_label.setText(work.report_text(report))
        self.report_label.setVisible(True)
        self.options.show_status("")

    def train(self) -> Job | None:
        """Train the adapter on the table's examples (train lane; the child process does the work)."""
        if self.job is not None or len(self.examples.examples) < 2:
            return None
        if not self.banner.refresh():
            self.ctx.messages.notice("Install the training packages first (the banner above).")
            return None
        try:
            options = self.options.options()
        except RagtuneError as exc:
            self.ctx.messages.error(exc, "Training")
            return None
        name = self.options.name.text().strip()
        replace = False
        try:
            path = self.ctx.svc.finetune.adapter_path(name)
        except RagtuneError as exc:
            self.ctx.messages.error(exc, "Training")
            return None
        if path.exists():
            question = f"An adapter named \u201c{path.stem}\u201d exists. Replace it?"
            if not self.ctx.messages.confirm("Replace adapter", question):
                return None
            replace = True
        fn = partial(work.train, self.ctx.svc, list(self.examples.examples), name, options, replace)
        self.job = self.ctx.train_lane.submit(fn, on_progress=self._train_progress, on_result=self._trained,
                                              on_error=partial(self._failed, "Training"),
                                              on_finished=self._job_done, name="train adapter")
        self.options.set_running(True)
        self.options.show_status(Step(TRAIN).text())
        self.verdict.setVisible(False)
        self._enable()
        return self.job

    def _train_progress(self, event: object) -> None:
        if isinstance(event, TrainProgress):
            self.options.show_step(event.step, event.total)
            self.options.show_status(event.text())
        elif isinstance(event, Step):
            self.options.show_status(event.text())
        elif isinstance(event, Progress):
            self.options.show_step(event.done, event.total)
            self.options.show_status("Judging the adapter: " + bench_progress_text(event))

    def _trained(self, made: TrainedAdapter) -> None:
        text = work.trained_text(made)
        self.ctx.messages.notice(f"Adapter {made.info.name} trained.")
        self.verdict.setText(text)
        self.verdict.setVisible(True)
        self.options.show_status("")
        self._pending_bench = made.result.adapter
        self.adapter_trained.emit(made.result.adapter)

    def _job_done(self) -> None:
        self.job = None
        self.options.set_running(False)
        self._enable()
        pending, self._pending_bench = self._pending_bench, None
        if pending is not None:
            self.bench(pending)

    def bench(self, adapter: str) -> Job | None:
        """Judge ``adapter`` on the test split of the set its examples were built from, in all four
        modes (model lane)."""
        library, set_name = self.built_for or (None, None)
        if self.job is not None or library is None or set_name is None:  # JSONL only: no test split
            self._benched(BenchOutcome(None, set_name))
            return None
        fn = partial(work.bench, self.ctx.svc, library, set_name, adapter)
        self.job = self.ctx.model_lane.submit(fn, on_progress=self._train_progress, on_result=self._benched,
                                              on_error=partial(self._failed, "Judging the adapter"),
                                              on_finished=self._job_done, name=BENCH_JOB)
        self.options.set_running(True)
        self.options.show_status("Judging the adapter on the test split: waiting for the model…")
        self._enable()
        return self.job

    def _benched(self, outcome: BenchOutcome) -> None:
        self.verdict.setText(self.verdict.text() + "\n\n" + work.bench_text(outcome))
        self.options.show_status("")
        self.bench_finished.emit(outcome.record)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.options.show_status(
                "Stopping after the current answer; Run in the Evaluate tab finishes the bench later…"
                if self.job.name == BENCH_JOB else "Stopping at the next example (a checkpoint is kept)…")

    def _failed(self, context: str, exc: BaseException) -> None:
        self.ctx.messages.error(exc, context)
        self.options.show_status(f"{context}: {exc}")

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export training set", "training_set.jsonl", work.JSONL_FILES)
        if path:
            self.export(path)

    def export(self, path: str) -> Job:
        return self.ctx.reads.submit(partial(work.write_examples, self.ctx.svc, list(self.examples.examples), path),
                                     on_result=lambda p: self.ctx.messages.notice(f"Training set written to {p}."),
                                     on_error=lambda exc: self.ctx.messages.error(exc, "Export"), name="export examples")
