"""What the Fine-tune tab runs on the lanes, without widgets, and the texts it shows.

The tab runs the core's fine-tune workflow (``core.finetune.workflow``) one step at a time, each on
its lane: building a training set uses the chat model's tokenizer and context (model lane); training
runs in a child process that the train lane only waits on, so the chat keeps answering meanwhile; the
bench on the test split answers questions with the model (model lane). Each function here is a lane
job's body: it takes the ``Job`` and calls only ``svc.finetune`` and ``svc.evaluation``. The words
are the core's (``summary_lines``, ``summary``, ``BenchOutcome.text``); this module only adds where
in the window to go next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ragtune.core.evaluate.questions import QuestionSet
from ragtune.core.finetune.train_types import TrainedAdapter, TrainOptions
from ragtune.core.finetune.types import DEFAULT_SEED, Example, TrainingSetReport
from ragtune.core.finetune.workflow import BenchOutcome
from ragtune.core.marks import CHAT_SET
from ragtune.core.services import Ragtune
from ragtune.errors import RagtuneError
from ragtune.gui.tasks import Job

JSONL_FILES = "Chat examples (*.jsonl);;All files (*)"
#: the question set entry that means "no set: the JSONL files only"
NO_SET = ""


@dataclass(frozen=True)
class SetsState:
    """A library's question sets, read for the tab."""

    library: str
    sets: list[QuestionSet]


def training_fit_text(svc: Ragtune, _job: Job) -> str:
    """The core's advice on training the current model here, or why there is none (a server
    engine, a missing model file): a line for the tab either way."""
    try:
        return svc.finetune.training_fit().text
    except RagtuneError as exc:
        return str(exc)


def load_sets(svc: Ragtune, library: str, _job: Job) -> SetsState:
    return SetsState(library, svc.evaluation.question_sets(library))


def set_choices(state: SetsState) -> list[tuple[str, str]]:
    """The question-set picker's entries: ``(label, set name)``, then "no set" (``NO_SET``)."""
    choices = [(f"{s.name} ({s.counts.get('train', 0)} train, {s.counts.get('test', 0)} test)"
                + (" \u00b7 train on your marked answers" if s.name == CHAT_SET else ""), s.name)
               for s in state.sets]
    return [*choices, ("None: my JSONL examples only", NO_SET)]


def build_set(svc: Ragtune, library: str, set_name: str | None, jsonl: Sequence[str],
              decline_share: float, _job: Job) -> TrainingSetReport:
    """The model lane's training-set build (nothing written)."""
    return svc.finetune.training_set(library, set_name, decline_share, DEFAULT_SEED, list(jsonl))


def train(svc: Ragtune, examples: Sequence[Example], name: str, options: TrainOptions,
          replace_existing: bool, job: Job) -> TrainedAdapter:
    """The train lane's run (train and validate): ``job.report`` gets each ``TrainProgress``."""
    return svc.finetune.train(examples, name, options, job.report, job.cancel, replace=replace_existing)


def bench(svc: Ragtune, library: str, set_name: str | None, adapter: str, job: Job) -> BenchOutcome:
    """The model lane's bench of a new adapter on the set's test split (``svc.finetune.bench``):
    ``job.report`` gets its ``Step`` and each ``Progress``."""
    return svc.finetune.bench(library, set_name, adapter, job.report, job.cancel)


def write_examples(svc: Ragtune, examples: Sequence[Example], path: str, _job: Job) -> str:
    svc.finetune.write_training_set(examples, path)
    return path


def with_target(example: Example, target: str) -> Example:
    """``example`` with its assistant answer replaced by ``target``."""
    messages = [dict(m) for m in example.messages]
    messages[-1] = {"role": "assistant", "content": target}
    return replace(example, messages=messages)


def question_of(example: Example) -> str:
    """What the example asks, for the table: the text after ``Question:`` in a RAG prompt, else
    the last user message."""
    user = next((m["content"] for m in reversed(example.messages) if m["role"] == "user"), "")
    _, found, question = user.rpartition("Question: ")
    return " ".join((question if found else user).split())


def suggested_name(library: str | None) -> str:
    """A default adapter name from the library's: ``sample-library-cite``."""
    base = re.sub(r"[^\w.-]+", "-", (library or "my").lower()).strip("-.") or "my"
    return f"{base[:50]}-cite"


def report_text(report: TrainingSetReport) -> str:
    """The core's sentences about the set, and the first JSONL line skipped (when any)."""
    text = " ".join(report.summary_lines())
    if report.errors:
        text += f" {report.skipped_text()} (first: {report.errors[0]})."
    return text


def trained_text(made: TrainedAdapter) -> str:
    """The core's summary of the new adapter, and where the window put it."""
    return f"{made.summary()} It is in the adapters list (Model & adapters)."


def bench_text(outcome: BenchOutcome) -> str:
    """The verdict, or why there is none and where in the window to get one."""
    if outcome.record is None:
        return f"{outcome.text()} The Evaluate tab runs one on any set."
    if not outcome.finished:
        return f"{outcome.text()} Run in the Evaluate tab, with the adapter switched on, finishes it."
    return outcome.text()
