"""What the Fine-tune tab runs on the lanes, without widgets, and the short texts it shows.

Building a training set uses the chat model's tokenizer and context (model lane); training runs in a
child process that the train lane only waits on, so the chat keeps answering meanwhile; the bench on
the test split answers questions with the model (model lane). Each function here is a lane job's
body: it takes the ``Job`` and calls only ``svc.finetune`` and ``svc.evaluation``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.evaluate.questions import QuestionSet, Split
from ragtune.core.evaluate.run_types import RunRecord, RunStatus
from ragtune.core.evaluate.verdict import verdict
from ragtune.core.finetune.train_types import TrainedAdapter, TrainOptions, TrainProgress
from ragtune.core.finetune.types import Example, TrainingSetReport
from ragtune.core.services import Ragtune
from ragtune.gui.eval_work import duration
from ragtune.gui.tasks import Job

JSONL_FILES = "Chat examples (*.jsonl);;All files (*)"
#: the question set entry that means "no set: the JSONL files only"
NO_SET = ""


@dataclass(frozen=True)
class SetsState:
    """A library's question sets, read for the tab."""

    library: str
    sets: list[QuestionSet]


def load_sets(svc: Ragtune, library: str, _job: Job) -> SetsState:
    return SetsState(library, svc.evaluation.question_sets(library))


def build_set(svc: Ragtune, library: str, set_name: str | None, jsonl: Sequence[str],
              decline_share: float, _job: Job) -> TrainingSetReport:
    """The model lane's training-set build (nothing written)."""
    return svc.finetune.training_set(library, set_name, decline_share, 0, list(jsonl))


def train(svc: Ragtune, examples: Sequence[Example], name: str, options: TrainOptions,
          replace_existing: bool, job: Job) -> TrainedAdapter:
    """The train lane's run: ``job.report`` gets each ``TrainProgress``."""
    return svc.finetune.train(examples, name, options, job.report, job.cancel, replace=replace_existing)


def bench(svc: Ragtune, library: str, set_name: str, adapter: str, job: Job) -> RunRecord | None:
    """The model lane's bench of a new adapter on the set's test split, all four modes; None when
    the set has no test split."""
    if not svc.evaluation.questions(library, set_name, Split.TEST):
        return None
    return svc.evaluation.run(library, set_name, Split.TEST, list(Mode), [AdapterSpec(adapter, 1.0)],
                              progress=job.report, cancel=job.cancel)


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
    """``24 examples: 15 grounded, 4 declines, 3 absent, 2 from JSONL. Left out: ...``."""
    text = (f"{len(report.examples)} examples: {report.grounded} citing their source, {report.decline} "
            f"declining with the source left out, {report.absent} declining a question the documents do "
            f"not answer, {report.style} from your JSONL.")
    reasons = {"skipped_no_gold": "source not retrieved", "skipped_unstated": "source does not state the answer",
               "skipped_no_passages": "nothing retrieved", "too_long": "too long",
               "held_out": "would leak the test split"}
    counts = report.counts()
    left = ", ".join(f"{counts[k]} {why}" for k, why in reasons.items() if counts[k])
    if left:
        text += f" Left out: {left}."
    if report.errors:
        text += f" {len(report.errors)} JSONL lines skipped (first: {report.errors[0]})."
    return text


def progress_text(event: TrainProgress) -> str:
    """``Step 5/24 · loss 1.234 · 41 tokens/s · about 3 min 10 s left``, or the phase's words."""
    if event.phase == "training":
        parts = [f"Step {event.step}/{event.total}"]
        if event.loss is not None:
            parts.append(f"loss {event.loss:.3f}")
        parts.append(f"{event.tokens_per_s:.0f} tokens/s")
        if event.eta_s is not None and event.step < event.total:
            parts.append(f"about {duration(event.eta_s)} left")
        return " · ".join(parts)
    if event.phase == "checkpoint":
        return f"Checkpoint saved at step {event.step}/{event.total}"
    if event.phase == "exporting":
        return "Writing the adapter…"
    return event.message or "Loading the model for training…"


def trained_text(made: TrainedAdapter) -> str:
    r = made.result
    why = {"budget": " (the time budget ran out)", "max_steps": " (step limit)"}.get(r.stopped, "")
    resumed = f", resumed from step {r.resumed_from}" if r.resumed_from else ""
    return (f"Adapter {made.info.name} trained: {r.steps}/{r.total_steps} steps{why}{resumed}, final loss "
            f"{r.final_loss:.3f}, {r.tokens_per_s:.0f} tokens/s on {r.device}, {duration(r.seconds)}. "
            f"Saved to {Path(r.adapter)}; it is in the adapters list (Model & adapters).")


def bench_text(record: RunRecord | None) -> str:
    if record is None:
        return ("No bench: there is no test split to judge the adapter on (the set has none, or only "
                "JSONL examples were used). The Evaluate tab runs one on any set.")
    info = record.info
    if info.status != RunStatus.FINISHED:
        return (f"The bench stopped after {info.answered} of {info.total} answers; Run in the Evaluate "
                "tab, with the adapter switched on, finishes it.")
    return verdict(record)
