"""What the Evaluate tab runs on the lanes, without widgets, and the short texts it shows about it.

Reads and small writes (sets, questions, past runs, imports and exports) run on the reads lane; a
bench run and question generation use the chat model, so they run on the model lane
(docs/architecture.md, "Threads"). Each function here is a lane job's body: it takes the ``Job``
and calls only ``svc.evaluation``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragtune.core.answer_types import AdapterSpec, Mode
from ragtune.core.evaluate import report as run_report
from ragtune.core.evaluate.questions import QuestionSet, Split
from ragtune.core.evaluate.run_types import GenerationReport, RunInfo, RunRecord, RunStatus
from ragtune.core.services import Ragtune
from ragtune.core.types import Citation, Progress
from ragtune.core.units import duration_text
from ragtune.gui.tasks import Job

#: the set a "Generate…" writes into when the library has none
GENERATED_SET = "Generated"
QUESTION_FILES = "Question files (*.jsonl *.csv);;JSON Lines (*.jsonl);;CSV (*.csv)"
RUN_FILES = {"html": "HTML report (*.html)", "csv": "CSV (*.csv)", "json": "JSON (*.json)"}


@dataclass(frozen=True)
class LibraryState:
    """A library's question sets and past runs (newest first), read together."""

    library: str
    sets: list[QuestionSet]
    runs: list[RunInfo]


@dataclass(frozen=True)
class RunOutcome:
    """A finished (or stopped) bench run, and whether it resumed a run that existed before."""

    record: RunRecord
    resumed: bool


def load_library(svc: Ragtune, library: str, _job: Job) -> LibraryState:
    """The sets (the sample library gets its own the first time) and the runs of ``library``."""
    sets = svc.evaluation.question_sets(library)
    runs = sorted(svc.evaluation.runs(library), key=lambda r: r.id, reverse=True)
    return LibraryState(library, sets, runs)


def run_bench(
    svc: Ragtune,
    library: str,
    set_name: str,
    split: Split | None,
    modes: list[Mode],
    adapters: list[AdapterSpec],
    job: Job,
) -> RunOutcome:
    """The model lane's bench run; ``job.report`` gets its ``Progress``. The core resumes the
    newest unfinished run with the same settings; ``resumed`` says whether that happened."""
    before = {r.id for r in svc.evaluation.runs(library)}
    record = svc.evaluation.run(
        library, set_name, split, modes, adapters, progress=job.report, cancel=job.cancel
    )
    return RunOutcome(record, record.info.id in before)


def generate(svc: Ragtune, library: str, set_name: str, n: int, job: Job) -> GenerationReport:
    """The model lane's question generation (a ``GenerationReport``)."""
    return svc.evaluation.generate(library, set_name, n, progress=job.report, cancel=job.cancel)


def write_run(record: RunRecord, path: str, kind: str) -> str:
    """Write ``record`` as an HTML report, CSV or JSON (``kind``) to ``path`` (the core's export)."""
    run_report.write_run(record, Path(path), kind)
    return path


def citation_from(item: dict[str, Any]) -> Citation:
    """A stored result's citation (``n, path, page, location, text``) as the source viewer's
    ``Citation``; the stored row has no chunk id or offsets, so those are 0 (the viewer then finds
    the passage by its text)."""
    return Citation(
        n=int(item.get("n", 0) or 0),
        chunk_id=int(item.get("chunk_id", 0) or 0),
        path=str(item.get("path", "")),
        page=int(item.get("page", 0) or 0),
        start=int(item.get("start", 0) or 0),
        end=int(item.get("end", 0) or 0),
        text=str(item.get("text", "")),
        title=str(item.get("title", "")),
        ocr=bool(item.get("ocr", False)),
    )


def progress_text(p: Progress, what: str = "answers") -> str:
    """``12/48 answers · about 3 min 5 s left · <the question>``."""
    parts = [f"{p.done}/{p.total} {what}"] if p.total else ["Starting…"]
    if p.eta_s is not None and p.done < p.total:
        parts.append(f"about {duration_text(p.eta_s)} left")
    if p.current:
        parts.append(p.current)
    return " · ".join(parts)


def run_title(info: RunInfo) -> str:
    """``Run 7 (12 Mar 14:05, finished, 48/48)`` for the past-runs picker."""
    when = time.strftime("%d %b %H:%M", time.localtime(info.created))
    return f"Run {info.id} ({when}, {info.set_name}, {info.split}, {info.status}, {info.answered}/{info.total})"


def generation_text(report: GenerationReport, set_name: str) -> str:
    """What a generation run kept, dropped and why (``GenerationReport.summary``)."""
    return report.summary(set_name)


def outcome_text(outcome: RunOutcome) -> str:
    """``Resumed run 4: finished, 6/6 answers.`` or ``Run 5: stopped at 2/6 answers; ...``."""
    info = outcome.record.info
    said = f"Resumed run {info.id}" if outcome.resumed else f"Run {info.id}"
    if info.status == RunStatus.FINISHED:
        return said + f": finished, {info.answered}/{info.total} answers."
    return said + f": stopped at {info.answered}/{info.total} answers; Run resumes it."
