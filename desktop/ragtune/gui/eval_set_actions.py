"""The Evaluate tab's dialogs for a question set: Import… (JSONL or CSV; the rows skipped are listed
with their line numbers), Export…, Split… (a seeded train/test split), New set… and
Export run… (an HTML report, CSV or JSON). Each asks what
it needs, then runs ``svc.evaluation`` on the reads lane and calls ``done`` on success.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from ragtune.core.evaluate.questions import QuestionSet
from ragtune.core.evaluate.run_types import RunRecord
from ragtune.core.evaluate.split import DEFAULT_TEST_SHARE
from ragtune.gui.context import AppContext
from ragtune.gui.eval_work import QUESTION_FILES, RUN_FILES, write_run
from ragtune.gui.tasks import Job

#: the most skipped-row messages a dialog lists (the rest are counted)
MAX_ERRORS_SHOWN = 30


def _submit(ctx: AppContext, fn: Callable[[], Any], done: Callable[[Any], None], what: str) -> Job:
    return ctx.reads.submit(
        lambda job: fn(), on_result=done, on_error=lambda exc: ctx.messages.error(exc, what), name=what
    )


def import_errors_text(path: str, added: int, errors: list[str]) -> str:
    """What an import added, then ``line N: reason`` per skipped row (the first few)."""
    head = f"Imported {added} question{'s' if added != 1 else ''} from {Path(path).name}; skipped {len(errors)} row(s):"
    shown = errors[:MAX_ERRORS_SHOWN]
    more = len(errors) - len(shown)
    return "\n".join([head, *shown] + ([f"… and {more} more."] if more > 0 else []))


def prompt_import(
    parent: QWidget, ctx: AppContext, library: str, set_name: str | None, done: Callable[[QuestionSet], None]
) -> Job | None:
    """Read a question file into ``set_name`` (or a set named after the file)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import questions", str(Path.home()), QUESTION_FILES)
    if not path:
        return None
    name = set_name or Path(path).stem
    svc = ctx.svc

    def finished(result: Any) -> None:
        if result.errors:
            QMessageBox.warning(parent, "Some rows were skipped", import_errors_text(path, result.added, result.errors))
        ctx.messages.notice(f"Imported {result.added} questions into \u201c{name}\u201d.")
        done(result.question_set)

    return _submit(ctx, lambda: svc.evaluation.import_questions(library, name, path), finished, "Importing questions")


def prompt_export(parent: QWidget, ctx: AppContext, library: str, set_name: str) -> Job | None:
    """Write the set as JSONL or CSV (by the chosen file's suffix)."""
    safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in set_name).strip() or "questions"
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export questions", str(Path.home() / f"{safe}.jsonl"), QUESTION_FILES
    )
    if not path:
        return None
    if Path(path).suffix.lower() not in (".jsonl", ".csv"):
        path += ".jsonl"
    svc = ctx.svc
    return _submit(
        ctx,
        lambda: svc.evaluation.export_questions(library, set_name, path),
        lambda n: ctx.messages.notice(f"Wrote {n} questions to {path}."),
        "Exporting questions",
    )


def prompt_split(
    parent: QWidget, ctx: AppContext, library: str, set_name: str, done: Callable[[QuestionSet], None]
) -> Job | None:
    """Split the whole set into train and test again, with the share of test questions asked."""
    percent, ok = QInputDialog.getInt(
        parent, "Split the set",
        "Share of test questions (%), split with a fixed seed.\n"
        "Verdicts use the test split; only train questions may reach training data.",
        round(DEFAULT_TEST_SHARE * 100), 5, 95, 5,
    )
    if not ok:
        return None
    svc = ctx.svc

    def finished(qset: QuestionSet) -> None:
        ctx.messages.notice(f"{qset.name}: {qset.counts.get('test', 0)} test, {qset.counts.get('train', 0)} train.")
        done(qset)

    return _submit(ctx, lambda: svc.evaluation.resplit(library, set_name, percent / 100.0), finished, "Splitting the set")


def prompt_new_set(
    parent: QWidget, ctx: AppContext, library: str, done: Callable[[QuestionSet], None]
) -> Job | None:
    name, ok = QInputDialog.getText(parent, "New question set", "Name of the new set:")
    name = name.strip()
    if not ok or not name:
        return None
    svc = ctx.svc
    return _submit(ctx, lambda: svc.evaluation.create_question_set(library, name), done, "Creating a set")


def ask_count(parent: QWidget) -> int | None:
    """How many questions Generate… should write (None: cancelled)."""
    n, ok = QInputDialog.getInt(
        parent, "Generate questions",
        "How many questions should the chat model write about the library?\n"
        "Each is checked against its passage; about a quarter more are absent questions.",
        10, 1, 200, 1,
    )
    return n if ok else None


def prompt_export_run(parent: QWidget, ctx: AppContext, record: RunRecord) -> Job | None:
    """Save ``record`` as an HTML report, CSV or JSON (by the suffix, else the chosen filter)."""
    default = str(Path.home() / f"ragtune-run-{record.info.id}.html")
    path, chosen = QFileDialog.getSaveFileName(parent, "Export run", default, ";;".join(RUN_FILES.values()))
    if not path:
        return None
    suffix = Path(path).suffix.lower().lstrip(".")
    kind = suffix if suffix in RUN_FILES else next((k for k, f in RUN_FILES.items() if f == chosen), "html")
    if suffix not in RUN_FILES:
        path += f".{kind}"
    return _submit(
        ctx,
        lambda: write_run(record, path, kind),
        lambda p: ctx.messages.notice(f"Run {record.info.id} exported to {p}."),
        "Exporting the run",
    )
