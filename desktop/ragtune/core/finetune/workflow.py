"""The fine-tune workflow as the CLI and the GUI see it: build the training set, train the adapter
(validated against the model), then judge it with the bench on the set's test split in every mode
(``FineTune.run`` does it all; the window runs the same steps one by one on its lanes, with the
person's edits between building and training).

The bench's rule lives here once (``BENCH_SPLIT``, ``BENCH_MODES``, ``BENCH_STRENGTH``; the strength
chosen by ``core.finetune.strength``), with the
events the workflow reports (a ``Step`` starting, the built ``TrainingSetReport``, each
``TrainProgress``, the ``TrainedAdapter``, the bench's ``Progress``) and what it returns
(``FineTuneResult``, its ``BenchOutcome``), each with its words for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ragtune.core.adapter_strength import StrengthChoice
from ragtune.core.answer_types import Mode
from ragtune.core.evaluate.questions import Split
from ragtune.core.evaluate.run_types import RunRecord, RunStatus
from ragtune.core.evaluate.verdict import verdict
from ragtune.core.finetune.strength import MIN_VALIDATION, STRENGTHS
from ragtune.core.finetune.train_types import TrainedAdapter, TrainProgress
from ragtune.core.finetune.types import TrainingSetReport
from ragtune.core.types import Progress

#: a new adapter is judged on the test split (never trained on), in all four modes, at the strength
#: chosen on the validation part of the train split (``core.finetune.strength``), else at full
BENCH_SPLIT = Split.TEST
BENCH_MODES = tuple(Mode)
BENCH_STRENGTH = 1.0
#: how the validation runs name their part of the set
VALIDATION_LABEL = "validation"

class StepName(StrEnum):
    """The workflow's steps (``Step.name``)."""

    BUILD = "building"
    TRAIN = "training"
    CHOOSE = "choosing the strength"
    BENCH = "benching"


BUILD, TRAIN, CHOOSE, BENCH = StepName.BUILD, StepName.TRAIN, StepName.CHOOSE, StepName.BENCH


@dataclass(frozen=True)
class Step:
    """A step of the workflow starts (``BUILD``, ``TRAIN``, ``BENCH``); ``set_name``: the
    question set it works from (None: the JSONL files only)."""

    name: StepName
    set_name: str | None = None

    def text(self) -> str:
        """``Judging the adapter on the test split of “Tiny” (Model alone, RAG, Adapter, RAG + adapter)…``."""
        if self.name == BUILD:
            return "Building the training set\u2026"
        if self.name == TRAIN:
            return "Starting the training process\u2026"
        if self.name == CHOOSE:
            strengths = ", ".join(f"{s:.0%}" for s in STRENGTHS)
            return (f"Choosing the adapter's strength ({strengths}) on the validation part of the train split "
                    f"of \u201c{self.set_name}\u201d\u2026")
        modes = ", ".join(m.label for m in BENCH_MODES)
        return f"Judging the adapter on the {BENCH_SPLIT} split of \u201c{self.set_name}\u201d ({modes})\u2026"


#: what ``FineTune.run`` reports while it works (``Progress``: the bench's answers)
FineTuneEvent = Step | TrainingSetReport | TrainProgress | TrainedAdapter | Progress


@dataclass(frozen=True)
class BenchOutcome:
    """The bench of a new adapter: its run (None: there was no test split to judge it on, or it
    was stopped while the strength was being chosen) and the strength chosen (None: the train split
    was too small for a validation part; the adapter was judged at full strength)."""

    record: RunRecord | None
    set_name: str | None = None
    strength: StrengthChoice | None = None
    stopped: bool = False

    @property
    def finished(self) -> bool:
        """True when every answer of the run was given (False when it stopped or did not run)."""
        return self.record is not None and self.record.info.status == RunStatus.FINISHED

    def text(self) -> str:
        """The strength chosen and the verdict; else why there is none (no test split, or the bench
        stopped part way)."""
        if self.stopped:
            return "The bench stopped while it was choosing the adapter's strength."
        if self.record is None:
            return ("No bench: there is no test split to judge the adapter on (the set has none, or only "
                    "JSONL examples were used).")
        info = self.record.info
        if info.status != RunStatus.FINISHED:
            return f"The bench stopped after {info.answered} of {info.total} answers."
        strength = (self.strength.text() if self.strength is not None else
                    f"Strength 100 %: fewer than {MIN_VALIDATION} of the train split's questions with an answer "
                    "were kept apart to choose the strength on (add questions to the set for a choice).")
        return f"{strength} {verdict(self.record)}"


@dataclass(frozen=True)
class FineTuneResult:
    """What ``FineTune.run`` made: the training set, the adapter, and its bench (None: not asked)."""

    report: TrainingSetReport
    made: TrainedAdapter
    bench: BenchOutcome | None

    def summary_lines(self) -> list[str]:
        """The whole workflow in plain sentences: the set, the adapter, the bench's verdict."""
        lines = [*self.report.summary_lines(), self.made.summary()]
        return lines + ([self.bench.text()] if self.bench is not None else [])
